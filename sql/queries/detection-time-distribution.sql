-- Detection time distribution
--
-- Answers: how quickly does the engine detect drift — the distribution of
-- detected_at − started_at per environment and incident kind — and did any
-- detection break the 5-minute requirement (SPEC §4.4)?
--
-- Parameters (ClickHouse query parameters):
--   {from:DateTime64(3, 'UTC')}  incidents detected at or after this time (UTC)
--   {to:DateTime64(3, 'UTC')}    ... and before this time (UTC)
--
-- Columns: env, kind, incidents, p50_ms, p90_ms, p99_ms, max_ms, and a
-- histogram: within_10s, within_1m, within_5m, over_5m (must stay 0).
--
-- Quantiles are nearest rank (quantileExactWeighted with weight 1; see
-- sql/queries/README.md, "Quantiles").
SELECT
    env,
    kind,
    count() AS incidents,
    quantileExactWeighted(0.5)(detection_ms, 1) AS p50_ms,
    quantileExactWeighted(0.9)(detection_ms, 1) AS p90_ms,
    quantileExactWeighted(0.99)(detection_ms, 1) AS p99_ms,
    max(detection_ms) AS max_ms,
    countIf(detection_ms <= 10000) AS within_10s,
    countIf(detection_ms > 10000 AND detection_ms <= 60000) AS within_1m,
    countIf(detection_ms > 60000 AND detection_ms <= 300000) AS within_5m,
    countIf(detection_ms > 300000) AS over_5m
FROM
(
    SELECT env, kind, toUnixTimestamp64Milli(detected_at) - toUnixTimestamp64Milli(started_at) AS detection_ms
    FROM driftwatch.incidents FINAL
    WHERE detected_at >= {from:DateTime64(3, 'UTC')} AND detected_at < {to:DateTime64(3, 'UTC')}
)
GROUP BY env, kind
ORDER BY env, kind;
