-- Accounts: second factors (TOTP), recovery codes, sign-in throttling, API
-- tokens, and what a session has proved.

-- auth_at: when the session last proved the password (and the second
-- factor, when the user has one); sensitive actions ask again after a few
-- minutes. stage: '' for a complete session, 'mfa' while the second factor
-- is awaited, 'enrol' while a required second factor is being set up. mfa:
-- 1 when a second factor was verified for this session.
ALTER TABLE sessions ADD COLUMN auth_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN mfa INTEGER NOT NULL DEFAULT 0;

-- One TOTP authenticator per user. The secret is sealed (internal/seal)
-- under the user's own data key, itself wrapped by the instance master key:
-- record id = user id, field = totp_secret. last_step is the last accepted
-- RFC 6238 time step, so a code is accepted once.
CREATE TABLE user_mfa (
	user_id TEXT PRIMARY KEY REFERENCES users(id),
	wrapped_key BYTES NOT NULL,
	totp_secret BYTES NOT NULL,
	confirmed INTEGER NOT NULL DEFAULT 0,
	last_step BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	confirmed_at BIGINT NOT NULL DEFAULT 0
);

-- Single-use recovery codes; only a SHA-256 of each (120-bit) code is kept.
CREATE TABLE recovery_codes (
	user_id TEXT NOT NULL REFERENCES users(id),
	code_hash BYTES NOT NULL,
	created_at BIGINT NOT NULL,
	used_at BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, code_hash)
);

-- Failed sign-in counters per account name and per client address, shared
-- by every replica. key is a keyed hash: neither names nor addresses are
-- kept in clear.
CREATE TABLE auth_throttle (
	key BYTES PRIMARY KEY,
	failures INTEGER NOT NULL,
	last_failure BIGINT NOT NULL,
	locked_until BIGINT NOT NULL
);
CREATE INDEX auth_throttle_last ON auth_throttle(last_failure);

-- Personal API tokens for the JSON API. Only the SHA-256 of a token is
-- stored; the token acts with its owner's rights.
CREATE TABLE api_tokens (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	name TEXT NOT NULL,
	token_hash BYTES NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	last_used_at BIGINT NOT NULL DEFAULT 0,
	revoked_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user ON api_tokens(user_id, created_at);
