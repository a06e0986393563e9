-- Passkeys (WebAuthn credentials), issue 17. A user may register several;
-- each is a second factor, and, for the roles that allow it, a sign-in
-- without a password. credential holds the library's record of the
-- credential as JSON (public key, flags, authenticator data); sign_count is
-- the authenticator's signature counter, which must only grow: an
-- assertion that does not raise it is refused as a possible clone.
CREATE TABLE passkeys (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	credential_id BYTES NOT NULL UNIQUE,
	name TEXT NOT NULL,
	credential TEXT NOT NULL,
	sign_count BIGINT NOT NULL,
	user_verified INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX passkeys_user ON passkeys(user_id);

-- passkey_challenges: a WebAuthn ceremony in flight, keyed by a hash of
-- the session it belongs to (registration, second factor) or of a random
-- handle in a cookie (sign-in without a password). Spent by its first use;
-- expires.
CREATE TABLE passkey_challenges (
	key_hash BYTES PRIMARY KEY,
	kind TEXT NOT NULL,
	user_id TEXT NOT NULL DEFAULT '',
	session_data TEXT NOT NULL,
	expires_at BIGINT NOT NULL
);
