-- Break-glass grants: a user who opens a record outside their scope must
-- give a reason; the grant is short-lived, audited and reported to the
-- record's agency. The free-text justification is sealed like any other
-- personal data.
CREATE TABLE break_glass_grants (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	case_id TEXT NOT NULL REFERENCES cases(id),
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	reason TEXT NOT NULL,
	wrapped_key BYTES NOT NULL,
	justification BYTES NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX break_glass_user_case ON break_glass_grants(user_id, case_id, expires_at);
CREATE INDEX break_glass_agency ON break_glass_grants(agency_id, created_at);
