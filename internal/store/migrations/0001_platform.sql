-- Platform: instance settings, jurisdictions, agencies, users, sessions and
-- the coded part of cases. Identifying data never lives in clear in these
-- tables; later migrations add sealed columns.

CREATE TABLE instance_settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE jurisdictions (
	id TEXT PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	country TEXT NOT NULL,
	name TEXT NOT NULL,
	timezone TEXT NOT NULL,
	synthetic INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);

CREATE TABLE agencies (
	id TEXT PRIMARY KEY,
	jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions(id),
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	synthetic INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE INDEX agencies_jurisdiction ON agencies(jurisdiction_id, kind);

CREATE TABLE users (
	id TEXT PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	role TEXT NOT NULL,
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	language TEXT NOT NULL DEFAULT '',
	disabled INTEGER NOT NULL DEFAULT 0,
	synthetic INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX users_agency ON users(agency_id);

-- Sessions live in the database so that any replica serves any request.
-- Only the SHA-256 of the session id is stored.
CREATE TABLE sessions (
	token_hash BYTES PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- The coded, non-identifying part of a case (HTCDS 2.0 codes).
CREATE TABLE cases (
	id TEXT PRIMARY KEY,
	reference TEXT NOT NULL UNIQUE,
	jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions(id),
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	status TEXT NOT NULL,
	trafficking_status TEXT NOT NULL,
	gender TEXT NOT NULL,
	age_band TEXT NOT NULL,
	citizenship TEXT NOT NULL,
	exploitation TEXT NOT NULL,
	urgent INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL DEFAULT 1,
	synthetic INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX cases_agency ON cases(agency_id, created_at);
CREATE INDEX cases_jurisdiction_status ON cases(jurisdiction_id, status, urgent, created_at);
