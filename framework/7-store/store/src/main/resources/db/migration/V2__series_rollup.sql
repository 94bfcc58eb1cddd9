-- Schema 2: the flakiness statistics' per-series rollup, kept by RunImporter in the transaction that adds the results,
-- so statistics read one row per series instead of every result (dev.kval.store.SeriesRollup). A series is a test on
-- one kernel row and one host class; INFRA-attributed results count nowhere, SKIPs apart from runs (triage's Outcome).
-- Filled from the results already stored by Store.open right after this migration (SeriesRollup.rebuild).
CREATE TABLE series_rollup (
  test_id VARCHAR(512) NOT NULL,
  kernel_id BIGINT NOT NULL REFERENCES kernel(id),
  host_class VARCHAR(128) NOT NULL,
  suite VARCHAR(64) NOT NULL,              -- of the series' first stored result
  runs BIGINT NOT NULL,                    -- counted runs: PASS XFAIL FAIL ERROR TIMEOUT MISSING
  failures BIGINT NOT NULL,                -- FAIL ERROR TIMEOUT MISSING
  skips BIGINT NOT NULL,
  flips BIGINT NOT NULL,                   -- outcome changes between consecutive counted runs (started_at, then id)
  first_seen TIMESTAMP NOT NULL,           -- over counted runs and skips
  last_seen TIMESTAMP NOT NULL,
  last_outcome VARCHAR(4),                 -- PASS | FAIL of the newest counted run (null: skips only)
  last_at TIMESTAMP,                       -- its started_at ...
  last_result_id BIGINT,                   -- ... and id: a later import continues the flips from here
  PRIMARY KEY (test_id, kernel_id, host_class));
-- One row, locked (SELECT ... FOR UPDATE) by every rollup update until its transaction ends: two imports that add the
-- same new series at once (two hosts of one class on one kernel) are serialized instead of one failing on the key.
CREATE TABLE series_rollup_lock (id INT PRIMARY KEY);
INSERT INTO series_rollup_lock (id) VALUES (1);
