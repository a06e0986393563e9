-- Case lists are read urgent first, newest first, per agency or per
-- jurisdiction: indexes in that order answer them without sorting.
CREATE INDEX cases_jurisdiction_queue ON cases(jurisdiction_id, urgent, created_at);
CREATE INDEX cases_agency_queue ON cases(agency_id, urgent, created_at);
DROP INDEX cases_agency;
