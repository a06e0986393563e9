-- The authority's queue page reads six columns of fifty rows. An index
-- that holds them, for open work only, answers the page from the index
-- alone instead of fifty scattered reads of wide case rows.
CREATE INDEX cases_queue_cover ON cases(jurisdiction_id, queue_key, id, reference, urgent, child, created_at) WHERE queue_key IS NOT NULL;
DROP INDEX cases_queue;
