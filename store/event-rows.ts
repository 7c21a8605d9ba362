/**
 * Raw history rows: one row per input event, with a typed column for every
 * field of SPEC §3 (see sql/migrations/0001_raw_history.sql). This is the hot
 * path of a replay (one row per event), so each table's row is defined once
 * as a list of columns with their encoding and the expression of their
 * value, compiled into:
 * - `writeEventRow`, which writes the row in RowBinary straight from the
 *   envelope (row-binary.ts: the cheapest row for ClickHouse to take, by a
 *   factor of about three over JSON arrays), with no array of values per
 *   event in between;
 * - `eventValues`, the same values as a flat array, which `eventRow` zips
 *   into the JSONEachRow object, for the row mapper's callers and tests.
 * An absent optional field is `undefined`: NULL in a Nullable column, the
 * column's DEFAULT otherwise (RowBinary has no "absent", so the codec writes
 * the default; an object simply leaves the key out).
 */
import type { Envelope, SourcePosition } from '../processors/facts.js';
import type { RowSink } from './row-mappers.js';
import type { InsertOptions } from './transport.js';
import { encoderStatements, structureType, type ColumnCodec, type RowBinaryBuffer } from './row-binary.js';

export type EventTable = 'promotion_events' | 'hydration_events' | 'index_events';

/**
 * Column name, how its value is encoded, and the value: a JavaScript
 * expression over `e` (the event), `envelope`, `src` (envelope.source), `late`
 * and `offsetOf`. Absent values of non-Nullable columns take the SQL DEFAULT
 * (written here).
 */
type Columns = ReadonlyArray<readonly [name: string, codec: ColumnCodec, value: string]>;

const str: ColumnCodec = { type: 'String' };
const nstr: ColumnCodec = { type: 'Nullable(String)' };
const f64: ColumnCodec = { type: 'Float64' };
const base: Columns = [
  ['event_id', str, 'e.eventId'], ['occurred_at', { type: 'DateTime64' }, 'envelope.at'], ['env', str, 'e.env'],
  ['artifact', str, 'e.artifact'], ['correlation_id', nstr, 'e.correlationId'],
];
// The defaults of sql/migrations/0001_raw_history.sql.
const source: Columns = [
  ['late', { type: 'UInt8', orDefault: 0 }, 'late ? 1 : 0'], ['source_topic', { type: 'String', orDefault: '' }, 'src?.topic'],
  ['source_partition', { type: 'Int32', orDefault: -1 }, 'src?.partition'], ['source_offset', { type: 'Int64', orDefault: -1 }, 'offsetOf(src)'],
  ['source_line', { type: 'UInt64', orDefault: 0 }, 'src?.line'],
];

const columnsOf: Readonly<Record<EventTable, Columns>> = {
  promotion_events: [
    ...base, ['promotion_id', str, 'e.promotionId'], ['phase', str, 'e.phase'], ['version', nstr, 'e.version'],
    ['digest', nstr, 'e.digest'], ['from_env', nstr, 'e.fromEnv'], ['gate_name', nstr, 'e.gate?.name'],
    ['gate_result', nstr, 'e.gate?.result'], ['gate_duration_ms', { type: 'Nullable(Float64)' }, 'e.gate?.durationMs'],
    ['snapshot_id', nstr, 'e.snapshot?.snapshotId'],
    // Optional fields may be null.
    ['snapshot_verified', { type: 'Nullable(UInt8)' }, 'e.snapshot == null ? undefined : e.snapshot.verified ? 1 : 0'],
    ['rollback_version', nstr, 'e.rollbackTo?.version'], ['rollback_digest', nstr, 'e.rollbackTo?.digest'],
    ['actor', nstr, 'e.actor'], ['reason', nstr, 'e.reason'], ...source,
  ],
  hydration_events: [
    ...base, ['rule_id', str, 'e.ruleId'], ['instance', str, 'e.instance'], ['input_digest', str, 'e.inputDigest'],
    ['output_digest', str, 'e.outputDigest'], ['duration_ms', f64, 'e.durationMs'], ['status', str, 'e.status'],
    ['error', nstr, 'e.error'], ...source,
  ],
  index_events: [
    ...base, ['op', str, 'e.op'], ['instance', str, 'e.instance'], ['served_digest', str, 'e.servedDigest'],
    ['latency_ms', f64, 'e.latencyMs'], ['status', str, 'e.status'], ['shard', nstr, 'e.shard'], ...source,
  ],
};

const mapTables = <T>(f: (columns: Columns, table: EventTable) => T) =>
  Object.fromEntries(Object.entries(columnsOf).map(([table, columns]) => [table, f(columns, table as EventTable)])) as Readonly<Record<EventTable, T>>;

/** The columns each raw table is written with, in value order (ingested_at is left to its DEFAULT). */
export const eventColumns: Readonly<Record<EventTable, readonly string[]>> = mapTables((cs) => cs.map(([name]) => name));

/** How each value is encoded in RowBinary, in value order. */
export const eventCodecs: Readonly<Record<EventTable, readonly ColumnCodec[]>> = mapTables((cs) => cs.map(([, codec]) => codec));

/** A function of (envelope, late) compiled from `body`, which sees `e`, `src`, `late` and `offsetOf`. */
function compileOverEnvelope<F>(params: string, body: string): F {
  const fn = `return function (${params}) {\nconst e = envelope.event;\nconst src = envelope.source;\n${body}\n};`;
  return new Function('offsetOf', fn)(offsetOf) as F;
}

type EventValues = (envelope: Envelope, late: boolean) => unknown[];
type EventWriter = (out: RowBinaryBuffer, envelope: Envelope, late: boolean) => void;

/** Each table's values as one array literal (the JSONEachRow path, tests). */
const eventValuesOf: Readonly<Record<EventTable, EventValues>> = mapTables((cs) =>
  compileOverEnvelope<EventValues>('envelope, late', `return [${cs.map(([, , value]) => value).join(', ')}];`),
);

/**
 * Each table's RowBinary row, written straight from the envelope: one
 * straight-line function per table (`const v0 = e.eventId; … out.string(v0);
 * …`), with no array of values per event in between — this runs once per
 * input event.
 */
const eventWriters: Readonly<Record<EventTable, EventWriter>> = mapTables((cs) =>
  compileOverEnvelope<EventWriter>(
    'out, envelope, late',
    cs.map(([, , value], i) => `const v${i} = ${value};`).join('\n') + '\n' + encoderStatements(cs.map(([, codec]) => codec), (i) => `v${i}`),
  ),
);

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
  return eventValuesOf[eventTable(envelope)](envelope, late);
}

/** Appends the event as one RowBinary row of its table (`eventTable(envelope)`) to `out`. */
export function writeEventRow(table: EventTable, envelope: Envelope, late: boolean, out: RowBinaryBuffer): void {
  out.pushWith(eventWriters[table], envelope, late);
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
