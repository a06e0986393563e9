-- Columns for statistics (issue 11): what the statistics count stands in
-- real columns, written in the same transaction as the JSON document they
-- come from by the store function that writes it, so a count never has to
-- decode documents. Migration 0014's Go step fills them from the existing
-- documents (store.backfillStatisticsColumns).
--
-- The decision record's state and its reasonable-grounds and conclusive
-- decisions: the outcome, when it was taken and when it took effect (NULL
-- until then: a negative decision awaiting review). Instants are Unix
-- milliseconds in UTC. No index: statistics read a jurisdiction's cases
-- through cases_jurisdiction_status, and every case insert would pay for
-- one.
ALTER TABLE cases ADD COLUMN decision_state TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN rg_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN rg_decided_at BIGINT;
ALTER TABLE cases ADD COLUMN rg_effective_at BIGINT;
ALTER TABLE cases ADD COLUMN cg_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN cg_decided_at BIGINT;
ALTER TABLE cases ADD COLUMN cg_effective_at BIGINT;

-- An investigation's status (open, referred_to_prosecution,
-- closed_no_action, closed_prosecuted).
ALTER TABLE investigations ADD COLUMN status TEXT NOT NULL DEFAULT '';

-- An investigation's charges: the provision code (empty for a provision
-- outside the country's list), the offence category, the stage of the
-- charge's latest proceeding and the latest outcome recorded for it (empty
-- while none is). Rewritten with the
-- investigation's record. (Service types and states, and directory service
-- types and states, were columns already: service_referrals.service and
-- state, hsds_services.type and status.)
CREATE TABLE investigation_charges (
	investigation_id TEXT NOT NULL REFERENCES investigations(id),
	charge_id TEXT NOT NULL,
	case_id TEXT NOT NULL REFERENCES cases(id),
	provision TEXT NOT NULL,
	offence TEXT NOT NULL,
	stage TEXT NOT NULL,
	outcome TEXT NOT NULL,
	PRIMARY KEY (investigation_id, charge_id)
);
CREATE INDEX investigation_charges_case ON investigation_charges(case_id);
CREATE INDEX investigation_charges_offence ON investigation_charges(offence, provision);
