-- Drift hotspots
--
-- Answers: which keys (env, artifact) drift most — by number of incidents and
-- by time spent drifted inside the range — and how do they usually recover?
--
-- Parameters (ClickHouse query parameters):
--   {from:DateTime64(3, 'UTC')}  start of the range (UTC); incidents overlapping the range count, and one
--                                resolved exactly at {from} (its resolution is in [from, to))
--   {to:DateTime64(3, 'UTC')}    end of the range (UTC); still-open incidents count up to here
--   {limit:UInt32}               how many keys to return
--
-- Columns: env, artifact, incidents, state_incidents, determinism_incidents,
-- drifted_minutes (time inside the range during which some incident of the
-- key was open: overlapping incidents — a state incident and determinism
-- incidents of its rules — count each minute once), worst_recovery_minutes
-- (of its incidents resolved in the range; NULL when none was),
-- open_incidents (still open at the end of the range, whether or not they
-- resolved later), reasons (how those resolved in the range ended:
-- converged, source_expired, ...). A past range reads as it stood at its
-- end: an incident resolved after it is open there, its recovery not known.
SELECT
    env,
    artifact,
    count() AS incidents,
    countIf(kind = 'state') AS state_incidents,
    countIf(kind = 'determinism') AS determinism_incidents,
    round(sum(new_ms) / 60000, 2) AS drifted_minutes,
    round(maxIf(recovery_ms, resolved_in_range) / 60000, 2) AS worst_recovery_minutes,
    countIf(NOT resolved_in_range) AS open_incidents,
    arraySort(groupUniqArrayIf(reason, resolved_in_range)) AS reasons
FROM
(
    -- The union of the key's incident time inside the range, not the sum: in
    -- start order, each incident adds only its part after the latest end
    -- before it (the Drift hotspots panel computes it the same way).
    SELECT env, artifact, kind, recovery_ms, reason,
           resolved_at IS NOT NULL AND resolved_at < {to:DateTime64(3, 'UTC')} AS resolved_in_range,
           greatest(0, end_ms - greatest(start_ms, max(end_ms) OVER (PARTITION BY env, artifact ORDER BY start_ms, end_ms
                                                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))) AS new_ms
    FROM
    (
        SELECT env, artifact, kind, recovery_ms, resolved_at, reason,
               toUnixTimestamp64Milli(greatest(started_at, {from:DateTime64(3, 'UTC')})) AS start_ms,
               toUnixTimestamp64Milli(least(coalesce(resolved_at, {to:DateTime64(3, 'UTC')}), {to:DateTime64(3, 'UTC')})) AS end_ms
        FROM driftwatch.incidents FINAL
        WHERE started_at < {to:DateTime64(3, 'UTC')}
          -- >= : an incident resolved exactly at {from} belongs here with its resolution ([from, to), as
          -- mttr-by-env-day counts it); the range ending there shows it open. With > its recovery and reason
          -- showed in no range (determinism incidents resolve on 5-minute boundaries, often a range's end).
          AND (resolved_at IS NULL OR resolved_at >= {from:DateTime64(3, 'UTC')})
    )
)
GROUP BY env, artifact
ORDER BY incidents DESC, drifted_minutes DESC, env, artifact
LIMIT {limit:UInt32};
