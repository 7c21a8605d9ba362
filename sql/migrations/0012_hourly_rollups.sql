-- 0012 — hourly rollups for the dashboards' trend panels.
--
-- "Drifted keys by environment" scanned drift_windows FINAL (a row per key
-- and 5-minute window) and "Gate failure rate by gate" gate_windows FINAL,
-- whatever the range: a 30-day trend read every window row of the month.
-- These AggregatingMergeTree tables hold one row per (env, hour) and
-- (env, gate, hour), fed by materialized views as the rows are inserted;
-- readers finish with -Merge (sql/README.md, Hourly rollups).
--
-- Exact whatever is inserted twice: a materialized view sees every inserted
-- row, not the merged table, so a replay into the same store, a batch
-- retried after a crash or a window re-written after a restart feeds it
-- again. Both sources are rows the engine writes once per window and
-- instance (no lifecycle versions, unlike incidents or promotion_outcomes),
-- and each state absorbs a repeat of such a row instead of adding it again
-- (no sumState, no quantile states: 0005's quantiles weigh a repeat twice):
--
-- * drift_keys_hourly, from drift_windows: uniqExact sets of the env's
--   artifacts with a window starting in the hour (keys) and of those with a
--   divergent source in it (drifted_keys). uniqExactMerge over hours is the
--   number of distinct keys in the whole range, as uniqExactIf(artifact, …)
--   over the windows was.
-- * gate_runs_hourly, from gate_windows: passed / failed runs of each
--   window, as a maxMap keyed by the window (cityHash64(window_start,
--   instance_id)): a repeated row sets its window's count again, the max of
--   equal values; readers sum the values, arraySum(maxMapMerge(passed).2).
--   The state holds a count per window of the hour (12 per instance), the
--   rows one per hour instead of one per window, and no FINAL is needed.
--
-- hour is the UTC hour (DateTime('UTC')). LowCardinality for env and gate.
-- ingested_at is the latest insert of the row's facts, so the TTL counts, as
-- for the other tables, from the later of event time and ingestion (a replay
-- of old history is not deleted on load); two years, as the windows they
-- replace in the panels. Each view is followed by the back-fill of the
-- windows already stored — the same SELECT over the whole table; a window
-- the view fed meanwhile, or a re-run of the file after an interruption,
-- feeds the same states again, which changes nothing (above). Re-running the
-- file creates nothing new (IF NOT EXISTS).

CREATE TABLE IF NOT EXISTS driftwatch.drift_keys_hourly
(
    hour               DateTime('UTC') COMMENT 'UTC hour of the windows'' window_start',
    env                LowCardinality(String),
    keys               AggregateFunction(uniqExact, String) COMMENT 'artifacts with a drift window in the hour: read uniqExactMerge(keys)',
    drifted_keys       AggregateFunction(uniqExact, String) COMMENT 'artifacts with a divergent source in a window of the hour: read uniqExactMerge(drifted_keys)',
    ingested_at        SimpleAggregateFunction(max, DateTime64(3, 'UTC')) COMMENT 'latest insert of the windows (wall clock), for the TTL'
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (env, hour)
TTL greatest(toDateTime(hour), toDateTime(ingested_at)) + INTERVAL 2 YEAR DELETE;

CREATE MATERIALIZED VIEW IF NOT EXISTS driftwatch.drift_keys_hourly_mv
TO driftwatch.drift_keys_hourly
AS SELECT
    toStartOfHour(window_start) AS hour,
    env,
    uniqExactState(artifact) AS keys,
    uniqExactStateIf(artifact, divergent_sources > 0) AS drifted_keys,
    max(ingested_at) AS ingested_at
FROM driftwatch.drift_windows
GROUP BY hour, env;

-- Back-fill: the view's SELECT, repeated (ClickHouse cannot run a view's query by name).
INSERT INTO driftwatch.drift_keys_hourly
SELECT
    toStartOfHour(window_start) AS hour,
    env,
    uniqExactState(artifact) AS keys,
    uniqExactStateIf(artifact, divergent_sources > 0) AS drifted_keys,
    max(ingested_at) AS ingested_at
FROM driftwatch.drift_windows
GROUP BY hour, env;

CREATE TABLE IF NOT EXISTS driftwatch.gate_runs_hourly
(
    hour               DateTime('UTC') COMMENT 'UTC hour of the windows'' window_start',
    env                LowCardinality(String),
    gate               LowCardinality(String),
    passed             AggregateFunction(maxMap, Array(UInt64), Array(UInt32)) COMMENT 'passed runs per window (key: the window and instance): read arraySum(maxMapMerge(passed).2)',
    failed             AggregateFunction(maxMap, Array(UInt64), Array(UInt32)) COMMENT 'failed runs per window (key: the window and instance): read arraySum(maxMapMerge(failed).2)',
    ingested_at        SimpleAggregateFunction(max, DateTime64(3, 'UTC')) COMMENT 'latest insert of the windows (wall clock), for the TTL'
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (env, gate, hour)
TTL greatest(toDateTime(hour), toDateTime(ingested_at)) + INTERVAL 2 YEAR DELETE;

CREATE MATERIALIZED VIEW IF NOT EXISTS driftwatch.gate_runs_hourly_mv
TO driftwatch.gate_runs_hourly
AS SELECT
    toStartOfHour(window_start) AS hour,
    env,
    gate,
    maxMapState([cityHash64(window_start, instance_id)], [passed]) AS passed,
    maxMapState([cityHash64(window_start, instance_id)], [failed]) AS failed,
    max(ingested_at) AS ingested_at
FROM driftwatch.gate_windows
GROUP BY hour, env, gate;

-- Back-fill: the view's SELECT, repeated.
INSERT INTO driftwatch.gate_runs_hourly
SELECT
    toStartOfHour(window_start) AS hour,
    env,
    gate,
    maxMapState([cityHash64(window_start, instance_id)], [passed]) AS passed,
    maxMapState([cityHash64(window_start, instance_id)], [failed]) AS failed,
    max(ingested_at) AS ingested_at
FROM driftwatch.gate_windows
GROUP BY hour, env, gate;
