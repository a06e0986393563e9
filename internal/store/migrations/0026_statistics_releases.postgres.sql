-- Statistics releases (issue 14); see 0026_statistics_releases.sql.
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
CREATE FUNCTION statistics_release_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.state = 'published' THEN
		RAISE EXCEPTION 'a published release is immutable';
	END IF;
	IF TG_OP = 'DELETE' THEN
		RETURN OLD;
	END IF;
	RETURN NEW;
END;
$$;
CREATE TRIGGER statistics_releases_frozen BEFORE UPDATE OR DELETE ON statistics_releases
	FOR EACH ROW EXECUTE FUNCTION statistics_release_frozen();
