-- 0006 — env-level rollups keep every engine instance's share.
--
-- Env-level figures (env windows, promotion and gate windows, MTTR snapshots)
-- are computed by each `driftwatch run` instance over the partitions it owns;
-- with several instances in one group each writes its share of the same
-- (env, window). Keyed by (env, window_start) only, ReplacingMergeTree kept
-- one instance's row and dropped the others' in merges: counts and sums went
-- silently short. With `instance_id` (DRIFTWATCH_INSTANCE_ID; '' for replay
-- and the demo) in the sorting key every share stays, and the queries that
-- sum over rows — every dashboard panel on these tables does — are exact
-- again. A replay or a restart still replaces its own rows (same instance,
-- same window). Quantile columns and MTTR snapshots stay per instance: their
-- shares do not add up (README: Known limits).
--
-- The column has no DEFAULT clause on purpose: ClickHouse refuses to put a
-- newly added column with a default expression into the sorting key; a
-- String column without one defaults to '' all the same. Re-running the
-- file is a no-op (IF NOT EXISTS, and the same sorting key again).

ALTER TABLE driftwatch.env_windows
    ADD COLUMN IF NOT EXISTS instance_id LowCardinality(String) AFTER env,
    MODIFY ORDER BY (env, window_start, instance_id);

ALTER TABLE driftwatch.promotion_windows
    ADD COLUMN IF NOT EXISTS instance_id LowCardinality(String) AFTER env,
    MODIFY ORDER BY (env, window_start, instance_id);

ALTER TABLE driftwatch.gate_windows
    ADD COLUMN IF NOT EXISTS instance_id LowCardinality(String) AFTER gate,
    MODIFY ORDER BY (env, gate, window_start, instance_id);

ALTER TABLE driftwatch.mttr_snapshots
    ADD COLUMN IF NOT EXISTS instance_id LowCardinality(String) AFTER scope,
    MODIFY ORDER BY (scope, window, as_of, instance_id);
