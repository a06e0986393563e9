-- Columns for the process statistics of issue 14 (flows, time to decision,
-- reconsiderations, compensation), written with the documents they come
-- from like those of migration 0014, so a count never decodes a document.
-- Migration 0056's Go step fills them for existing rows
-- (store.backfillMeasureColumns).
--
-- The country of exploitation (HTCDS hte_CountryOfExploitation): the
-- country of the referral's exploitation event, else the country of the
-- jurisdiction that received the referral (where the person was found).
ALTER TABLE cases ADD COLUMN exploitation_country TEXT NOT NULL DEFAULT '';
-- The reasonable-grounds deadline of the decision record (Unix
-- milliseconds), and whether a reconsideration was ever requested.
ALTER TABLE cases ADD COLUMN rg_deadline_at BIGINT;
ALTER TABLE cases ADD COLUMN reconsidered INTEGER NOT NULL DEFAULT 0;
-- A charge's compensation order state (ordered, partially_paid, paid,
-- unpaid; empty when none was ordered).
ALTER TABLE investigation_charges ADD COLUMN compensation TEXT NOT NULL DEFAULT '';
