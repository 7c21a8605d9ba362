/**
 * The env-level rows of a commit are in its changelog records and reach the
 * store once it has committed (engine/live/committed-share-rows.ts): a crash
 * between the commit and their insert leaves them to the restore — this
 * instance's, or, once it has left the group, the owner of partition 0's —
 * and the next commit replaces the records. On the rebalance harness (the
 * runner's own commit and restore, an in-memory changelog).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Changelog, T, advance, commit, push, startGeneration, type Live } from './rebalance-harness.js';
import { CommittedShareRows, SHARE_ROWS_PREFIX } from '../../../engine/live/committed-share-rows.js';
import { assembledEntries, CHUNK_PREFIX, ChunkedRecords } from '../../../engine/live/state-chunks.js';
import { messageBytes, SEND_CHUNK_BYTES } from '../../../engine/live/send-chunks.js';
import { startedInEnv } from '../../helpers/large-state-events.js';
import type { StoreRow } from '../../../store/row-mappers.js';

const [started] = readFileSync(new URL('fixtures/window-closed-before-rebalance.ndjson', import.meta.url), 'utf8').trim().split('\n') as [string];
const AT_10 = Date.parse('2026-11-27T10:00:00.000Z');

/** The promotion window rows (prod, 10:00) a generation's store writer was handed, by instance. */
function windowRows(live: Live): string[] {
  return live.stored.flatMap((s) => ('kind' in s || s.table !== 'promotion_windows' || s.row.window_start !== AT_10 ? [] : [String(s.row.instance_id)]));
}

const shareRecords = (log: Changelog) => log.reader().entries(0).filter(([key]) => key.startsWith(SHARE_ROWS_PREFIX));

/** Member A closes prod's 10:00 promotion window and commits, crashing before the store has the window's row. */
async function crashAfterClosing(log: Changelog, members: string[]): Promise<Live> {
  const a = await startGeneration(log, 'A', [0], 1, undefined, { members });
  push(a, T.promotion, 0, 0, started);
  advance(a, '10:06:00');
  await commit(a, log, 'A', { crashAfterCommit: true });
  a.engine.pipeline.dispose();
  expect(windowRows(a)).toEqual([]);
  expect(shareRecords(log).map(([key]) => key)).toEqual(['s/A']);
  return a;
}

describe('env-level rows of a commit, stored after it', () => {
  it('a crash between the commit and their insert: the restart stores them; its next commit replaces the record', async () => {
    const log = new Changelog();
    await crashAfterClosing(log, ['A']);
    const a2 = await startGeneration(log, 'A', [0], 2);
    expect(windowRows(a2)).toEqual(['A']);
    await commit(a2, log, 'A');
    expect(shareRecords(log)).toEqual([]); // a tombstone: nothing left to store
    a2.engine.pipeline.dispose();
    const a3 = await startGeneration(log, 'A', [0], 3);
    expect(windowRows(a3)).toEqual([]);
  });

  it("an instance that crashed so and left the group: the owner of partition 0 stores its rows, under its id, and clears its record", async () => {
    const log = new Changelog();
    await crashAfterClosing(log, ['A', 'B']);
    const b = await startGeneration(log, 'B', [0], 2, undefined, { members: ['B'] });
    expect(windowRows(b)).toEqual(['A']);
    await commit(b, log, 'B');
    expect(shareRecords(log)).toEqual([]);
  });

  it('an instance still in the group keeps its record to itself', async () => {
    const log = new Changelog();
    await crashAfterClosing(log, ['A', 'B']);
    const b = await startGeneration(log, 'B', [0], 2, undefined, { members: ['A', 'B'] });
    expect(windowRows(b)).toEqual([]);
    await commit(b, log, 'B');
    expect(shareRecords(log).map(([key]) => key)).toEqual(['s/A']);
  });

  it('rows over a send go in pieces (state-chunks.ts), put back together by the restore; a commit with fewer tombstones the pieces it does not rewrite', () => {
    const rows: StoreRow[] = Array.from({ length: 40 }, (_, i) => ({ table: 'env_windows', row: { env: `env-${i}`, padding: 'x'.repeat(20_000) } }));
    const records = new CommittedShareRows();
    const chunked = new ChunkedRecords();
    const first = chunked.split(records.checkpointMessages('A', rows));
    expect(first.map((m) => String(m.key).split('/')[0])).toEqual(['s', 'c', 'c']);
    for (const m of first) expect(messageBytes(m)).toBeLessThanOrEqual(SEND_CHUNK_BYTES);
    const log = new Changelog();
    log.apply(first);
    expect(new CommittedShareRows().restore([...assembledEntries(log.reader().entries(0))], (id) => id === 'A')).toEqual(rows);
    const second = chunked.split(records.checkpointMessages('A', rows.slice(0, 1)));
    expect(second.map((m) => [m.key, m.value === null])).toEqual([['s/A', false], ['c/0/s/A', true], ['c/1/s/A', true]]);
    expect(chunked.split(records.checkpointMessages('A', []))).toEqual([{ key: 's/A', partition: 0, value: null }]);
  });

  it('a commit whose rows took pieces, then a crash before the store had them: the restart stores every row, its next commit leaves no piece', async () => {
    const ENVS = 2_000;
    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0]);
    for (let i = 0; i < ENVS; i++) push(a, T.promotion, 0, i, startedInEnv(i));
    advance(a, '10:06:00');
    await commit(a, log, 'A', { crashAfterCommit: true });
    a.engine.pipeline.dispose();
    const entries = log.reader().entries(0);
    expect(entries.filter(([key]) => key.startsWith(`${CHUNK_PREFIX}`) && key.endsWith('/s/A')).length).toBeGreaterThan(1);
    for (const [key, value] of entries) expect(Buffer.byteLength(key) + Buffer.byteLength(value)).toBeLessThanOrEqual(SEND_CHUNK_BYTES);

    const a2 = await startGeneration(log, 'A', [0], 2);
    const stored = a2.stored.flatMap((s) => ('kind' in s || s.table !== 'promotion_windows' ? [] : [String(s.row.env)]));
    expect(new Set(stored).size).toBe(ENVS);
    await commit(a2, log, 'A');
    expect(log.reader().entries(0).filter(([key]) => key.startsWith(SHARE_ROWS_PREFIX) || key.endsWith('/s/A'))).toEqual([]);
  });
});
