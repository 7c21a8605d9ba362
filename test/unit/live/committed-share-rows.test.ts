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
import { CommittedShareRows, SHARE_ROWS_PREFIX, SHARE_ROWS_RECORD_BYTES } from '../../../engine/live/committed-share-rows.js';
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
  expect(shareRecords(log).map(([key]) => key)).toEqual(['s/A/0']);
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
    expect(shareRecords(log).map(([key]) => key)).toEqual(['s/A/0']);
  });

  it('rows go in records a broker accepts; a commit with fewer tombstones the records it does not rewrite', () => {
    const rows: StoreRow[] = Array.from({ length: 40 }, (_, i) => ({ table: 'env_windows', row: { env: `env-${i}`, padding: 'x'.repeat(20_000) } }));
    const records = new CommittedShareRows();
    const first = records.checkpointMessages('A', rows);
    expect(first.length).toBeGreaterThan(2);
    for (const m of first) expect(Buffer.byteLength(m.value as string)).toBeLessThanOrEqual(SHARE_ROWS_RECORD_BYTES);
    expect(first.flatMap((m) => JSON.parse(m.value as string) as StoreRow[])).toEqual(rows);
    const second = records.checkpointMessages('A', rows.slice(0, 1));
    expect(second.map((m) => [m.key, m.value === null])).toEqual(first.map((m, n) => [m.key, n > 0]));
    expect(records.checkpointMessages('A', [])).toEqual([{ key: 's/A/0', partition: 0, value: null }]);
  });
});
