-- Email addresses for notifications. Local accounts keep theirs on the account; people who sign
-- in through Keycloak are remembered with the address and roles their last sign-in carried, so
-- that approvers can be told about requests before they next sign in.
alter table app_user add column email text;

create table sso_person (
    username       text primary key,
    display_name   text,
    email          text,
    roles          text        not null,
    last_signin_at timestamptz not null
);

-- A restore request may say when its restore may run; the job waits for the window to open and is
-- cancelled if the window closes before a worker starts it.
alter table restore_request add column window_start timestamptz, add column window_end timestamptz;
alter table job add column not_before timestamptz, add column not_after timestamptz;
