-- Export jobs: a worker writes a disk of an image as a VHDX or raw file on its machine.
alter table job drop constraint job_type_check;
alter table job add constraint job_type_check
    check (type in ('backup', 'verify', 'restore', 'maintenance', 'prune', 'export'));
