-- Record keys for consistent cell-key perturbation (issue 14): every case
-- gets a random key in 1…2^32-1 at insert; a statistics cell's key is the
-- sum of its cases' keys, computed by the same GROUP BY that counts them.
-- The key says nothing about the person (it is random) and is never shown.
-- SQLite cannot give an added column a random default, so a trigger sets
-- it after each insert; PostgreSQL uses a volatile default
-- (0025_statistics_keys.postgres.sql).
ALTER TABLE cases ADD COLUMN stat_key BIGINT NOT NULL DEFAULT 0;
UPDATE cases SET stat_key = 1 + abs(random() % 4294967295);
CREATE TRIGGER cases_stat_key AFTER INSERT ON cases WHEN NEW.stat_key = 0
BEGIN
	UPDATE cases SET stat_key = 1 + abs(random() % 4294967295) WHERE id = NEW.id;
END;
