-- Machines as their workers report them.
create table machine (
    id            bigserial primary key,
    name          text        not null unique,
    hostname      text        not null,
    os            text,
    cpu_count     integer,
    memory_bytes  bigint,
    agent_version text,
    created_at    timestamptz not null,
    last_seen_at  timestamptz
);

create table disk (
    id          bigserial primary key,
    machine_id  bigint      not null references machine (id) on delete cascade,
    name        text        not null,
    path        text        not null,
    size_bytes  bigint      not null,
    layout      text,
    updated_at  timestamptz not null,
    unique (machine_id, name)
);

-- Enrolment: an admin creates a single-use token; a worker trades it for its own credential.
create table enrolment_token (
    id          bigserial primary key,
    token_hash  text        not null unique,
    note        text,
    created_by  text        not null,
    created_at  timestamptz not null,
    expires_at  timestamptz not null,
    used_at     timestamptz,
    revoked_at  timestamptz
);

create table worker (
    id              bigserial primary key,
    machine_id      bigint      not null references machine (id),
    secret_hash     text        not null,
    enrolled_at     timestamptz not null,
    enrolled_with   bigint      references enrolment_token (id),
    revoked_at      timestamptz,
    last_seen_at    timestamptz,
    version         text,
    max_jobs        integer     not null default 2
);

create table repository (
    id          bigserial primary key,
    name        text        not null unique,
    path        text        not null,
    max_jobs    integer     not null default 4,
    created_at  timestamptz not null
);

create table image (
    id              bigserial primary key,
    repository_id   bigint      not null references repository (id),
    machine_id      bigint      not null references machine (id),
    manifest_id     text        not null,
    created_at      timestamptz not null,
    logical_bytes   bigint      not null,
    used_bytes      bigint      not null,
    stored_bytes    bigint      not null,
    disks           text        not null,
    verified_at     timestamptz,
    verify_status   text        check (verify_status in ('sound', 'damaged')),
    verify_detail   text,
    unique (repository_id, manifest_id)
);

create table job (
    id                bigserial primary key,
    type              text        not null check (type in ('backup', 'verify', 'restore')),
    state             text        not null check (state in ('queued', 'assigned', 'running', 'succeeded', 'failed', 'cancelled')),
    machine_id        bigint      not null references machine (id),
    repository_id     bigint      references repository (id),
    image_id          bigint      references image (id),
    disk_name         text,
    params            text        not null default '{}',
    cause             text        not null,
    requested_by      text        not null,
    worker_id         bigint      references worker (id),
    attempts          integer     not null default 0,
    max_attempts      integer     not null default 1,
    cancel_requested  boolean     not null default false,
    created_at        timestamptz not null,
    assigned_at       timestamptz,
    started_at        timestamptz,
    finished_at       timestamptz,
    updated_at        timestamptz not null,
    phase             text,
    bytes_done        bigint      not null default 0,
    bytes_total       bigint      not null default 0,
    rate_bps          bigint      not null default 0,
    error             text,
    result            text
);

create index job_queued on job (machine_id, created_at) where state = 'queued';
create index job_active on job (worker_id) where state in ('assigned', 'running');
create index job_created on job (created_at desc);

create table job_log (
    id       bigserial primary key,
    job_id   bigint      not null references job (id) on delete cascade,
    at       timestamptz not null,
    level    text        not null,
    message  text        not null
);

create index job_log_job on job_log (job_id, id);
