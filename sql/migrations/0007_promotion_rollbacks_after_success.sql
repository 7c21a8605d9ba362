-- 0007 — promotion windows count rollbacks of promotions that had succeeded.
--
-- A promotion that succeeded and was later rolled back was counted as one
-- success plus one rollback: the success rate read sum(succeeded) /
-- sum(succeeded + failed + rolled_back), so the rollback fixture (one clean
-- promotion, one succeeded then rolled back) showed 2/3 instead of 1/2.
-- `rolled_back_after_success` counts, in the window of the rollback, the
-- rollbacks (also in `rolled_back`) whose promotion's success the engine
-- counted earlier. The success rate is then
--   sum(succeeded - rolled_back_after_success)
--   / sum(succeeded + failed + rolled_back - rolled_back_after_success)
-- (each promotion ended counted once), as in sql/README.md, the dashboards
-- and the promotion_success_rate_low alert rule.
--
-- Rows written before this migration read 0, which is what they were
-- computed with. Re-running the file is a no-op (IF NOT EXISTS).

ALTER TABLE driftwatch.promotion_windows
    ADD COLUMN IF NOT EXISTS rolled_back_after_success UInt32 DEFAULT 0 AFTER rolled_back;
