-- 0002 — 5-minute windowed aggregates (SPEC §5).
--
-- The engine closes each event-time window once (late events never reopen
-- it) and writes one row per window key. ReplacingMergeTree keyed by the
-- window key makes a replay or a restart that re-emits the same window
-- idempotent: `SELECT … FINAL` shows one row per key.
--
-- The rows carry counts and quantiles already computed by the engine (the
-- engine sees every event in order, so exact per-window values are cheap
-- there); Grafana reads them directly. Quantiles are Nullable: NULL means
-- "no sample in this window", which is different from 0 ms.
--
-- PARTITION BY month of window_start; TTL two years from the later of window
-- start and ingestion (aggregates are small and outlive raw history).

CREATE TABLE IF NOT EXISTS driftwatch.drift_windows
(
    window_start            DateTime64(3, 'UTC'),
    window_end              DateTime64(3, 'UTC'),
    env                     LowCardinality(String),
    artifact                String,
    observations            UInt32,
    divergent_observations  UInt32,
    sources                 UInt32,
    divergent_sources       UInt32,
    hydrations              UInt32,
    hydration_errors        UInt32,
    index_ops               UInt32,
    index_errors            UInt32,
    index_latency_p50_ms    Nullable(Float64),
    index_latency_p90_ms    Nullable(Float64),
    late_events             UInt32,
    ingested_at             DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(window_start)
ORDER BY (env, artifact, window_start)
TTL greatest(toDateTime(window_start), toDateTime(ingested_at)) + INTERVAL 2 YEAR DELETE
SETTINGS non_replicated_deduplication_window = 1000;

-- Per-environment rollup of the same window (index error rate, hydration health).
CREATE TABLE IF NOT EXISTS driftwatch.env_windows
(
    window_start            DateTime64(3, 'UTC'),
    window_end              DateTime64(3, 'UTC'),
    env                     LowCardinality(String),
    observations            UInt32,
    divergent_observations  UInt32,
    hydrations              UInt32,
    hydration_errors        UInt32,
    index_ops               UInt32,
    index_errors            UInt32,
    late_events             UInt32,
    ingested_at             DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(window_start)
ORDER BY (env, window_start)
TTL greatest(toDateTime(window_start), toDateTime(ingested_at)) + INTERVAL 2 YEAR DELETE
SETTINGS non_replicated_deduplication_window = 1000;

-- Promotions per target environment. Durations are those of promotions that
-- ended (succeeded / failed / rolled back) in the window; duration_sum_ms and
-- duration_count let a dashboard compute a correct mean over many windows.
CREATE TABLE IF NOT EXISTS driftwatch.promotion_windows
(
    window_start            DateTime64(3, 'UTC'),
    window_end              DateTime64(3, 'UTC'),
    env                     LowCardinality(String),
    started                 UInt32,
    succeeded               UInt32,
    failed                  UInt32,
    rolled_back             UInt32,
    duration_count          UInt32,
    duration_sum_ms         Float64,
    duration_p50_ms         Nullable(Float64),
    duration_p90_ms         Nullable(Float64),
    duration_max_ms         Nullable(Float64),
    snapshots_verified      UInt32,
    snapshots_unverified    UInt32,
    ingested_at             DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(window_start)
ORDER BY (env, window_start)
TTL greatest(toDateTime(window_start), toDateTime(ingested_at)) + INTERVAL 2 YEAR DELETE
SETTINGS non_replicated_deduplication_window = 1000;

-- Gate results per (env, gate) in the same windows: one row per gate that ran.
-- A separate table rather than a Nested column so "failure rate of gate X
-- over a month" is a plain GROUP BY.
CREATE TABLE IF NOT EXISTS driftwatch.gate_windows
(
    window_start            DateTime64(3, 'UTC'),
    window_end              DateTime64(3, 'UTC'),
    env                     LowCardinality(String),
    gate                    LowCardinality(String),
    passed                  UInt32,
    failed                  UInt32,
    duration_p50_ms         Nullable(Float64),
    duration_p90_ms         Nullable(Float64),
    ingested_at             DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(window_start)
ORDER BY (env, gate, window_start)
TTL greatest(toDateTime(window_start), toDateTime(ingested_at)) + INTERVAL 2 YEAR DELETE
SETTINGS non_replicated_deduplication_window = 1000;
