-- Statistics read the coded columns of every case in scope. A covering
-- index holds exactly those columns, so a table's GROUP BY and a release's
-- single pass read the narrow index instead of the wide case rows (which
-- carry the decision record), and the referral's sector is found from the
-- case id without touching the referral row.
CREATE INDEX IF NOT EXISTS cases_statistics ON cases(jurisdiction_id, created_at, gender, age_band, citizenship, exploitation, status, decision_state, agency_id, stat_key, id);
CREATE INDEX IF NOT EXISTS referrals_case_sector ON referrals(case_id, sector);
