-- Backup plans: what to back up, where, when, and what to do after (verify). A due plan becomes a
-- backup job that names it (docs/decisions/2026-12-02-backup-plans.md).
create table plan (
    id             bigserial primary key,
    name           text        not null unique,
    machine_id     bigint      not null references machine (id) on delete cascade,
    disk_name      text,       -- null: every disk the machine reports
    repository_id  bigint      not null references repository (id),
    schedule       text        not null,  -- Unix cron: minute hour day month weekday
    time_zone      text        not null,
    verify_after   boolean     not null default false,
    enabled        boolean     not null default true,
    created_by     text        not null,
    created_at     timestamptz not null,
    updated_at     timestamptz not null,
    -- the due time the plan last queued a backup for (or passed over, when one still ran)
    last_due_at    timestamptz
);

create index plan_machine on plan (machine_id);

alter table job add column plan_id bigint references plan (id) on delete set null;
create index job_plan on job (plan_id, created_at desc) where plan_id is not null;
