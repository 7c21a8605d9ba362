-- Late events per source
--
-- Answers: which sources send events behind the watermark (SPEC §4.7: kept
-- in history with late = 1, counted, never reopening closed windows), how
-- many, and how large a share of what they send?
--
-- A source is `<type>:<instance>` for hydrations and index operations (SPEC
-- §4.2) and `promotion` for promotion events, which have no instance.
--
-- Parameters (ClickHouse query parameters):
--   {from:DateTime64(3, 'UTC')}  events whose event time is at or after this (UTC)
--   {to:DateTime64(3, 'UTC')}    ... and before this (UTC)
--
-- Columns: source, env, events, late_events, late_ratio, first_late_at,
-- last_late_at (event times of the late ones). Only sources with late events.
SELECT
    source,
    env,
    count() AS events,
    countIf(late = 1) AS late_events,
    round(late_events / events, 4) AS late_ratio,
    minIf(occurred_at, late = 1) AS first_late_at,
    maxIf(occurred_at, late = 1) AS last_late_at
FROM
(
    SELECT 'promotion' AS source, env, occurred_at, late
    FROM driftwatch.promotion_events FINAL
    WHERE occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
    UNION ALL
    SELECT concat('hydration:', instance) AS source, env, occurred_at, late
    FROM driftwatch.hydration_events FINAL
    WHERE occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
    UNION ALL
    SELECT concat('index:', instance) AS source, env, occurred_at, late
    FROM driftwatch.index_events FINAL
    WHERE occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
)
GROUP BY source, env
HAVING late_events > 0
ORDER BY late_events DESC, source, env;
