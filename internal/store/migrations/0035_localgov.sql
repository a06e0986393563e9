-- A local government's own anti-trafficking work (package localgov): its
-- profile, prevention records and partnership agreements, its action plan
-- with progress and reviews, the tasks overdue activities raise, its 3P
-- self-assessments, and CityShare (published and received policy
-- profiles, peer review). No row here refers to a case or a person: the
-- staff names of a training are sealed under the record's own data key.
-- What statistics count stands in real columns; the details are a
-- snake_case JSON document beside them.
CREATE TABLE localgov_profiles (
	agency_id TEXT PRIMARY KEY REFERENCES agencies(id),
	city TEXT NOT NULL,
	population BIGINT NOT NULL,
	record TEXT NOT NULL,
	wrapped_key BYTES,
	sealed BYTES,
	version BIGINT NOT NULL,
	updated_by TEXT NOT NULL REFERENCES users(id),
	updated_at BIGINT NOT NULL
);

-- Prevention records (campaign, training, programme, assessment) and
-- partnership agreements (partnership): kind, category (audience, sector
-- of the trainees, programme type, assessment type, partner type), dates,
-- the number reached or trained, the cost and, for agreements, the status.
CREATE TABLE localgov_records (
	id TEXT PRIMARY KEY,
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	kind TEXT NOT NULL,
	category TEXT NOT NULL,
	title TEXT NOT NULL,
	started_on TEXT NOT NULL,
	ended_on TEXT NOT NULL,
	reach BIGINT NOT NULL,
	cost BIGINT NOT NULL,
	status TEXT NOT NULL,
	record TEXT NOT NULL,
	wrapped_key BYTES,
	sealed BYTES,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX localgov_records_agency ON localgov_records(agency_id, kind, started_on);

-- Action-plan activities under an objective of one pillar; origin_* say
-- where an adopted peer practice came from.
CREATE TABLE localgov_plan_items (
	id TEXT PRIMARY KEY,
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	pillar TEXT NOT NULL,
	objective TEXT NOT NULL,
	title TEXT NOT NULL,
	owner TEXT NOT NULL,
	budget BIGINT NOT NULL,
	deadline TEXT NOT NULL,
	indicator TEXT NOT NULL,
	baseline BIGINT NOT NULL,
	target BIGINT NOT NULL,
	current_value BIGINT NOT NULL,
	status TEXT NOT NULL,
	recommendation TEXT NOT NULL,
	origin_city TEXT NOT NULL,
	origin_profile TEXT NOT NULL,
	origin_practice TEXT NOT NULL,
	version BIGINT NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX localgov_plan_items_agency ON localgov_plan_items(agency_id, status, deadline);

CREATE TABLE localgov_progress (
	id TEXT PRIMARY KEY,
	item_id TEXT NOT NULL REFERENCES localgov_plan_items(id),
	value BIGINT NOT NULL,
	evidence TEXT NOT NULL,
	recorded_on TEXT NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX localgov_progress_item ON localgov_progress(item_id, recorded_on);

CREATE TABLE localgov_reviews (
	id TEXT PRIMARY KEY,
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	reviewed_on TEXT NOT NULL,
	summary TEXT NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX localgov_reviews_agency ON localgov_reviews(agency_id, reviewed_on);

-- A task raised when an activity passes its deadline unfinished: one per
-- activity and deadline, done when the activity is.
CREATE TABLE localgov_tasks (
	id TEXT PRIMARY KEY,
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	item_id TEXT NOT NULL REFERENCES localgov_plan_items(id),
	kind TEXT NOT NULL,
	due_on TEXT NOT NULL,
	done_at BIGINT,
	created_at BIGINT NOT NULL,
	UNIQUE (item_id, kind, due_on)
);
CREATE INDEX localgov_tasks_agency ON localgov_tasks(agency_id, done_at);

-- 3P self-assessments (package threep): the answers as JSON, the pillar
-- scores (1–5) and the total (3–15) in columns, one or more per year.
CREATE TABLE threep_assessments (
	id TEXT PRIMARY KEY,
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	year INTEGER NOT NULL,
	answers TEXT NOT NULL,
	prevention INTEGER NOT NULL,
	protection INTEGER NOT NULL,
	prosecution INTEGER NOT NULL,
	total INTEGER NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX threep_assessments_agency ON threep_assessments(agency_id, year, created_at);

-- CityShare policy profiles: published by a local government of this
-- instance (agency_id set, unsigned: signed when exported) or received
-- from another instance (agency_id empty, with the signature and the
-- signer's public key as received).
CREATE TABLE cityshare_profiles (
	id TEXT PRIMARY KEY,
	agency_id TEXT NOT NULL,
	instance TEXT NOT NULL,
	city TEXT NOT NULL,
	document TEXT NOT NULL,
	signature TEXT NOT NULL,
	public_key TEXT NOT NULL,
	published_at BIGINT NOT NULL,
	received_at BIGINT NOT NULL
);
CREATE INDEX cityshare_profiles_city ON cityshare_profiles(instance, city, published_at);

CREATE TABLE cityshare_comments (
	id TEXT PRIMARY KEY,
	profile_id TEXT NOT NULL REFERENCES cityshare_profiles(id),
	practice TEXT NOT NULL,
	agency_id TEXT NOT NULL REFERENCES agencies(id),
	body TEXT NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX cityshare_comments_profile ON cityshare_comments(profile_id, created_at);
