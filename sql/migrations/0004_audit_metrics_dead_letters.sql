-- 0004 — audit log, the engine's own metrics, dead letters.

-- Audit records (who / what / when, with correlation ids). Optional fields
-- are '' when absent (not NULL) because they take part in the dedup key: a
-- record is identified by its time, category, action and a hash of the rest,
-- so a replay rewrites the same rows and `FINAL` shows each record once.
-- details is the record's free-form details as a JSON object string (query it
-- with JSONExtractString(details, 'field')). Kept seven years (compliance).
CREATE TABLE IF NOT EXISTS driftwatch.audit_log
(
    at                 DateTime64(3, 'UTC'),
    category           LowCardinality(String),
    action             LowCardinality(String),
    env                LowCardinality(String) DEFAULT '',
    artifact           String DEFAULT '',
    actor              String DEFAULT '',
    subject_id         String DEFAULT '',
    correlation_id     String DEFAULT '',
    details            String DEFAULT '{}',
    ingested_at        DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (category, at, action, cityHash64(env, artifact, actor, subject_id, correlation_id, details))
TTL greatest(toDateTime(at), toDateTime(ingested_at)) + INTERVAL 7 YEAR DELETE
SETTINGS non_replicated_deduplication_window = 1000;

-- The engine's own metrics (throughput, lag, late and dead-lettered counts…)
-- as points: one row per (name, labels, at). labels is a Map for easy
-- filtering (labels['env']); the writer sorts its keys, so the hash of keys
-- and values in the sorting key identifies a series and a replayed point
-- replaces itself. Kept 90 days.
CREATE TABLE IF NOT EXISTS driftwatch.engine_metrics
(
    at                 DateTime64(3, 'UTC'),
    name               LowCardinality(String),
    labels             Map(LowCardinality(String), String),
    value              Float64,
    ingested_at        DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (name, at, cityHash64(mapKeys(labels), mapValues(labels)))
TTL greatest(toDateTime(at), toDateTime(ingested_at)) + INTERVAL 90 DAY DELETE
SETTINGS non_replicated_deduplication_window = 1000;

-- Records that could not be decoded or validated (also on the DLQ topic /
-- in dlq.ndjson). raw keeps the original record: the text itself when it was
-- valid UTF-8 (raw_encoding 'utf8'), else base64 ('base64'). A record is
-- identified by where it came from plus a hash of its bytes, so a replay of
-- the same file does not duplicate them. Not partitioned: a dead letter has no
-- trustworthy event time and the table stays small. Kept 90 days.
CREATE TABLE IF NOT EXISTS driftwatch.dead_letters
(
    reason             String,
    raw                String,
    raw_encoding       LowCardinality(String) DEFAULT 'utf8',
    record_key         Nullable(String),
    headers            Map(String, String),
    source_topic       LowCardinality(String) DEFAULT '',
    source_partition   Int32 DEFAULT -1,
    source_offset      Int64 DEFAULT -1,
    source_line        UInt64 DEFAULT 0,
    ingested_at        DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY (source_topic, source_partition, source_offset, source_line, cityHash64(raw))
TTL toDateTime(ingested_at) + INTERVAL 90 DAY DELETE
SETTINGS non_replicated_deduplication_window = 1000;
