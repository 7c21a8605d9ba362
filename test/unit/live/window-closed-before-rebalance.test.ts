/**
 * A window closed after a member's last commit, then a rebalance before the
 * next one: the store must count the window's events once, summed over
 * instance_id as every reader does.
 *
 * A rebalance undoes what a member did since its last commit (commit.ts: the
 * commit in flight is abandoned); the partitions' new owners redo it. Per-key
 * rows come again identical from whoever redoes the work. An env-level row of
 * an instance share does not: member A closes the promotion window
 * 10:00–10:05 of prod (wr-01 started, after A's last commit); the rebalance
 * moves the partition to B, which reads wr-01 again from the committed offset
 * and stores (prod, 10:00, B) = 1 started; A, restored at its commit, never
 * had wr-01 and has no window to replace its own row with. Had A stored
 * (prod, 10:00, A) = 1 at the close, prod would have started 2 promotions at
 * 10:00 where one replay says 1 — as it did before env-level rows were held
 * until the commit covering them (engine/live/held-share-rows.ts). Found by
 * test/scenarios/differential-rebalance.test.ts (beforeRebalance:
 * 'nothing'); the same holds for env_windows and gate_windows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Changelog, T, advance, commit, push, startGeneration } from './rebalance-harness.js';
import { logicalStore } from '../../helpers/differential-run.js';

const [started] = readFileSync(new URL('fixtures/window-closed-before-rebalance.ndjson', import.meta.url), 'utf8').trim().split('\n') as [string];

describe('a window closed after the last commit, then a rebalance', () => {
  it('stores the promotion once, summed over the instances', async () => {
    const log = new Changelog();
    const members = ['A', 'B'];
    const a = await startGeneration(log, 'A', [0], 1, undefined, { members });
    push(a, T.promotion, 0, 0, started);
    advance(a, '09:59:00');
    await commit(a, log, 'A'); // wr-01 still held: the commit's safe offset is 0
    advance(a, '10:06:00'); // the window closes: its row waits for a commit that never comes
    expect(a.facts.some((f) => f.kind === 'promotion-window')).toBe(true);
    expect(a.stored.some((s) => ('kind' in s ? s.kind === 'promotion-window' : s.table === 'promotion_windows'))).toBe(false);

    // The rebalance: partition 0 goes to B; A keeps nothing of it.
    a.engine.pipeline.dispose();
    const a2 = await startGeneration(log, 'A', [], 2, undefined, { members });
    const b = await startGeneration(log, 'B', [0], 2, undefined, { members });
    push(b, T.promotion, 0, 0, started);
    advance(b, '10:06:00');
    advance(a2, '10:06:00');
    await commit(b, log, 'B');
    await commit(a2, log, 'A');

    // What the store writers were handed (the store), summed over instance_id as readers do.
    const generations = [a, a2, b];
    const store = logicalStore(generations.flatMap((g) => g.stored), (f) => generations.find((g) => g.stored.includes(f))!.storedBy(f));
    const startedAt10 = store.promotion_windows!.filter((r) => r.env === 'prod' && r.window_start === Date.parse('2026-11-27T10:00:00.000Z'));
    expect(startedAt10.reduce((n, r) => n + Number(r.started), 0)).toBe(1);
  });
});
