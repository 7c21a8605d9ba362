/**
 * Raw history rows: one row per input event, with a typed column for every
 * field of SPEC §3 (see sql/migrations/0001_raw_history.sql). This is the hot
 * path of a replay (one row per event), so each table's row is defined once
 * as a column list plus a flat array of values in that order:
 * - `eventLine` serialises the values as one JSONCompactEachRow line (a JSON
 *   array: no key names to write in JS or to match in ClickHouse, which
 *   measured about half the cost of the JSONEachRow object on both sides);
 * - `eventRow` zips the same values into the JSONEachRow object, for
 *   transports that only take objects (old servers) and for tests.
 * An absent optional field is `undefined`: JSON.stringify writes it as `null`
 * in an array (the insert sets input_format_null_as_default, so a column with
 * a DEFAULT takes it) and drops the key from an object (same DEFAULT).
 */
import type { Envelope, SourcePosition } from '../processors/facts.js';
import type { RowSink } from './row-mappers.js';

export type EventTable = 'promotion_events' | 'hydration_events' | 'index_events';

const source = ['late', 'source_topic', 'source_partition', 'source_offset', 'source_line'] as const;

/** The columns each raw table is written with, in value order (ingested_at is left to its DEFAULT). */
export const eventColumns: Readonly<Record<EventTable, readonly string[]>> = {
  promotion_events: [
    'event_id', 'occurred_at', 'env', 'artifact', 'correlation_id', 'promotion_id', 'phase', 'version', 'digest', 'from_env',
    'gate_name', 'gate_result', 'gate_duration_ms', 'snapshot_id', 'snapshot_verified', 'rollback_version', 'rollback_digest',
    'actor', 'reason', ...source,
  ],
  hydration_events: [
    'event_id', 'occurred_at', 'env', 'artifact', 'correlation_id', 'rule_id', 'instance', 'input_digest', 'output_digest',
    'duration_ms', 'status', 'error', ...source,
  ],
  index_events: [
    'event_id', 'occurred_at', 'env', 'artifact', 'correlation_id', 'op', 'instance', 'served_digest', 'latency_ms', 'status',
    'shard', ...source,
  ],
};

export const eventTables: ReadonlySet<string> = new Set(Object.keys(eventColumns));

/** The raw table an event is written to. */
export function eventTable(envelope: Envelope): EventTable {
  const type = envelope.event.type;
  return type === 'promotion' ? 'promotion_events' : type === 'hydration' ? 'hydration_events' : 'index_events';
}

/** The event's values in the order of `eventColumns[eventTable(envelope)]`. */
export function eventValues(envelope: Envelope, late: boolean): unknown[] {
  const e = envelope.event;
  const src = envelope.source;
  const l = late ? 1 : 0;
  switch (e.type) {
    case 'promotion':
      return [
        e.eventId, envelope.at, e.env, e.artifact, e.correlationId, e.promotionId, e.phase, e.version, e.digest, e.fromEnv,
        e.gate?.name, e.gate?.result, e.gate?.durationMs, e.snapshot?.snapshotId,
        e.snapshot === undefined ? undefined : e.snapshot.verified ? 1 : 0,
        e.rollbackTo?.version, e.rollbackTo?.digest, e.actor, e.reason,
        l, src?.topic, src?.partition, offsetOf(src), src?.line,
      ];
    case 'hydration':
      return [
        e.eventId, envelope.at, e.env, e.artifact, e.correlationId, e.ruleId, e.instance, e.inputDigest, e.outputDigest,
        e.durationMs, e.status, e.error,
        l, src?.topic, src?.partition, offsetOf(src), src?.line,
      ];
    case 'index':
      return [
        e.eventId, envelope.at, e.env, e.artifact, e.correlationId, e.op, e.instance, e.servedDigest, e.latencyMs, e.status,
        e.shard,
        l, src?.topic, src?.partition, offsetOf(src), src?.line,
      ];
  }
}

/** The event as one JSONCompactEachRow line for `eventTable(envelope)`. */
export function eventLine(envelope: Envelope, late: boolean): string {
  return JSON.stringify(eventValues(envelope, late));
}

/** The event as a JSONEachRow object (absent fields left out). */
export function eventRow(envelope: Envelope, late: boolean, out: RowSink): void {
  const table = eventTable(envelope);
  const columns = eventColumns[table];
  const values = eventValues(envelope, late);
  const row: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) if (values[i] !== undefined) row[columns[i]!] = values[i];
  out(table, row);
}

/** Kafka offsets arrive as strings (kafkajs); the column is Int64. */
export function offsetOf(src: SourcePosition | undefined): number | undefined {
  if (src?.offset === undefined) return undefined;
  const offset = Number(src.offset);
  return Number.isSafeInteger(offset) ? offset : undefined;
}
