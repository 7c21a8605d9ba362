-- 0005 — daily drift-detection rollup: the AggregatingMergeTree pattern.
--
-- Materialized views push every row inserted into driftwatch.incidents
-- through a SELECT and append partial aggregation *states* to the target
-- table; AggregatingMergeTree merges the states of one (env, kind, day) key in
-- the background, and readers finish the job with -Merge functions:
--
--   SELECT day, env, kind,
--          uniqExactMerge(opened)          AS opened,
--          uniqExactMerge(resolved)        AS resolved,
--          quantilesMerge(0.5, 0.9)(detection_ms) AS detection_p50_p90_ms,
--          maxMerge(detection_ms_max)      AS detection_max_ms,
--          quantilesMerge(0.5, 0.9)(recovery_ms)  AS recovery_p50_p90_ms
--   FROM driftwatch.drift_detection_daily
--   GROUP BY day, env, kind ORDER BY day, env, kind;
--
-- A dashboard over years of incidents then reads a few rows per day instead
-- of scanning the incident history.
--
-- Why these functions: a materialized view sees inserted rows, not merged
-- ones, so a replay (or a retried batch) feeds it the same incident again.
-- Counts therefore use uniqExact(incident_id) and the extreme uses max —
-- both unchanged by duplicates. Quantiles of a replay that duplicates every
-- incident are unchanged too; a partial re-insert can skew them slightly
-- (acceptable for a trend panel; exact values come from incidents FINAL).
--
-- Two views feed one table: 'opened' rows (detection time = detected_at −
-- started_at, bucketed by detection day) and 'resolved' rows (recovery time =
-- resolved_at − started_at, bucketed by resolution day). Columns a view does
-- not produce get an empty state, which merges as a no-op.

CREATE TABLE IF NOT EXISTS driftwatch.drift_detection_daily
(
    day                Date,
    env                LowCardinality(String),
    kind               LowCardinality(String),
    opened             AggregateFunction(uniqExact, String),
    resolved           AggregateFunction(uniqExact, String),
    detection_ms       AggregateFunction(quantiles(0.5, 0.9), Int64),
    detection_ms_max   AggregateFunction(max, Int64),
    recovery_ms        AggregateFunction(quantiles(0.5, 0.9), Int64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (env, kind, day)
TTL day + INTERVAL 5 YEAR DELETE;

CREATE MATERIALIZED VIEW IF NOT EXISTS driftwatch.drift_detection_daily_opened_mv
TO driftwatch.drift_detection_daily
AS SELECT
    toDate(detected_at) AS day,
    env,
    kind,
    uniqExactState(incident_id) AS opened,
    quantilesState(0.5, 0.9)(toUnixTimestamp64Milli(detected_at) - toUnixTimestamp64Milli(started_at)) AS detection_ms,
    maxState(toUnixTimestamp64Milli(detected_at) - toUnixTimestamp64Milli(started_at)) AS detection_ms_max
FROM driftwatch.incidents
WHERE change = 'opened'
GROUP BY day, env, kind;

CREATE MATERIALIZED VIEW IF NOT EXISTS driftwatch.drift_detection_daily_resolved_mv
TO driftwatch.drift_detection_daily
AS SELECT
    toDate(assumeNotNull(resolved_at)) AS day,
    env,
    kind,
    uniqExactState(incident_id) AS resolved,
    quantilesState(0.5, 0.9)(toUnixTimestamp64Milli(assumeNotNull(resolved_at)) - toUnixTimestamp64Milli(started_at)) AS recovery_ms
FROM driftwatch.incidents
WHERE change = 'resolved' AND resolved_at IS NOT NULL
GROUP BY day, env, kind;
