-- Restore requests and their approvals (four eyes). An approval is bound to exactly what was
-- requested through a fingerprint over image, target machine, disk, partition and target.
create table restore_request (
    id                   bigserial primary key,
    image_id             bigint      not null references image (id),
    source_machine_id    bigint      not null references machine (id),
    target_machine_id    bigint      not null references machine (id),
    disk_name            text,
    partition_number     integer,
    target               text        not null,
    reason               text        not null,
    risk                 text        not null check (risk in ('low', 'high')),
    risk_reasons         text        not null,
    requested_by         text        not null,
    requested_at         timestamptz not null,
    expires_at           timestamptz not null,
    state                text        not null check (state in ('pending', 'approved', 'rejected', 'expired', 'cancelled')),
    fingerprint          text        not null,
    decided_by           text,
    decided_at           timestamptz,
    decision_comment     text,
    auto_approved        boolean     not null default false,
    approved_fingerprint text,
    job_id               bigint      references job (id)
);

create index restore_request_state on restore_request (state, requested_at desc);
