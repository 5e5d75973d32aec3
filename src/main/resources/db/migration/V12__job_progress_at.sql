-- When a job last moved forward (more bytes done, or a new phase): a job whose worker is in
-- contact but that has not moved for holdfast.jobs.stalled-after is failed as stalled.
alter table job add column progress_at timestamptz;
