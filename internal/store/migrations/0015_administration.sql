-- Administration (issue 12): jurisdictions and agencies become data an
-- administrator keeps, not rows only the demo generator writes.
--
-- A jurisdiction is a country or a unit inside one (parent_id names the
-- unit it belongs to, '' for a country). calendar names the working-day
-- calendar its deadlines count in ('' : the country's own); legal_profile
-- names the decision configuration (casework.Countries) whose rules apply
-- ('' : the country's own). The decision settings override the profile's
-- when set: rg_working_days and recovery_min_days 0 mean "the profile's";
-- negative_rg_review is -1 for "the profile's", else 0 or 1. languages is
-- a comma-separated list of BCP 47 tags the jurisdiction works in.
ALTER TABLE jurisdictions ADD COLUMN parent_id TEXT NOT NULL DEFAULT '';
ALTER TABLE jurisdictions ADD COLUMN calendar TEXT NOT NULL DEFAULT '';
ALTER TABLE jurisdictions ADD COLUMN legal_profile TEXT NOT NULL DEFAULT '';
ALTER TABLE jurisdictions ADD COLUMN languages TEXT NOT NULL DEFAULT '';
ALTER TABLE jurisdictions ADD COLUMN rg_working_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jurisdictions ADD COLUMN recovery_min_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jurisdictions ADD COLUMN negative_rg_review INTEGER NOT NULL DEFAULT -1;
ALTER TABLE jurisdictions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jurisdictions ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

-- An agency's name in other languages (a JSON object, language tag to
-- name; the name column stays the name in the jurisdiction's first
-- language), its designations in the referral mechanism (comma-separated
-- codes: competent_authority, child_protection, police, prosecution,
-- shelter, labour_inspection …), the office's public contact (an
-- organisation's switchboard or mailbox, never a person's), and whether it
-- still takes part (an agency is deactivated, never deleted: cases and
-- audit events name it).
ALTER TABLE agencies ADD COLUMN names TEXT NOT NULL DEFAULT '{}';
ALTER TABLE agencies ADD COLUMN designations TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agencies ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agencies ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
