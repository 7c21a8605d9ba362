/**
 * Raw history rows: one row per input event, with a typed column for every
 * field of SPEC §3 (see sql/migrations/0001_raw_history.sql). This is the hot
 * path of a replay (one row per event), so each table's row is defined once
 * as a list of columns with their encoding plus a flat array of values in
 * that order:
 * - `writeEventRow` appends the values as one RowBinary row (row-binary.ts:
 *   the cheapest row for ClickHouse to take, by a factor of about three over
 *   JSON arrays);
 * - `eventRow` zips the same values into the JSONEachRow object, for
 *   the row mapper's callers and tests.
 * An absent optional field is `undefined`: NULL in a Nullable column, the
 * column's DEFAULT otherwise (RowBinary has no "absent", so the codec writes
 * the default; an object simply leaves the key out).
 */
import type { Envelope, SourcePosition } from '../processors/facts.js';
import type { RowSink } from './row-mappers.js';
import type { InsertOptions } from './transport.js';
import { compileRowEncoder, structureType, type ColumnCodec, type RowBinaryBuffer, type RowEncoder } from './row-binary.js';

export type EventTable = 'promotion_events' | 'hydration_events' | 'index_events';

/** Column name → how its value is encoded; absent values of non-Nullable columns take the SQL DEFAULT (written here). */
type Columns = ReadonlyArray<readonly [string, ColumnCodec]>;

const str: ColumnCodec = { type: 'String' };
const nstr: ColumnCodec = { type: 'Nullable(String)' };
const f64: ColumnCodec = { type: 'Float64' };
const base: Columns = [
  ['event_id', str], ['occurred_at', { type: 'DateTime64' }], ['env', str], ['artifact', str], ['correlation_id', nstr],
];
// The defaults of sql/migrations/0001_raw_history.sql.
const source: Columns = [
  ['late', { type: 'UInt8', orDefault: 0 }], ['source_topic', { type: 'String', orDefault: '' }],
  ['source_partition', { type: 'Int32', orDefault: -1 }], ['source_offset', { type: 'Int64', orDefault: -1 }],
  ['source_line', { type: 'UInt64', orDefault: 0 }],
];

const columnsOf: Readonly<Record<EventTable, Columns>> = {
  promotion_events: [
    ...base, ['promotion_id', str], ['phase', str], ['version', nstr], ['digest', nstr], ['from_env', nstr],
    ['gate_name', nstr], ['gate_result', nstr], ['gate_duration_ms', { type: 'Nullable(Float64)' }], ['snapshot_id', nstr],
    ['snapshot_verified', { type: 'Nullable(UInt8)' }], ['rollback_version', nstr], ['rollback_digest', nstr],
    ['actor', nstr], ['reason', nstr], ...source,
  ],
  hydration_events: [
    ...base, ['rule_id', str], ['instance', str], ['input_digest', str], ['output_digest', str], ['duration_ms', f64],
    ['status', str], ['error', nstr], ...source,
  ],
  index_events: [
    ...base, ['op', str], ['instance', str], ['served_digest', str], ['latency_ms', f64], ['status', str], ['shard', nstr],
    ...source,
  ],
};

const mapTables = <T>(f: (columns: Columns, table: EventTable) => T) =>
  Object.fromEntries(Object.entries(columnsOf).map(([table, columns]) => [table, f(columns, table as EventTable)])) as Readonly<Record<EventTable, T>>;

/** The columns each raw table is written with, in value order (ingested_at is left to its DEFAULT). */
export const eventColumns: Readonly<Record<EventTable, readonly string[]>> = mapTables((cs) => cs.map(([name]) => name));

/** How each value is encoded in RowBinary, in value order. */
export const eventCodecs: Readonly<Record<EventTable, readonly ColumnCodec[]>> = mapTables((cs) => cs.map(([, codec]) => codec));

const eventEncoders: Readonly<Record<EventTable, RowEncoder>> = mapTables((_, table) => compileRowEncoder(eventCodecs[table]));

/** The RowBinary rows' structure (`name Type, …`), for an insert that reads them from a file. */
export const eventStructure: Readonly<Record<EventTable, string>> = mapTables((cs) =>
  cs.map(([name, codec]) => `${name} ${structureType(codec)}`).join(', '),
);

/** How a batch of each raw table's rows is inserted (everything but the dedup token), built once. */
export const eventInsertOptions: Readonly<Record<EventTable, Readonly<InsertOptions>>> = mapTables((_, table) => ({
  format: 'RowBinary',
  columns: eventColumns[table],
  structure: eventStructure[table],
  // One row per deduplicated event, event_id in the sorting key (0001_raw_history.sql).
  uniqueKeys: true,
}));

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
        e.snapshot == null ? undefined : e.snapshot.verified ? 1 : 0, // optional fields may be null
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

/** Appends the event as one RowBinary row of its table (`eventTable(envelope)`) to `out`. */
export function writeEventRow(table: EventTable, envelope: Envelope, late: boolean, out: RowBinaryBuffer): void {
  out.push(eventValues(envelope, late), eventEncoders[table]);
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
