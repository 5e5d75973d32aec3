-- Folder listings: a worker lists a folder of an image's filesystem for someone choosing files to
-- restore ('list-files' jobs; the listing is the job's result).
alter table job drop constraint job_type_check;
alter table job add constraint job_type_check
    check (type in ('backup', 'verify', 'restore', 'restore-files', 'list-files', 'maintenance',
                    'prune', 'export'));
