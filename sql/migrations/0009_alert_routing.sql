-- 0009 — alerts keep the routing their events carry.
--
-- Every alert event names who its escalation level notifies and the channels
-- and response target of its severity (annotations notify, channels,
-- respondWithin; alerts.yaml escalation[].notify and routing), so that an
-- analyst can ask which alerts paged whom, and through what. Rows written
-- before this migration read empty strings. Re-running the file is a no-op
-- (IF NOT EXISTS).

ALTER TABLE driftwatch.alerts
    ADD COLUMN IF NOT EXISTS notify String DEFAULT '' AFTER runbook_url,
    ADD COLUMN IF NOT EXISTS channels String DEFAULT '' AFTER notify,
    ADD COLUMN IF NOT EXISTS respond_within String DEFAULT '' AFTER channels;
