-- Nondeterministic hydration rules
--
-- Answers: which hydration rules produced different outputs for the same
-- input (SPEC §4.5: same env, artifact, rule and input digest within one
-- 5-minute window, aligned to the epoch like the engine's windows), with the
-- conflicting outputs and the determinism incidents the engine opened.
-- The engine's window is DRIFTWATCH_WINDOW (default 5m): for an engine run
-- with another, put toStartOfInterval(occurred_at, INTERVAL <n> MINUTE) in
-- place of toStartOfFiveMinutes(occurred_at) below.
--
-- Parameters (ClickHouse query parameters):
--   {from:DateTime64(3, 'UTC')}  ok hydrations at or after this time (UTC)
--   {to:DateTime64(3, 'UTC')}    ... and before this time (UTC)
--
-- Columns: env, artifact, rule_id, input_windows (input digest × window
-- groups), nondeterministic_windows, inputs (digests that gave several
-- outputs), conflicting_outputs, first_window, last_window, incidents.
-- Only rules with at least one nondeterministic window.
WITH
    windows AS
    (
        -- The number of distinct digests is the length of their array (uniqExact beside it built the same set twice).
        -- FINAL stays: an event stored again with other content (an id reused at the same instant) counts by its last
        -- row, as after a merge, not by a row it replaced (sql/README.md, Query cost).
        SELECT env, artifact, rule_id, input_digest,
               toStartOfFiveMinutes(occurred_at) AS window_start,
               groupUniqArray(output_digest) AS output_digests,
               length(output_digests) AS outputs
        FROM driftwatch.hydration_events FINAL
        WHERE status = 'ok'
          AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
        GROUP BY env, artifact, rule_id, input_digest, window_start
    ),
    determinism_incidents AS
    (
        SELECT env, artifact, assumeNotNull(rule_id) AS rule_id, count() AS incidents
        FROM driftwatch.incidents FINAL
        WHERE kind = 'determinism'
          AND started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}
        GROUP BY env, artifact, rule_id
    )
SELECT
    w.env AS env,
    w.artifact AS artifact,
    w.rule_id AS rule_id,
    count() AS input_windows,
    countIf(w.outputs > 1) AS nondeterministic_windows,
    arraySort(groupUniqArrayIf(w.input_digest, w.outputs > 1)) AS inputs,
    arraySort(groupUniqArrayArrayIf(w.output_digests, w.outputs > 1)) AS conflicting_outputs,
    minIf(w.window_start, w.outputs > 1) AS first_window,
    maxIf(w.window_start, w.outputs > 1) AS last_window,
    any(d.incidents) AS incidents
FROM windows AS w
LEFT JOIN determinism_incidents AS d ON d.env = w.env AND d.artifact = w.artifact AND d.rule_id = w.rule_id
GROUP BY env, artifact, rule_id
HAVING nondeterministic_windows > 0
ORDER BY nondeterministic_windows DESC, env, artifact, rule_id;
