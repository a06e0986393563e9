-- National referral mechanism casework after intake: the competent
-- authority's decision record and queue, protection and support, agencies
-- working together, tasks and e-mail alerts, prosecution and the service
-- directory. Codes and ids live in clear; every free text is a sealed note
-- with a data key of its own.

-- The decision record (package casework) is kept as JSON on the case row,
-- whose version guards every change to the row. queue_key orders the
-- authority's queue (casework.Priority.Key); it is NULL when nothing is
-- pending or the case is closed, so the queue index holds open work only.
ALTER TABLE cases ADD COLUMN decision TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN queue_key TEXT;
ALTER TABLE cases ADD COLUMN child INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN letter_language TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN assigned_user_id TEXT REFERENCES users(id);
ALTER TABLE cases ADD COLUMN closed_at BIGINT;
ALTER TABLE cases ADD COLUMN closure_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_queue ON cases(jurisdiction_id, queue_key);

-- Staff e-mail addresses, for alerts that carry a link and a code only.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- The person's early steps and information items, consent ledger and
-- assessments (package support), as JSON under one version.
CREATE TABLE case_support (
	case_id TEXT PRIMARY KEY REFERENCES cases(id),
	version BIGINT NOT NULL,
	checklist TEXT NOT NULL,
	consent TEXT NOT NULL,
	overrides TEXT NOT NULL,
	assessments TEXT NOT NULL,
	updated_at BIGINT NOT NULL
);

-- Referrals to services, with their history; the provider agency reads
-- its own list through the agency index.
CREATE TABLE service_referrals (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	service TEXT NOT NULL,
	location_id TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	history TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX service_referrals_case ON service_referrals(case_id, created_at);
CREATE INDEX service_referrals_agency ON service_referrals(agency_id, state, updated_at);

-- Support plan objectives (HTCDS spl_Type); the objective's words are a
-- sealed note.
CREATE TABLE support_goals (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	plan_type TEXT NOT NULL,
	target_date TEXT NOT NULL,
	status TEXT NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX support_goals_case ON support_goals(case_id, created_at);

-- Free text about a case: decision reasons, objectives, conference
-- decisions, task descriptions, override justifications. Each note has a
-- data key of its own.
CREATE TABLE case_notes (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	kind TEXT NOT NULL,
	object_id TEXT NOT NULL,
	wrapped_key BYTES NOT NULL,
	body BYTES NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id, created_at);

-- Transfers (ownership moves on acceptance) and referrals (the receiver
-- works on the case while the referral is accepted) between agencies.
CREATE TABLE handovers (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	kind TEXT NOT NULL,
	from_agency_id TEXT NOT NULL REFERENCES agencies(id),
	to_agency_id TEXT NOT NULL REFERENCES agencies(id),
	service TEXT NOT NULL,
	state TEXT NOT NULL,
	basis TEXT NOT NULL,
	reject_reason TEXT NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	decided_by TEXT,
	decided_at BIGINT,
	version BIGINT NOT NULL
);
CREATE INDEX handovers_case ON handovers(case_id, created_at);
CREATE INDEX handovers_to ON handovers(to_agency_id, state, created_at);

-- Multidisciplinary case conferences; their decisions are a sealed note,
-- their follow-up actions tasks.
CREATE TABLE conferences (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	held_on TEXT NOT NULL,
	sectors TEXT NOT NULL,
	agencies TEXT NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX conferences_case ON conferences(case_id, held_on);

CREATE TABLE tasks (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	owner_user_id TEXT NOT NULL REFERENCES users(id),
	kind TEXT NOT NULL,
	conference_id TEXT NOT NULL,
	due_at BIGINT NOT NULL,
	done_at BIGINT,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	version BIGINT NOT NULL
);
CREATE INDEX tasks_owner ON tasks(owner_user_id, done_at, due_at);
CREATE INDEX tasks_case ON tasks(case_id, due_at);

-- Investigations and proceedings (package prosecution), as JSON per
-- investigation under its own version.
CREATE TABLE investigations (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	record TEXT NOT NULL,
	version BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX investigations_case ON investigations(case_id, created_at);

-- Alerts to send by e-mail: a code, a user and a case id; the message is
-- composed when sent, in the user's language, and holds a link only.
CREATE TABLE email_outbox (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	kind TEXT NOT NULL,
	case_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	sent_at BIGINT,
	attempts INTEGER NOT NULL,
	last_error TEXT NOT NULL
);
CREATE INDEX email_outbox_pending ON email_outbox(sent_at, created_at);

-- The service directory, after Open Referral HSDS 3.0. A confidential
-- location's (a safe house's) address is sealed; its coarse area is not.
CREATE TABLE hsds_organizations (
	id TEXT PRIMARY KEY,
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	name TEXT NOT NULL,
	description TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE hsds_services (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL REFERENCES hsds_organizations(id),
	record TEXT NOT NULL,
	type TEXT NOT NULL,
	status TEXT NOT NULL,
	version BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX hsds_services_type ON hsds_services(type, status);
CREATE TABLE hsds_locations (
	id TEXT PRIMARY KEY,
	organization_id TEXT NOT NULL REFERENCES hsds_organizations(id),
	name TEXT NOT NULL,
	confidential INTEGER NOT NULL,
	area TEXT NOT NULL,
	wrapped_key BYTES NOT NULL,
	address BYTES NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE hsds_service_at_location (
	id TEXT PRIMARY KEY,
	service_id TEXT NOT NULL REFERENCES hsds_services(id),
	location_id TEXT NOT NULL REFERENCES hsds_locations(id)
);
CREATE INDEX hsds_sal_service ON hsds_service_at_location(service_id);
