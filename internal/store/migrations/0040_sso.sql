-- Single sign-on with OpenID Connect (issue 17).
--
-- sso_providers: one identity provider of a jurisdiction (agency_id empty)
-- or of one agency. The client secret is never stored: secret_env names an
-- environment variable, or secret_file a file in <data>/sso/, that holds
-- it. mapping is a JSON list of rules from the provider's claims to an
-- agency and a role (sso.Mapping); mfa_values lists the amr or acr values
-- that count as a second factor (empty: Haven asks for its own).
CREATE TABLE sso_providers (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions(id),
	agency_id TEXT NOT NULL DEFAULT '',
	issuer TEXT NOT NULL,
	client_id TEXT NOT NULL,
	secret_env TEXT NOT NULL DEFAULT '',
	secret_file TEXT NOT NULL DEFAULT '',
	scopes TEXT NOT NULL,
	mapping TEXT NOT NULL,
	mfa_values TEXT NOT NULL DEFAULT '',
	provision INTEGER NOT NULL DEFAULT 0,
	enabled INTEGER NOT NULL DEFAULT 1,
	version BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

-- sso_flows: an authorization request in flight. Only hashes of the state
-- and of the browser-binding cookie are kept; the nonce and the PKCE
-- verifier are random per flow. A flow is spent once (deleted as it is
-- used) and expires.
CREATE TABLE sso_flows (
	state_hash BYTES PRIMARY KEY,
	provider_id TEXT NOT NULL REFERENCES sso_providers(id),
	browser_hash BYTES NOT NULL,
	nonce TEXT NOT NULL,
	verifier TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX sso_flows_expiry ON sso_flows(expires_at);

-- sso_identities: which Haven account a provider's subject is. An account
-- is linked when it is provisioned from the mapping; Haven never links by
-- e-mail address or user name, which another provider could assert.
CREATE TABLE sso_identities (
	provider_id TEXT NOT NULL REFERENCES sso_providers(id),
	subject_hash BYTES NOT NULL,
	user_id TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	last_at BIGINT NOT NULL,
	PRIMARY KEY (provider_id, subject_hash)
);
CREATE INDEX sso_identities_user ON sso_identities(user_id);
