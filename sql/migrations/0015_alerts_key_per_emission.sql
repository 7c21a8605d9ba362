-- 0015 — alerts keeps every emission: the emission's id and the engine
-- instance in its sorting key.
--
-- 0003 keyed alerts by (fingerprint, event_time, status, severity,
-- escalation_level) and called alert_id random. It is not: alert_id is
-- derived from the emission (processors/alerting/alert-id.ts: fingerprint,
-- starts_at, the decision's event time, status, severity, level and, for a
-- second instance of a fingerprint begun in the same millisecond, its
-- ordinal), so the same emission decided again — a redo after an aborted
-- commit, a second replay, the next owner of a key after a handover — has
-- the same id. The 0003 key left out what tells two emissions apart when
-- those five parts agree, and ReplacingMergeTree kept one of them (in
-- merges and under FINAL):
--   - two instances of a fingerprint begun in the same millisecond (a
--     condition that ended and began again within it), both firing at L1:
--     only alert_id tells them apart;
--   - a per-env rule's alert (mttr_breach, the rate rules) fired by two
--     members of a consumer group, each over its share of the env, at the
--     same event time: the same alert_id too. Each is an event on the alert
--     topic, computed from another share (README Known limits); like the
--     env-level windows (0006), each instance's row stays, under instance_id.
--
-- So the key gets two columns:
--   - emission_key, alert_id again. ClickHouse adds to a sorting key only
--     columns added by the same ALTER (an existing column such as alert_id is
--     refused: the rows already stored are not sorted by it), and only ones
--     without a default expression (DEFAULT alert_id is refused too): the
--     writer fills it. Rows written before this migration, or by an older
--     driftwatch, read '' and keep the 0003 key among themselves.
--   - instance_id, the engine instance (DRIFTWATCH_INSTANCE_ID) whose share a
--     per-env rule's alert is; '' for the per-key rules' alerts — decided by
--     the key's owner alone, so a handover's redo writes the same row — and
--     for replay and the demo.
-- The same emission written again has the same key and still collapses: the
-- last insert stays, the one the alert topic carries.
--
-- Metadata only, in place: no rows are copied, and PARTITION BY, TTL,
-- SETTINGS and the column comments stay as they are. Not a copy into a new
-- table and a rename: the writer role may not DROP or RENAME (sql/roles), a
-- live instance writing meanwhile would lose its rows inserted after the
-- copy, and re-run from its first statement (how a migration cut half way
-- resumes) a swap would swap back. Re-running this file is a no-op: IF NOT
-- EXISTS, the same sorting key again and the same comments.

ALTER TABLE driftwatch.alerts
    ADD COLUMN IF NOT EXISTS emission_key String AFTER alert_id,
    ADD COLUMN IF NOT EXISTS instance_id LowCardinality(String) AFTER emission_key,
    MODIFY ORDER BY (fingerprint, event_time, status, severity, escalation_level, emission_key, instance_id);

ALTER TABLE driftwatch.alerts
    COMMENT COLUMN IF EXISTS alert_id 'the emission''s id, derived from it (fingerprint, starts_at, event_time, status, severity, escalation_level and which instance of the fingerprint, when two begin in one millisecond): the same emission decided again has the same id, as consumers deduplicating on alertId rely on. Not random',
    COMMENT COLUMN IF EXISTS emission_key 'alert_id again, in the sorting key (0015): two emissions are two rows, the same emission written again (a redo, a second replay) one. Empty on rows written before 0015',
    COMMENT COLUMN IF EXISTS instance_id 'per-env rules (mttr_breach, the rate rules): the engine instance (DRIFTWATCH_INSTANCE_ID) that judged its share of the env and emitted this; with several instances each may fire the same alert. Empty for the per-key rules, replays and the demo';
