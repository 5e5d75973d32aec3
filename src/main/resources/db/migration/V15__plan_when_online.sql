-- Plans that back up when their machines are online: a laptop that is off at the scheduled time
-- gets its backup when it is next online and its newest backup job of the plan is older than
-- online_every_hours. A plan may have this and no cron schedule at all.
alter table plan add column online_every_hours integer;
alter table plan alter column schedule drop not null;
