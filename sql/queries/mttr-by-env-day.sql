-- MTTR by environment per day
--
-- Answers: how long did state-drift incidents take to recover (resolved −
-- started), per environment and per day of resolution, against the 30-minute
-- MTTR target? (Determinism incidents are left out, as in the engine's MTTR.)
--
-- Parameters (ClickHouse query parameters):
--   {from:DateTime64(3, 'UTC')}  incidents resolved at or after this time (UTC)
--   {to:DateTime64(3, 'UTC')}    ... and before this time (UTC)
--
-- Columns: day, env, resolved_incidents, mttr_minutes (mean), p50_minutes,
-- p90_minutes, worst_minutes, over_target (recoveries longer than 30 min).
--
-- p50 / p90 are nearest rank, as in the engine's MTTR snapshots: the p50 of
-- an even count is the lower middle (quantileExactWeighted with weight 1, not
-- quantileExact; sql/queries/README.md, "Quantiles").
SELECT
    toDate(assumeNotNull(resolved_at)) AS day,
    env,
    count() AS resolved_incidents,
    round(avg(recovery_ms) / 60000, 2) AS mttr_minutes,
    round(quantileExactWeighted(0.5)(recovery_ms, 1) / 60000, 2) AS p50_minutes,
    round(quantileExactWeighted(0.9)(recovery_ms, 1) / 60000, 2) AS p90_minutes,
    round(max(recovery_ms) / 60000, 2) AS worst_minutes,
    countIf(recovery_ms > 30 * 60000) AS over_target
FROM driftwatch.incidents FINAL
WHERE kind = 'state'
  AND resolved_at IS NOT NULL
  AND resolved_at >= {from:DateTime64(3, 'UTC')}
  AND resolved_at < {to:DateTime64(3, 'UTC')}
GROUP BY day, env
ORDER BY day, env;
