-- The worker a job was taken from when the console declared it lost and queued the job again.
-- Until another claim, that worker may come back and carry on: its progress, or its result,
-- is then kept instead of the attempt being run a second time and its image left uncatalogued.
alter table job add column lost_worker_id bigint references worker(id) on delete set null;
