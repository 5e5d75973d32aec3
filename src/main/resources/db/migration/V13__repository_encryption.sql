-- An encrypted repository: its worker makes it with AES-256-GCM under a key that the workers'
-- passphrase protects; the console never holds the passphrase.
alter table repository add column encrypted boolean not null default false;
