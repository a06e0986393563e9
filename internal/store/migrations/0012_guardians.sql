-- A child's guardian, appointed as soon as the child is identified
-- (package casework, guardian.go): which agency appointed them and on
-- which day, in clear; the guardian's name and contact are sealed notes
-- (kinds guardian_name and guardian_contact) about the appointment.
CREATE TABLE case_guardians (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	appointed_on TEXT NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX case_guardians_case ON case_guardians(case_id, created_at);
