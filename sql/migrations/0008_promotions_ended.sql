-- 0008 — promotion windows count each ended promotion once.
--
-- The success rate's denominator was succeeded + failed + rolled_back −
-- rolled_back_after_success (0007), which still counted a promotion that
-- failed and was then rolled back — what CD tools do to a failed canary —
-- twice: the rate read lower than it was, and the promotion_success_rate_low
-- rule reached its minimum of promotions early. `promotions_ended` counts,
-- in the window of its first terminal event, each promotion once; a rollback
-- after a counted success or failure does not end it again. The success
-- rate is then
--   sum(succeeded - rolled_back_after_success) / sum(promotions_ended)
-- as in sql/README.md, the dashboards and the alert rule.
--
-- Rows written before this migration read the denominator they were computed
-- with (the DEFAULT below, evaluated for parts without the column). Re-running
-- the file is a no-op (IF NOT EXISTS).

ALTER TABLE driftwatch.promotion_windows
    ADD COLUMN IF NOT EXISTS promotions_ended UInt32 DEFAULT succeeded + failed + rolled_back - rolled_back_after_success AFTER rolled_back_after_success;
