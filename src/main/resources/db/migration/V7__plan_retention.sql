-- Retention: after each successful backup of a plan, the console decides which of the machine's
-- images in the plan's repository to keep (keep last / hourly / daily / weekly / monthly /
-- yearly, 0 = rule off) and queues a prune job that deletes the others' manifests. Pruned images
-- stay in the catalogue, marked, for the jobs, restore requests and audit events that name them.
alter table plan add column keep_last    integer not null default 0 check (keep_last >= 0);
alter table plan add column keep_hourly  integer not null default 0 check (keep_hourly >= 0);
alter table plan add column keep_daily   integer not null default 0 check (keep_daily >= 0);
alter table plan add column keep_weekly  integer not null default 0 check (keep_weekly >= 0);
alter table plan add column keep_monthly integer not null default 0 check (keep_monthly >= 0);
alter table plan add column keep_yearly  integer not null default 0 check (keep_yearly >= 0);

alter table image add column pruned_at timestamptz;

alter table job drop constraint job_type_check;
alter table job add constraint job_type_check
    check (type in ('backup', 'verify', 'restore', 'maintenance', 'prune'));
