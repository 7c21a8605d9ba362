-- Rollbacks and their recovery
--
-- Answers: which promotions were rolled back, by whom and why, and how long
-- the environment took to run the rolled-back-to state again: the drift
-- incidents that opened on the key after the rollback while its desired state
-- was the rollback's (started within {horizon_minutes} of it and before the
-- key's next desired change, a later success or rollback) and when the last
-- of them resolved. A rollback without such incidents recovered cleanly
-- (recovery_minutes 0); one with an unresolved incident is still_drifting.
--
-- Incidents are picked by when they started, not by their desired_from:
-- an incident's row keeps only its latest state, and one that opened under
-- the rollback and was then judged against a newer promotion says
-- 'promotion' there.
--
-- Parameters (ClickHouse query parameters):
--   {from:DateTime64(3, 'UTC')}  rollbacks at or after this time (UTC)
--   {to:DateTime64(3, 'UTC')}    ... and before this time (UTC)
--   {horizon_minutes:UInt32}     how long after a rollback an incident counts as its aftermath (e.g. 60)
--
-- Columns: rolled_back_at, env, artifact, promotion_id, rolled_back_version
-- (what the promotion had deployed), rollback_version, actor, reason,
-- drift_incidents, recovered_at, recovery_minutes, still_drifting.
WITH
    desired_changes AS
    (
        -- Every event that sets a key's desired state (SPEC §4.1), with the next one on the key.
        SELECT occurred_at, env, artifact, promotion_id, phase, rollback_version, actor, reason,
               leadInFrame(toNullable(occurred_at), 1, NULL)
                   OVER (PARTITION BY env, artifact ORDER BY occurred_at ASC ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS next_change_at
        FROM driftwatch.promotion_events FINAL
        WHERE phase IN ('succeeded', 'rolled_back')
    ),
    rollbacks AS
    (
        SELECT occurred_at AS rolled_back_at, env, artifact, promotion_id, rollback_version, actor, reason,
               least(occurred_at + toIntervalMinute({horizon_minutes:UInt32}), ifNull(next_change_at, occurred_at + toIntervalMinute({horizon_minutes:UInt32}))) AS aftermath_end
        FROM desired_changes
        WHERE phase = 'rolled_back'
          AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
    ),
    promoted AS
    (
        -- Promotion ids are unique within an environment, not across them.
        SELECT env, promotion_id, any(version) AS version
        FROM driftwatch.promotion_events FINAL
        WHERE phase = 'started'
        GROUP BY env, promotion_id
    ),
    aftermath AS
    (
        SELECT r.env AS env, r.promotion_id AS promotion_id, r.rolled_back_at AS rolled_back_at,
               countIf(i.incident_id != '') AS drift_incidents,
               countIf(i.incident_id != '' AND i.resolved_at IS NULL) AS unresolved,
               maxIf(i.resolved_at, i.incident_id != '') AS last_resolved_at
        FROM rollbacks AS r
        LEFT JOIN
        (
            SELECT incident_id, env, artifact, started_at, resolved_at
            FROM driftwatch.incidents FINAL
            WHERE kind = 'state'
        ) AS i ON i.env = r.env AND i.artifact = r.artifact
        WHERE i.incident_id = ''
           OR (i.started_at >= r.rolled_back_at AND i.started_at < r.aftermath_end)
        GROUP BY env, promotion_id, rolled_back_at
    )
SELECT
    r.rolled_back_at AS rolled_back_at,
    r.env AS env,
    r.artifact AS artifact,
    r.promotion_id AS promotion_id,
    p.version AS rolled_back_version,
    r.rollback_version AS rollback_version,
    r.actor AS actor,
    r.reason AS reason,
    a.drift_incidents AS drift_incidents,
    if(a.drift_incidents = 0, r.rolled_back_at, a.last_resolved_at) AS recovered_at,
    if(a.unresolved > 0, NULL,
       round((toUnixTimestamp64Milli(assumeNotNull(recovered_at)) - toUnixTimestamp64Milli(r.rolled_back_at)) / 60000, 2)) AS recovery_minutes,
    a.unresolved > 0 AS still_drifting
FROM rollbacks AS r
LEFT JOIN promoted AS p ON p.env = r.env AND p.promotion_id = r.promotion_id
LEFT JOIN aftermath AS a ON a.env = r.env AND a.promotion_id = r.promotion_id AND a.rolled_back_at = r.rolled_back_at
ORDER BY rolled_back_at, env, artifact;
