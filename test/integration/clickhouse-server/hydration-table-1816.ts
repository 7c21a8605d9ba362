import type { StoreTransport } from '../../../store/transport.js';

/**
 * `<db>.hydration_events` in a form 18.16 accepts (it cannot run sql/migrations: no DateTime64, TTL, Map…):
 * the same columns and ReplacingMergeTree key, event time as epoch-ms UInt64 plus a derived DateTime. The
 * writer sends its rows in RowBinary, as to the real table (an Int64 epoch-ms encodes as the UInt64).
 */
export async function createHydrationEvents1816(t: StoreTransport, db: string): Promise<void> {
  await t.command(`CREATE TABLE ${db}.hydration_events
(
    event_id String, occurred_at UInt64, env String, artifact String, correlation_id Nullable(String),
    rule_id String, instance String, input_digest String, output_digest String, duration_ms Float64,
    status String, error Nullable(String), late UInt8, source_topic String, source_partition Int32,
    source_offset Int64, source_line UInt64,
    occurred DateTime MATERIALIZED toDateTime(intDiv(occurred_at, 1000))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred)
ORDER BY (env, artifact, occurred_at, event_id)`);
}
