-- Promotion success by gate
--
-- Answers: per environment and gate, how often does the gate fail (target
-- < 5 %), how long does it take, and how did the promotions that ran it end
-- (succeeded / failed / rolled back, target > 95 % success)?
--
-- Parameters (ClickHouse query parameters):
--   {from:DateTime64(3, 'UTC')}  promotion events at or after this time (UTC)
--   {to:DateTime64(3, 'UTC')}    ... and before this time (UTC)
--
-- Columns: env, gate, runs, passed, failed, gate_failure_rate, p50_ms, p90_ms
-- (gate duration, nearest rank as the engine's gate_windows: sql/queries/README.md,
-- "Quantiles"), promotions (distinct promotions that ran the gate),
-- succeeded, failed_promotions, rolled_back, in_flight (not ended yet),
-- success_rate = succeeded / (succeeded + failed + rolled back).
-- Each promotion counts once, with its latest outcome, whenever it ended
-- (driftwatch.promotion_outcomes, 0010): a promotion rolled back after it
-- succeeded counts as rolled back, not as a success, even when the rollback
-- came after the range — the definition of the promotion_success_rate_low
-- alert and the dashboards. (This query took the last terminal event inside
-- the range from promotion_events, so a rollback after the range was not
-- seen.) A failed promotion rolled back afterwards stays failed. A promotion
-- is its id within its target env, as in the engine: the same id in two envs
-- is two promotions.
WITH
    outcomes AS
    (
        SELECT env, promotion_id, outcome
        FROM driftwatch.promotion_outcomes FINAL
        WHERE (env, promotion_id) IN
        (
            SELECT env, promotion_id FROM driftwatch.promotion_events
            WHERE phase = 'gate' AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
        )
    ),
    gates AS
    (
        SELECT env, promotion_id, assumeNotNull(gate_name) AS gate, gate_result, gate_duration_ms
        FROM driftwatch.promotion_events FINAL
        WHERE phase = 'gate'
          AND gate_name IS NOT NULL
          AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
    )
SELECT
    g.env AS env,
    g.gate AS gate,
    count() AS runs,
    countIf(g.gate_result = 'passed') AS passed,
    countIf(g.gate_result = 'failed') AS failed,
    round(failed / runs, 4) AS gate_failure_rate,
    quantileExactWeighted(0.5)(g.gate_duration_ms, 1) AS p50_ms,
    quantileExactWeighted(0.9)(g.gate_duration_ms, 1) AS p90_ms,
    uniqExact(g.promotion_id) AS promotions,
    uniqExactIf(g.promotion_id, o.outcome = 'succeeded') AS succeeded,
    uniqExactIf(g.promotion_id, o.outcome = 'failed') AS failed_promotions,
    uniqExactIf(g.promotion_id, o.outcome IN ('rolled_back', 'succeeded_then_rolled_back')) AS rolled_back,
    uniqExactIf(g.promotion_id, o.outcome = '') AS in_flight,
    round(succeeded / nullIf(succeeded + failed_promotions + rolled_back, 0), 4) AS success_rate
FROM gates AS g
LEFT JOIN outcomes AS o ON o.env = g.env AND o.promotion_id = g.promotion_id
GROUP BY env, gate
ORDER BY env, gate;
