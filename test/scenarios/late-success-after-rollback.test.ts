/**
 * Fixture late-success-after-rollback.ndjson (prod), in input order:
 *   pL  started 10:00, rolled back 10:02
 *   pM  started 10:03:30 (the frontier moves to 10:02:30)
 *   pL  succeeded 10:01, learnt late (its window, 10:00–10:05, still open)
 *   pM  succeeded 10:06:30
 * In event time pL succeeded (10:01, 60 s after its start) and was then
 * rolled back (10:02). Its rollback, learnt first, ended it (10:02, with a
 * duration of 120 s); the late success, from before that rollback, takes
 * the end back to its own time, as in order: pL ended once, at 10:01, in
 * 60 s, its success taken back by the rollback (succeeded_then_rolled_back,
 * decided at 10:02). Both tables then hold what the same events sorted by
 * time give.
 *
 * (retry-after-rollback.test.ts: a retry after a rollback in order.)
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { replayedStore } from '../helpers/replayed-store.js';
import { replayFixture, type ReplayOutput } from '../helpers/replay-fixture.js';
import { openEmbeddedStore } from '../../store/open-store.js';
import type { ChdbTransport } from '../../store/chdb-transport.js';

const fixture = 'late-success-after-rollback.ndjson';

const outcomes = (store: ChdbTransport) =>
  store.query(
    'SELECT promotion_id, toString(first_ended_at) AS first_ended_at, outcome, toString(decided_at) AS decided_at, toString(rolled_back_at) AS rolled_back_at FROM driftwatch.promotion_outcomes FINAL ORDER BY promotion_id',
  );
const windows = (store: ChdbTransport) => store.query('SELECT * EXCEPT (ingested_at) FROM driftwatch.promotion_windows FINAL ORDER BY window_start');

/** The same events sorted by time, read before the late replay opens its store (one embedded store per process at a time). */
let inOrder: { replay: ReplayOutput; outcomes: unknown[]; windows: unknown[] };
beforeAll(async () => {
  const replay = await replayFixture(fixture, { store: true, sort: true });
  const store = await openEmbeddedStore(join(replay.outDir, 'store'));
  try {
    inOrder = { replay, outcomes: await outcomes(store), windows: await windows(store) };
  } finally {
    await store.close();
  }
});
const lateSuccess = replayedStore(fixture);

describe('a success learnt late after its promotion\'s rollback, from before it', () => {
  it('makes the promotion succeeded_then_rolled_back in promotion_outcomes FINAL, first ended at the success', async () => {
    expect(lateSuccess.replay.summary).toMatchObject({ events: 4, late: 1, deadLetters: 0 });
    expect(inOrder.replay.summary).toMatchObject({ events: 5, late: 0, deadLetters: 0 });
    const expected = [
      { promotion_id: 'pL', first_ended_at: '2026-11-27 10:01:00.000', outcome: 'succeeded_then_rolled_back', decided_at: '2026-11-27 10:02:00.000', rolled_back_at: '2026-11-27 10:02:00.000' },
      { promotion_id: 'pM', first_ended_at: '2026-11-27 10:06:30.000', outcome: 'succeeded', decided_at: '2026-11-27 10:06:30.000', rolled_back_at: null },
    ];
    expect(await outcomes(lateSuccess.store)).toEqual(expected);
    expect(inOrder.outcomes).toEqual(expected);
  });

  it('ends pL once in promotion_windows, in the success\'s window, with its duration to the success: the rows of the sorted events', async () => {
    const rows = await windows(lateSuccess.store);
    expect(rows.map((r) => [r.succeeded, r.rolled_back, r.rolled_back_after_success, r.promotions_ended, r.duration_count, r.duration_sum_ms])).toEqual([
      [1, 1, 1, 1, 1, 60_000], // pL: ended by its success (60 s), which its rollback took back
      [1, 0, 0, 1, 1, 180_000], // pM
    ]);
    expect(rows).toEqual(inOrder.windows);
  });
});
