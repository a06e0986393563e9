-- Referral intake: persons with sealed identifying fields and keyed blind
-- indexes, referrals and anonymous notifications with coded facts only,
-- and notifications to agencies.

CREATE TABLE persons (
	id TEXT PRIMARY KEY,
	-- The per-person data key, wrapped by the master key. NULL once the
	-- person's identifying data has been erased.
	wrapped_key BYTES,
	given_name BYTES,
	family_name BYTES,
	birth_date BYTES,
	document_number BYTES,
	phone BYTES,
	address BYTES,
	narrative BYTES,
	gender TEXT NOT NULL,
	age_band TEXT NOT NULL,
	citizenship TEXT NOT NULL,
	languages TEXT NOT NULL,
	child INTEGER NOT NULL,
	erased_at BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

-- HMAC tokens of normalised names, birth dates and document numbers, for
-- exact and normalised search without decrypting.
CREATE TABLE person_tokens (
	person_id TEXT NOT NULL REFERENCES persons(id),
	kind TEXT NOT NULL,
	token BYTES NOT NULL,
	PRIMARY KEY (person_id, kind, token)
);
CREATE INDEX person_tokens_lookup ON person_tokens(kind, token);

ALTER TABLE cases ADD COLUMN person_id TEXT REFERENCES persons(id);
CREATE INDEX cases_person ON cases(person_id);

CREATE TABLE referrals (
	id TEXT PRIMARY KEY,
	reference TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL,
	case_id TEXT REFERENCES cases(id),
	jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions(id),
	receiving_agency_id TEXT NOT NULL REFERENCES agencies(id),
	referring_agency_id TEXT NOT NULL REFERENCES agencies(id),
	referring_user_id TEXT NOT NULL REFERENCES users(id),
	sector TEXT NOT NULL,
	consent TEXT NOT NULL,
	consent_language TEXT NOT NULL,
	child INTEGER NOT NULL,
	urgent INTEGER NOT NULL,
	needs TEXT NOT NULL,
	classification TEXT NOT NULL,
	protocol_verdict TEXT NOT NULL,
	indicators_verdict TEXT NOT NULL,
	facts TEXT NOT NULL,
	status TEXT NOT NULL,
	idempotency_key TEXT,
	created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX referrals_idempotency ON referrals(referring_user_id, idempotency_key);
CREATE INDEX referrals_receiving ON referrals(receiving_agency_id, status, urgent, created_at);
CREATE INDEX referrals_referring ON referrals(referring_agency_id, created_at);

CREATE TABLE notifications (
	id TEXT PRIMARY KEY,
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	kind TEXT NOT NULL,
	object_type TEXT NOT NULL,
	object_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	read_at BIGINT
);
CREATE INDEX notifications_agency ON notifications(agency_id, read_at, created_at);
