-- The documents that are lists carry their form in a column beside them:
-- case_support's checklist, consent, overrides and assessments, and
-- service_referrals.history. A JSON array has no member to hold a
-- doc_version, and wrapping every stored list in an object would rewrite
-- every row for nothing. Form 2 is store.DocVersion: snake_case entries, as
-- they have always been. A reader refuses a row of a form it does not know
-- (written by a newer Haven) rather than misread it.
ALTER TABLE case_support ADD COLUMN doc_version INTEGER NOT NULL DEFAULT 2;
ALTER TABLE service_referrals ADD COLUMN doc_version INTEGER NOT NULL DEFAULT 2;
