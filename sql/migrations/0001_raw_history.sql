-- 0001 — raw history of the three input topics (SPEC §3, §5).
--
-- One table per event type, with a typed column for every field of the event,
-- so analysts query columns instead of parsing JSON.
--
-- Engine choices (shared by the three tables):
-- * ReplacingMergeTree, ORDER BY (env, artifact, occurred_at, event_id): a
--   replay or a restart after a crash re-inserts the same events; rows with
--   the same key collapse to one in merges, and `SELECT … FINAL` never shows
--   duplicates. The key starts with (env, artifact) because nearly every
--   question is asked per environment / artifact over a time range.
-- * PARTITION BY toYYYYMM(occurred_at): monthly parts keep TTL expiry and
--   range scans cheap; a duplicate always lands in the same partition as its
--   original (same occurred_at), which ReplacingMergeTree needs to collapse it.
-- * LowCardinality(String) for the few-valued columns (env, phase, status,
--   op, source_topic): dictionary-encoded, smaller and faster to filter.
-- * Optional fields are Nullable: "absent" stays distinguishable from "".
-- * `late` = 1 marks events that arrived behind the watermark (SPEC §4.7):
--   they are kept and counted, never silently lost.
-- * source_*: where the event came from (topic/partition/offset in live
--   mode, 1-based line number in file replays); -1 / 0 / '' when unknown.
-- * TTL: one year, counted from the later of event time and ingestion time,
--   so history loaded by a replay of old events is not deleted on the spot.
--   (Tiered hot/warm/cold storage replaces this in a later migration.)
-- * non_replicated_deduplication_window: an insert retried with the same
--   insert_deduplication_token (the writer's batch id) is applied once even
--   when the first attempt's outcome was unknown.

CREATE DATABASE IF NOT EXISTS driftwatch;

CREATE TABLE IF NOT EXISTS driftwatch.promotion_events
(
    event_id          String,
    occurred_at       DateTime64(3, 'UTC'),
    env               LowCardinality(String),
    artifact          String,
    correlation_id    Nullable(String),
    promotion_id      String,
    phase             LowCardinality(String),
    version           Nullable(String),
    digest            Nullable(String),
    from_env          LowCardinality(Nullable(String)),
    gate_name         LowCardinality(Nullable(String)),
    gate_result       LowCardinality(Nullable(String)),
    gate_duration_ms  Nullable(Float64),
    snapshot_id       Nullable(String),
    snapshot_verified Nullable(UInt8),
    rollback_version  Nullable(String),
    rollback_digest   Nullable(String),
    actor             Nullable(String),
    reason            Nullable(String),
    late              UInt8 DEFAULT 0,
    source_topic      LowCardinality(String) DEFAULT '',
    source_partition  Int32 DEFAULT -1,
    source_offset     Int64 DEFAULT -1,
    source_line       UInt64 DEFAULT 0,
    ingested_at       DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (env, artifact, occurred_at, event_id)
TTL greatest(toDateTime(occurred_at), toDateTime(ingested_at)) + INTERVAL 1 YEAR DELETE
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS driftwatch.hydration_events
(
    event_id         String,
    occurred_at      DateTime64(3, 'UTC'),
    env              LowCardinality(String),
    artifact         String,
    correlation_id   Nullable(String),
    rule_id          String,
    instance         String,
    input_digest     String,
    output_digest    String,
    duration_ms      Float64,
    status           LowCardinality(String),
    error            Nullable(String),
    late             UInt8 DEFAULT 0,
    source_topic     LowCardinality(String) DEFAULT '',
    source_partition Int32 DEFAULT -1,
    source_offset    Int64 DEFAULT -1,
    source_line      UInt64 DEFAULT 0,
    ingested_at      DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (env, artifact, occurred_at, event_id)
TTL greatest(toDateTime(occurred_at), toDateTime(ingested_at)) + INTERVAL 1 YEAR DELETE
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS driftwatch.index_events
(
    event_id         String,
    occurred_at      DateTime64(3, 'UTC'),
    env              LowCardinality(String),
    artifact         String,
    correlation_id   Nullable(String),
    op               LowCardinality(String),
    instance         String,
    served_digest    String,
    latency_ms       Float64,
    status           LowCardinality(String),
    shard            Nullable(String),
    late             UInt8 DEFAULT 0,
    source_topic     LowCardinality(String) DEFAULT '',
    source_partition Int32 DEFAULT -1,
    source_offset    Int64 DEFAULT -1,
    source_line      UInt64 DEFAULT 0,
    ingested_at      DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (env, artifact, occurred_at, event_id)
TTL greatest(toDateTime(occurred_at), toDateTime(ingested_at)) + INTERVAL 1 YEAR DELETE
SETTINGS non_replicated_deduplication_window = 1000;
