-- 0010 — promotion outcomes: each promotion once, with its final outcome.
--
-- The success rate was sum(succeeded - rolled_back_after_success) /
-- sum(promotions_ended) over promotion_windows (0007, 0008), but a rollback
-- counts in the window of the rollback while its promotion's success and its
-- end count in the window where it succeeded. Whenever the two windows
-- differ, the sums mix promotions of different windows: a range holding the
-- rollback but not the success lost a success from promotions that did
-- succeed (0 % with every promotion of the range successful), and one
-- holding the success but not the rollback kept it; rates below 0 or above
-- 100 % were possible. `promotion_windows` keeps those columns (and writes
-- them) for compatibility; nothing computes the rate from them any more.
--
-- One row per promotion (a promotion is its id within its target env, as in
-- the engine), written by the engine when the promotion first ends and again
-- when its outcome changes:
-- * first_ended_at: event time of its first terminal event — the time the
--   promotion is attributed to: a range holds the promotions whose first end
--   is in it;
-- * outcome: succeeded | failed | rolled_back (ended by a rollback) |
--   succeeded_then_rolled_back (no success). A failed promotion rolled back
--   afterwards (a failed canary) stays failed, with rolled_back_at set;
-- * decided_at: event time of the event that decided this outcome; version
--   grows with it (decided_at × 2, + 1 for a rollback), so in
--   ReplacingMergeTree(version) the latest outcome wins, and `FINAL` shows
--   each promotion once. A replay re-inserts the same rows (same versions).
-- The success rate over a range is then
--   countIf(outcome = 'succeeded') / count()
--   FROM driftwatch.promotion_outcomes FINAL WHERE first_ended_at in range
-- as in sql/README.md, the dashboards, sql/queries and (seen at its time)
-- the promotion_success_rate_low rule. Late events (SPEC §4.7) give no row,
-- as they count in no promotion window.
--
-- No instance_id (0006): a promotion's events share one key, so one input
-- partition and one engine instance; a rebalance moves the key's remembered
-- outcomes with it, and the new owner writes the same first_ended_at.
-- PARTITION BY the month of first_ended_at: every version of one promotion
-- has the same first end, so its rows meet in one partition (required to
-- collapse in merges). The exception: a retry ending a promotion again after
-- its outcome was taken by a rollback or forgotten (24 h) is a new first
-- end; `FINAL` (which merges across partitions by default) still shows the
-- promotion once, with that latest outcome. TTL as the other aggregates (2 years, 0002/0003). Rows exist
-- only from this migration on: history from before it is not back-filled
-- (replay the raw history to get it). Re-running the file is a no-op (IF NOT
-- EXISTS).

CREATE TABLE IF NOT EXISTS driftwatch.promotion_outcomes
(
    env                LowCardinality(String),
    promotion_id       String,
    artifact           String,
    first_ended_at     DateTime64(3, 'UTC'),
    outcome            LowCardinality(String),
    decided_at         DateTime64(3, 'UTC'),
    rolled_back_at     Nullable(DateTime64(3, 'UTC')),
    correlation_id     Nullable(String),
    version            UInt64,
    ingested_at        DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(first_ended_at)
ORDER BY (env, promotion_id)
TTL greatest(toDateTime(first_ended_at), toDateTime(ingested_at)) + INTERVAL 2 YEAR DELETE
SETTINGS non_replicated_deduplication_window = 1000;
