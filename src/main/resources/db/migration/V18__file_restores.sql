-- File restores: a request may name files and folders inside a partition's filesystem, which a
-- worker copies out of the image into a folder ('restore-files' jobs); null for a disk or
-- partition restore. One path per line.
alter table restore_request add column files text;
alter table job drop constraint job_type_check;
alter table job add constraint job_type_check
    check (type in ('backup', 'verify', 'restore', 'restore-files', 'maintenance', 'prune', 'export'));
