-- Record keys for consistent cell-key perturbation (issue 14); see
-- 0025_statistics_keys.sql. A volatile default fills every existing row
-- with its own random key and gives each new case one.
ALTER TABLE cases ADD COLUMN stat_key BIGINT NOT NULL DEFAULT (1 + floor(random() * 4294967295))::BIGINT;
