-- The Transnational Referral Mechanism (issue 15, docs/TRM.md).
--
-- federation_peers: the other Haven instances this one exchanges cases
-- with, each added by a system administrator after comparing the key
-- fingerprint out of band. Public keys only; retired_keys is a JSON object
-- of key id to hex Ed25519 key for keys the peer rotated away from.
-- agreement is the peering agreement (package trm: purposes, SOPs, data
-- categories, focal points) as JSON.
CREATE TABLE federation_peers (
	id TEXT PRIMARY KEY,
	base_url TEXT NOT NULL,
	country TEXT NOT NULL,
	name TEXT NOT NULL,
	contact TEXT NOT NULL,
	key_id TEXT NOT NULL,
	sign_key BYTES NOT NULL,
	kem_key BYTES NOT NULL,
	retired_keys TEXT NOT NULL,
	status TEXT NOT NULL,
	agreement TEXT NOT NULL,
	added_by TEXT NOT NULL,
	added_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	version BIGINT NOT NULL
);

-- federation_outbox: envelopes waiting for the peer's signed receipt. The
-- payload is sealed at rest under the keyring (wrapped_key, payload); the
-- envelope is sealed to the peer afresh at each attempt with the row's id,
-- so the peer sees one id however often it is retried.
CREATE TABLE federation_outbox (
	id TEXT PRIMARY KEY,
	peer_id TEXT NOT NULL REFERENCES federation_peers(id),
	kind TEXT NOT NULL,
	transfer_id TEXT NOT NULL,
	wrapped_key BYTES,
	payload BYTES,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	next_at BIGINT NOT NULL,
	last_error TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	delivered_at BIGINT,
	receipt BYTES
);
CREATE INDEX federation_outbox_due ON federation_outbox(state, next_at);

-- federation_inbox: every envelope accepted from a peer, by id, with the
-- receipt returned for it: a repeated id is answered with the same receipt
-- and processed no second time.
CREATE TABLE federation_inbox (
	peer_id TEXT NOT NULL REFERENCES federation_peers(id),
	id TEXT NOT NULL,
	kind TEXT NOT NULL,
	received_at BIGINT NOT NULL,
	receipt BYTES NOT NULL,
	PRIMARY KEY (peer_id, id)
);

-- trm_transfers: a case sent to a peer (direction out) or received from
-- one (in). An incoming package's fields are sealed at rest until it is
-- accepted (a case opens here, case_id) or declined, and erased on a
-- deletion request. remote_id is the transfer's id at the other side.
CREATE TABLE trm_transfers (
	id TEXT PRIMARY KEY,
	direction TEXT NOT NULL,
	peer_id TEXT NOT NULL REFERENCES federation_peers(id),
	remote_id TEXT NOT NULL,
	case_id TEXT,
	purpose TEXT NOT NULL,
	child INTEGER NOT NULL,
	status TEXT NOT NULL,
	reason TEXT NOT NULL,
	wrapped_key BYTES,
	package BYTES,
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	version BIGINT NOT NULL
);
CREATE UNIQUE INDEX trm_transfers_remote ON trm_transfers(peer_id, direction, remote_id);
CREATE INDEX trm_transfers_case ON trm_transfers(case_id);
CREATE INDEX trm_transfers_status ON trm_transfers(direction, status, created_at);

-- trm_status_events: the coded events of a transfer, at either side:
-- codes, the country that reported them and when; never notes.
CREATE TABLE trm_status_events (
	id TEXT PRIMARY KEY,
	transfer_id TEXT NOT NULL REFERENCES trm_transfers(id),
	status TEXT NOT NULL,
	country TEXT NOT NULL,
	at BIGINT NOT NULL
);
CREATE INDEX trm_status_events_transfer ON trm_status_events(transfer_id, at);

-- trm_consents: the person's (or a child's guardian's) consent to a
-- transfer for a purpose to a country, and its withdrawal; and the
-- best-interests determination of a child (purpose best_interests).
CREATE TABLE trm_consents (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	purpose TEXT NOT NULL,
	country TEXT NOT NULL,
	given INTEGER NOT NULL,
	by_guardian INTEGER NOT NULL,
	at BIGINT NOT NULL,
	recorded_by TEXT NOT NULL
);
CREATE INDEX trm_consents_case ON trm_consents(case_id, at);

-- trm_sop_steps: the SOP checklist steps recorded on a case, with who,
-- when and which country.
CREATE TABLE trm_sop_steps (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	sop TEXT NOT NULL,
	step TEXT NOT NULL,
	country TEXT NOT NULL,
	recorded_by TEXT NOT NULL,
	at BIGINT NOT NULL
);
CREATE UNIQUE INDEX trm_sop_steps_once ON trm_sop_steps(case_id, sop, step);
