-- Drafts of referrals: the form as its author left it, so that nothing is
-- lost when a session ends mid-interview. One draft per author; the form's
-- values are sealed under the draft's own data key (wrapped_key, bound to
-- the author's id), never stored in clear. A draft ends when its referral
-- is sent, when its author discards it, or at expires_at, whichever comes
-- first; expired drafts are deleted at the next save of any draft.
CREATE TABLE referral_drafts (
	user_id TEXT PRIMARY KEY REFERENCES users(id),
	wrapped_key BYTES NOT NULL,
	form BYTES NOT NULL,
	saved_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX referral_drafts_expiry ON referral_drafts(expires_at);
