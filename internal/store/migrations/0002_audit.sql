-- Tamper-evident audit log: every event holds the hash of the one before
-- it (internal/audit); checkpoints sign the head with the instance's
-- Ed25519 key. audit_head serialises appends: its row is locked by the
-- UPDATE of each appending transaction until that transaction ends.

CREATE TABLE audit_events (
	seq BIGINT PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	at BIGINT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	object_type TEXT NOT NULL,
	object_id TEXT NOT NULL,
	agency TEXT NOT NULL,
	reason TEXT NOT NULL,
	flags INTEGER NOT NULL,
	details TEXT NOT NULL,
	prev_hash BYTES NOT NULL,
	hash BYTES NOT NULL
);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id, seq);
CREATE INDEX audit_events_actor ON audit_events(actor, seq);
CREATE INDEX audit_events_at ON audit_events(at);
CREATE INDEX audit_events_agency ON audit_events(agency, flags, seq);

CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE audit_checkpoints (
	seq BIGINT PRIMARY KEY,
	hash BYTES NOT NULL,
	at BIGINT NOT NULL,
	key_id TEXT NOT NULL,
	signature BYTES NOT NULL
);
