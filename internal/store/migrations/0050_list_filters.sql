-- The queue and the case list are filtered and paged by keyset (issue 13).
-- The queue's covering index gains the agency, so a filter by agency is
-- answered from the index alone. The case list's indexes hold its order
-- with the id (a page's cursor, urgent, created_at, id, is one index range)
-- and then the columns it filters by, so a filtered page and its count
-- read the index alone, and the table only for the rows shown.
CREATE INDEX cases_queue_filter ON cases(jurisdiction_id, queue_key, id, reference, urgent, child, created_at, agency_id) WHERE queue_key IS NOT NULL;
DROP INDEX cases_queue_cover;
CREATE INDEX cases_jurisdiction_list ON cases(jurisdiction_id, urgent, created_at, id, status, trafficking_status, child, reference);
DROP INDEX cases_jurisdiction_queue;
CREATE INDEX cases_agency_list ON cases(agency_id, urgent, created_at, id, status, trafficking_status, child, reference);
DROP INDEX cases_agency_queue;
-- A first responder's home page lists the referrals they made lately.
CREATE INDEX referrals_user ON referrals(referring_user_id, created_at);
