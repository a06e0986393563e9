-- Calendars of public holidays as data (issue 12). Each import or edit of
-- a jurisdiction's holidays makes a new version; versions are never
-- changed, so a deadline counted with one keeps it (the decision record
-- names the version it started with). years is the comma-separated list
-- of years the holidays are complete for; verified says whether a
-- responsible person checked them against the official gazette.
CREATE TABLE calendar_versions (
	id TEXT PRIMARY KEY,
	jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions(id),
	version INTEGER NOT NULL,
	years TEXT NOT NULL,
	source TEXT NOT NULL,
	verified INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	UNIQUE (jurisdiction_id, version)
);

CREATE TABLE calendar_holidays (
	version_id TEXT NOT NULL REFERENCES calendar_versions(id),
	day TEXT NOT NULL,
	name TEXT NOT NULL,
	PRIMARY KEY (version_id, day)
);
