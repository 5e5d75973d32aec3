-- Maintenance jobs: garbage collection and recompression of a repository, run by a worker that
-- uses it (docs/decisions/2026-12-01-scheduled-maintenance.md).
alter table job drop constraint job_type_check;
alter table job add constraint job_type_check
    check (type in ('backup', 'verify', 'restore', 'maintenance'));

create index job_maintenance on job (repository_id, created_at desc) where type = 'maintenance';

-- what the last maintenance measured: the repository's chunk data on disk
alter table repository add column stored_bytes  bigint;
alter table repository add column maintained_at timestamptz;
