-- A plan backs up several machines: a group of workstations or servers with one schedule,
-- retention and retry rule, as Veeam's agent jobs and UrBackup's groups do. Each machine gets its
-- own backup job per due time; one still running passes over only that machine. A plan of one
-- machine may still name one disk (plan.disk_name); a plan of several backs up all their disks.
drop index plan_machine;  -- V6's index on plan.machine_id: the name is the new table's

create table plan_machine (
    plan_id    bigint not null references plan (id) on delete cascade,
    machine_id bigint not null references machine (id) on delete cascade,
    primary key (plan_id, machine_id)
);
create index plan_machine_machine on plan_machine (machine_id);

insert into plan_machine (plan_id, machine_id) select id, machine_id from plan;

alter table plan drop column machine_id;
