-- What used a disk when its worker last looked (a mounted filesystem, swap, LVM or RAID on it, one
-- sentence each, joined by newlines); null when nothing did or the worker is too old to say. A
-- restore onto a disk in use is refused by the worker, so the console warns before it is asked.
alter table disk add column in_use text;
