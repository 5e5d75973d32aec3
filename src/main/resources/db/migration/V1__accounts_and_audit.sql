-- Local accounts (the embedded default; Keycloak users are not stored here).
create table app_user (
    id              bigserial primary key,
    username        text        not null unique,
    display_name    text        not null,
    password_hash   text        not null,
    role            text        not null check (role in ('admin', 'operator', 'helpdesk', 'auditor')),
    enabled         boolean     not null default true,
    failed_attempts integer     not null default 0,
    locked_until    timestamptz,
    created_at      timestamptz not null,
    last_login_at   timestamptz
);

-- The audit trail: append-only and hash-chained. Each row's hash covers its content and the
-- previous row's hash, so an edited, inserted or deleted row breaks the chain.
create table audit_event (
    id          bigserial primary key,
    occurred_at timestamptz not null,
    actor       text        not null,
    action      text        not null,
    object_type text,
    object_id   text,
    outcome     text        not null check (outcome in ('success', 'failure', 'denied')),
    source_ip   text,
    user_agent  text,
    details     text,
    prev_hash   text        not null,
    hash        text        not null unique
);

create index audit_event_occurred_at on audit_event (occurred_at);
create index audit_event_actor on audit_event (actor);
create index audit_event_action on audit_event (action);

create function audit_event_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_event is append-only: % is not allowed', tg_op;
end;
$$;

create trigger audit_event_no_update before update or delete on audit_event
    for each row execute function audit_event_append_only();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_event_append_only();
