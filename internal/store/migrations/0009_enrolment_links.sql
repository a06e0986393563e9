-- One-time enrolment links: a second factor is set up only through one.
-- `haven user add` and `haven user reset-mfa` issue a link; it reaches the
-- person out of band (e-mail, or the administrator hands it over). Only the
-- SHA-256 of the link's 256-bit token is kept. A link is redeemed once
-- (used_at), expires (expires_at), and issuing a new one ends the user's
-- earlier unused links.
CREATE TABLE enrol_links (
	token_hash BYTES PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX enrol_links_user ON enrol_links(user_id, used_at);

-- Sessions waiting to set up a second factor were opened by a password
-- alone before links existed: they end, and set-up starts from a link.
DELETE FROM sessions WHERE stage = 'enrol';
