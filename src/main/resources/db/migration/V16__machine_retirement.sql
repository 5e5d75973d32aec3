-- A machine taken out of service (scrapped, replaced, sold): an admin retires it with a reason.
-- Its workers are revoked, it leaves its plans and its unfinished jobs end; its images stay in the
-- catalogue, restorable to another machine, until an admin deletes them. Enrolling a worker of the
-- same name again brings it back.
alter table machine add column retired_at timestamptz;
alter table machine add column retired_by text;
alter table machine add column retired_reason text;
