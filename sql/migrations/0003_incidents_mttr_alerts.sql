-- 0003 — incidents, rolling MTTR snapshots and emitted alerts (SPEC §4.4–4.6, §6).

-- Incidents: one row per lifecycle change (opened, updated, resolved), each
-- with a `version` that grows with the change's event time. ReplacingMergeTree
-- (version) keeps the highest version per incident, so
--   SELECT … FROM driftwatch.incidents FINAL
-- gives every incident's latest state, and re-inserting the same changes on
-- replay changes nothing. The full lifecycle stays queryable until merges
-- collapse it; the incident history that matters long-term is in audit_log.
-- PARTITION BY the start month: every row of one incident shares started_at,
-- so its versions always meet in one partition (required to collapse).
CREATE TABLE IF NOT EXISTS driftwatch.incidents
(
    incident_id        String,
    kind               LowCardinality(String),
    env                LowCardinality(String),
    artifact           String,
    rule_id            Nullable(String),
    severity           LowCardinality(String),
    started_at         DateTime64(3, 'UTC'),
    detected_at        DateTime64(3, 'UTC'),
    resolved_at        Nullable(DateTime64(3, 'UTC')),
    reason             LowCardinality(Nullable(String)),
    expected_digest    Nullable(String),
    divergent_digests  Array(String),
    recovery_ms        Nullable(Int64),
    correlation_id     Nullable(String),
    desired_from       LowCardinality(Nullable(String)),
    input_digest       Nullable(String),
    -- the lifecycle change this row records, and the event time it happened
    change             LowCardinality(String),
    changed_at         DateTime64(3, 'UTC'),
    version            UInt64,
    ingested_at        DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(started_at)
ORDER BY (env, artifact, incident_id)
TTL greatest(toDateTime(started_at), toDateTime(ingested_at)) + INTERVAL 2 YEAR DELETE
SETTINGS non_replicated_deduplication_window = 1000;

-- Rolling MTTR (mean, p50, p90 over the trailing 1h / 24h / 7d) per scope
-- (an env, or '*' for overall), as of an event time. Keyed by
-- (scope, window, as_of): a replay rewrites the same snapshots.
CREATE TABLE IF NOT EXISTS driftwatch.mttr_snapshots
(
    as_of              DateTime64(3, 'UTC'),
    scope              LowCardinality(String),
    window             LowCardinality(String),
    resolved_count     UInt32,
    mean_ms            Nullable(Float64),
    p50_ms             Nullable(Float64),
    p90_ms             Nullable(Float64),
    open_incidents     UInt32,
    oldest_open_ms     Nullable(Float64),
    ingested_at        DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(as_of)
ORDER BY (scope, window, as_of)
TTL greatest(toDateTime(as_of), toDateTime(ingested_at)) + INTERVAL 2 YEAR DELETE
SETTINGS non_replicated_deduplication_window = 1000;

-- Every alert event emitted on the alert topic. alert_id is unique per
-- emission (random), so it cannot be the dedup key; an emission is identified
-- by (fingerprint, event_time, status, severity, escalation_level), where
-- event_time is the engine's event time when it emitted the alert — the same
-- in a replay, unlike emitted_at (wall clock). env / artifact are copied out
-- of labels for cheap filtering; labels keeps them all.
CREATE TABLE IF NOT EXISTS driftwatch.alerts
(
    alert_id           String,
    fingerprint        String,
    rule               LowCardinality(String),
    status             LowCardinality(String),
    severity           LowCardinality(String),
    escalation_level   UInt8,
    env                LowCardinality(String),
    artifact           String,
    labels             Map(String, String),
    summary            String,
    description        String,
    runbook_url        Nullable(String),
    starts_at          DateTime64(3, 'UTC'),
    ends_at            Nullable(DateTime64(3, 'UTC')),
    incident_id        Nullable(String),
    correlation_id     Nullable(String),
    emitted_at         DateTime64(3, 'UTC'),
    event_time         DateTime64(3, 'UTC'),
    ingested_at        DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (fingerprint, event_time, status, severity, escalation_level)
TTL greatest(toDateTime(event_time), toDateTime(ingested_at)) + INTERVAL 1 YEAR DELETE
SETTINGS non_replicated_deduplication_window = 1000;
