-- Statistics releases (issue 14). An analyst drafts a release (its tables,
-- period, jurisdiction and method); a second person approves it, and in the
-- same transaction its numbers are computed, frozen into content, hashed
-- and signed with the instance's key, and it is published. A published
-- release never changes: the trigger below refuses any update or delete of
-- a published row (corrections are new releases). epsilon_micro is the
-- differential-privacy budget spent, in millionths (0 for suppression).
CREATE TABLE statistics_releases (
	id TEXT PRIMARY KEY,
	title TEXT NOT NULL,
	jurisdiction_id TEXT NOT NULL,
	period TEXT NOT NULL,
	first_year INTEGER NOT NULL,
	last_year INTEGER NOT NULL,
	tables TEXT NOT NULL,
	method TEXT NOT NULL,
	epsilon_micro BIGINT NOT NULL,
	state TEXT NOT NULL,
	drafted_by TEXT NOT NULL REFERENCES users(id),
	drafted_at BIGINT NOT NULL,
	approved_by TEXT REFERENCES users(id),
	published_at BIGINT,
	content TEXT NOT NULL,
	digest TEXT NOT NULL,
	signature TEXT NOT NULL,
	public_key TEXT NOT NULL
);
CREATE INDEX statistics_releases_state ON statistics_releases(state, published_at);
CREATE TRIGGER statistics_releases_frozen BEFORE UPDATE ON statistics_releases WHEN OLD.state = 'published'
BEGIN
	SELECT RAISE(ABORT, 'a published release is immutable');
END;
CREATE TRIGGER statistics_releases_kept BEFORE DELETE ON statistics_releases WHEN OLD.state = 'published'
BEGIN
	SELECT RAISE(ABORT, 'a published release is immutable');
END;
