-- Retries: a backup the schedule queued that fails is queued again after a wait, up to the plan's
-- number of retries (as Veeam's agent jobs do: 3 tries, 10 minutes apart, by default there). A
-- backup a person ran is not retried: that person sees it fail. job.plan_attempt is 1 for the
-- scheduled backup, 2 for its first retry, and so on; null for backups the schedule did not queue.
alter table plan add column retries integer not null default 2
    check (retries between 0 and 10);
alter table plan add column retry_wait_minutes integer not null default 10
    check (retry_wait_minutes between 1 and 1440);

alter table job add column plan_attempt integer check (plan_attempt >= 1);
