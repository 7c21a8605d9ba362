/**
 * RowBinary rows as the writer encodes them: values read back exactly
 * (non-ASCII text, long strings, 64-bit integers either side of zero, NULLs
 * and DEFAULTs), and the codecs of the raw-history tables agree with the
 * columns the migrations create (what ClickHouse decodes them as).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileRowEncoder, RowBinaryBuffer, structureType, type ColumnCodec } from '../../../store/row-binary.js';
import { eventCodecs, eventColumns, eventStructure, eventTable, eventValues, writeEventRow, type EventTable } from '../../../store/event-rows.js';
import type { Envelope, Fact } from '../../../processors/facts.js';
import { openEmbeddedStore } from '../../../store/open-store.js';
import { decodeRowBinary } from '../../helpers/row-binary-decode.js';
import { StoreWriter } from '../../../store/store-writer.js';
import { hydration, lateIndex, promotionGate, promotionStarted, T0 } from './fixtures.js';
import { replayFile } from '../../../engine/replay.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { silentLogger } from '../../../lib/logger.js';
import { writeFileSync } from 'node:fs';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A fresh embedded store in a temporary directory, closed and removed after the test. */
async function openTempStore(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const t = await openEmbeddedStore(dir);
  cleanups.push(() => t.close());
  return t;
}

const codecs: ColumnCodec[] = [
  { type: 'String' }, { type: 'Nullable(String)' }, { type: 'Int64', orDefault: -1 }, { type: 'UInt64', orDefault: 0 },
  { type: 'Int32', orDefault: -1 }, { type: 'UInt8', orDefault: 0 }, { type: 'Float64' }, { type: 'Nullable(Float64)' },
  { type: 'Nullable(UInt8)' }, { type: 'DateTime64' }, { type: 'String', orDefault: '' },
];
const structure = codecs.map((c, i) => `c${i} ${structureType(c)}`).join(', ');

describe('RowBinaryBuffer', () => {
  it('encodes what decodes to the same values; absent values become NULL or the column default', () => {
    const long = 'x'.repeat(300) + 'é';
    const rows: unknown[][] = [
      ['evt-1', 'corr', 5, 7, 3, 1, 12.5, 0.25, 1, 1795000000123, 'topic'],
      ['ünïcødé €😀', undefined, undefined, undefined, undefined, undefined, -3.5, undefined, undefined, 0, undefined],
      [long, '', -(2 ** 40) - 3, 2 ** 52 + 1, -2, 0, 0, null, 0, -1000, 'é'.repeat(200)],
    ];
    const b = new RowBinaryBuffer();
    const encode = compileRowEncoder(codecs);
    for (const r of rows) b.push(r, encode);
    expect(b.rows).toBe(3);
    const decoded = decodeRowBinary(b.take(), structure).map((r) => Object.values(r));
    expect(decoded).toEqual([
      rows[0],
      ['ünïcødé €😀', null, -1, 0, -1, 0, -3.5, null, null, 0, ''],
      [long, '', -(2 ** 40) - 3, 2 ** 52 + 1, -2, 0, 0, null, 0, -1000, 'é'.repeat(200)],
    ]);
    expect(b.rows).toBe(0);
    expect(b.take().length).toBe(0);
  });

  it('grows past its initial size without losing rows', () => {
    const b = new RowBinaryBuffer();
    const encode = compileRowEncoder(codecs.slice(0, 3));
    for (let i = 0; i < 5000; i++) b.push([`row-${i}-${'y'.repeat(40)}`, null, i], encode);
    const rows = decodeRowBinary(b.take(), codecs.slice(0, 3).map((c, i) => `c${i} ${structureType(c)}`).join(', '));
    expect(rows).toHaveLength(5000);
    expect(rows[4999]).toEqual({ c0: `row-4999-${'y'.repeat(40)}`, c1: null, c2: 4999 });
  });
});

describe('RowBinaryBuffer memory reuse', () => {
  it('writes a later batch into a recycled batch\'s memory; a batch still held is never written over', () => {
    const b = new RowBinaryBuffer();
    const encode = compileRowEncoder(codecs.slice(0, 3));
    const structure3 = codecs.slice(0, 3).map((c, i) => `c${i} ${structureType(c)}`).join(', ');
    const batch = (from: number) => {
      for (let i = from; i < from + 2000; i++) b.push([`row-${i}`, null, i], encode);
      return b.take();
    };
    const first = batch(0);
    const held = batch(2000); // in flight: not recycled
    const heldCopy = Buffer.from(held);
    b.recycle(first);
    const third = batch(4000); // written before the recycle; the recycled memory takes the next batch
    const fourth = batch(6000);
    expect(fourth.buffer).toBe(first.buffer);
    expect(held).toEqual(heldCopy);
    expect(decodeRowBinary(third, structure3).map((r) => r.c2)).toEqual(Array.from({ length: 2000 }, (_, i) => 4000 + i));
    expect(decodeRowBinary(fourth, structure3).map((r) => r.c2)).toEqual(Array.from({ length: 2000 }, (_, i) => 6000 + i));
  });
});

describe('raw-history rows', () => {
  it('are written straight from the envelope as exactly the values eventValues gives, encoded by the table\'s codecs', () => {
    const envelopeOf = (fact: Fact): Envelope => (fact as Extract<Fact, { envelope: Envelope }>).envelope;
    const promotion = envelopeOf(promotionStarted(T0));
    // The event with some fields replaced, as a producer may send them (null optional fields included).
    const withFields = (e: Envelope, fields: Record<string, unknown>): Envelope => ({ ...e, event: { ...e.event, ...fields } as unknown as Envelope['event'] });
    const withNulls = withFields(promotion, { eventId: 'p-nulls', phase: 'gate', gate: null, snapshot: null, rollbackTo: null, version: null, correlationId: null });
    const full = {
      ...withFields(promotion, { eventId: 'p-full', phase: 'snapshot', snapshot: { snapshotId: 'snap-1', verified: false }, rollbackTo: { version: '1.1', digest: 'sha256:b' }, reason: 'ünï €😀' }),
      source: { topic: 't', partition: 0, offset: '9007199254740993' }, // not a safe integer: the column's default
    };
    const hyd = envelopeOf(hydration(T0));
    const hydError = { ...withFields(hyd, { status: 'error', error: 'render failed' }), source: undefined };
    const envelopes = [promotion, withNulls, full, envelopeOf(promotionGate(T0)), hyd, hydError, envelopeOf(lateIndex(T0, T0 + 1))];
    for (const envelope of envelopes) {
      for (const late of [false, true]) {
        const table = eventTable(envelope);
        const direct = new RowBinaryBuffer();
        writeEventRow(table, envelope, late, direct);
        const viaValues = new RowBinaryBuffer();
        viaValues.push(eventValues(envelope, late), compileRowEncoder(eventCodecs[table]));
        expect(direct.rows).toBe(1);
        expect(Buffer.from(direct.take())).toEqual(Buffer.from(viaValues.take()));
      }
    }
    // What the values are, for one row of each kind of source.
    expect(eventValues(full, true).slice(-5)).toEqual([1, 't', 0, undefined, undefined]);
    expect(eventValues(withNulls, false).slice(10, 15)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('raw-history codecs against the migrated tables (chDB)', () => {
  it('name each written column with the type the table decodes (LowCardinality is sent as its inner type)', async () => {
    const t = await openTempStore('dw-rowbinary-');
    for (const table of Object.keys(eventColumns) as EventTable[]) {
      const described = await t.query<{ name: string; type: string }>(`DESCRIBE TABLE driftwatch.${table}`);
      const tableTypes = Object.fromEntries(described.map((c) => [c.name, c.type.replace(/^LowCardinality\((.*)\)$/, '$1')]));
      const written = eventColumns[table].map((name, i) => [name, structureType(eventCodecs[table][i]!)]);
      expect(written).toEqual(eventColumns[table].map((name) => [name, tableTypes[name]]));
      expect(eventStructure[table]).toBe(written.map(([n, ty]) => `${n} ${ty}`).join(', '));
      // Every column left out of the rows has a DEFAULT to take.
      expect(described.filter((c) => !eventColumns[table].includes(c.name)).map((c) => c.name)).toEqual(['ingested_at']);
    }
  });
});

describe('RowBinary staging on chDB', () => {
  it('stages each batch as a file under the store, removes it after the insert, and the directory on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-staging-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const t = await openEmbeddedStore(dir);
    const w = new StoreWriter(t, { batchRows: 2, flushIntervalMs: 0 });
    for (let i = 0; i < 5; i++) w.write(hydration(T0 + i, `s-${i}`));
    await w.close();
    const staging = join(t.path!, 'staging');
    expect(readdirSync(staging)).toEqual([]);
    expect(await t.query('SELECT count() AS n FROM driftwatch.hydration_events')).toEqual([{ n: 5 }]);
    await t.close();
    expect(existsSync(staging)).toBe(false);
  });
});

describe('RowBinary staging on chDB, the directory gone', () => {
  it('makes the staging directory again when it went between batches, and the batch lands', async () => {
    const t = await openTempStore('dw-staging-gone-');
    const w = new StoreWriter(t, { batchRows: 2, flushIntervalMs: 0 });
    for (let i = 0; i < 2; i++) w.write(hydration(T0 + i, `g-${i}`));
    await w.flush();
    rmSync(join(t.path!, 'staging'), { recursive: true, force: true });
    for (let i = 2; i < 4; i++) w.write(hydration(T0 + i, `g-${i}`));
    await w.close();
    expect(await t.query('SELECT count() AS n FROM driftwatch.hydration_events')).toEqual([{ n: 4 }]);
  });
});

describe('RowBinary inserts on chDB, awkward inputs', () => {
  it('a store directory with glob characters ({a,b}, *, ?) still gets every row (file() reads its path as a glob)', async () => {
    const base = mkdtempSync(join(tmpdir(), 'dw-glob-'));
    cleanups.push(() => rmSync(base, { recursive: true, force: true }));
    for (const name of ['run{1,2}', 'day{1..3}', 'star*', 'q?']) {
      const t = await openEmbeddedStore(join(base, name));
      const w = new StoreWriter(t, { batchRows: 2, flushIntervalMs: 0 });
      for (let i = 0; i < 3; i++) w.write(hydration(T0 + i, `g-${i}`));
      await w.close();
      expect(await t.query('SELECT count() AS n FROM driftwatch.hydration_events'), name).toEqual([{ n: 3 }]);
      await t.close();
    }
  });

  it('optional fields sent as null are stored as NULL (a replay does not stop on them)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-nulls-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const input = join(dir, 'in.ndjson');
    const head = { occurredAt: new Date(T0).toISOString(), env: 'prod', artifact: 'svc', correlationId: null };
    writeFileSync(
      input,
      [
        { ...head, type: 'promotion', eventId: 'p-1', promotionId: 'p', phase: 'failed', version: null, digest: null, fromEnv: null, gate: null, snapshot: null, rollbackTo: null, actor: null, reason: null },
        { ...head, type: 'hydration', eventId: 'h-1', ruleId: 'r', instance: 'i', inputDigest: 'a', outputDigest: 'b', durationMs: 1, status: 'ok', error: null },
        { ...head, type: 'index', eventId: 'x-1', op: 'read', instance: 'i', servedDigest: 'a', latencyMs: 1, status: 'ok', shard: null },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
    const out = join(dir, 'out');
    const summary = await replayFile({ input, outDir: out, processing: defaultProcessingOptions, alerts: defaultAlertsConfig(), logger: silentLogger });
    expect(summary).toMatchObject({ events: 3, deadLetters: 0 });
    const t = await openEmbeddedStore(join(out, 'store'));
    cleanups.push(() => t.close());
    expect(await t.query('SELECT snapshot_verified, gate_name, correlation_id FROM driftwatch.promotion_events')).toEqual([{ snapshot_verified: null, gate_name: null, correlation_id: null }]);
    expect(await t.query('SELECT error FROM driftwatch.hydration_events')).toEqual([{ error: null }]);
    expect(await t.query('SELECT shard FROM driftwatch.index_events')).toEqual([{ shard: null }]);
  });
});
