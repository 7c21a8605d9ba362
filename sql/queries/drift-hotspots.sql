-- Drift hotspots
--
-- Answers: which keys (env, artifact) drift most — by number of incidents and
-- by time spent drifted inside the range — and how do they usually recover?
--
-- Parameters (ClickHouse query parameters):
--   {from:DateTime64(3, 'UTC')}  start of the range (UTC); incidents overlapping the range count
--   {to:DateTime64(3, 'UTC')}    end of the range (UTC); still-open incidents count up to here
--   {limit:UInt32}               how many keys to return
--
-- Columns: env, artifact, incidents, state_incidents, determinism_incidents,
-- drifted_minutes (incident time clipped to the range), worst_recovery_minutes,
-- open_incidents, reasons (how they resolved: converged, source_expired, ...).
SELECT
    env,
    artifact,
    count() AS incidents,
    countIf(kind = 'state') AS state_incidents,
    countIf(kind = 'determinism') AS determinism_incidents,
    round(sum(dateDiff('millisecond',
                       greatest(started_at, {from:DateTime64(3, 'UTC')}),
                       least(coalesce(resolved_at, {to:DateTime64(3, 'UTC')}), {to:DateTime64(3, 'UTC')}))) / 60000, 2) AS drifted_minutes,
    round(max(recovery_ms) / 60000, 2) AS worst_recovery_minutes,
    countIf(resolved_at IS NULL) AS open_incidents,
    arraySort(groupUniqArray(reason)) AS reasons
FROM driftwatch.incidents FINAL
WHERE started_at < {to:DateTime64(3, 'UTC')}
  AND (resolved_at IS NULL OR resolved_at > {from:DateTime64(3, 'UTC')})
GROUP BY env, artifact
ORDER BY incidents DESC, drifted_minutes DESC, env, artifact
LIMIT {limit:UInt32};
