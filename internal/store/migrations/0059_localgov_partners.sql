-- Partners invited to contribute to named activities of a local
-- government's action plan (issue 16): the invited user may record
-- progress and evidence on that activity only and sees nothing else of the
-- plan (access.ContributeToActivity). agency_id is the plan's agency.
CREATE TABLE localgov_partners (
	id TEXT PRIMARY KEY,
	item_id TEXT NOT NULL REFERENCES localgov_plan_items(id),
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	user_id TEXT NOT NULL REFERENCES users(id),
	invited_by TEXT NOT NULL REFERENCES users(id),
	invited_at BIGINT NOT NULL,
	UNIQUE (item_id, user_id)
);
CREATE INDEX localgov_partners_user ON localgov_partners(user_id, item_id);
