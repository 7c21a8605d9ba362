/**
 * Fixture late-success-after-rollback.ndjson (prod), in input order:
 *   pL  started 10:00, rolled back 10:02
 *   pM  started 10:03:30 (the frontier moves to 10:02:30)
 *   pL  succeeded 10:01, learnt late (its window, 10:00–10:05, still open)
 *   pM  succeeded 10:06:30
 * Events are taken in the order they are learnt: pL's success comes after
 * its rollback, a retry: pL ended at its rollback (10:02), once, and its
 * outcome is the success. Its row was versioned by the success's own event
 * time (10:01), earlier than the rollback's: FINAL kept `rolled_back`.
 *
 * (retry-after-rollback.test.ts: a retry after a rollback in order.)
 */
import { describe, it, expect } from 'vitest';
import { replayedStore } from '../helpers/replayed-store.js';
import { finalOutcomes } from '../helpers/final-outcomes.js';

const lateSuccess = replayedStore('late-success-after-rollback.ndjson');

describe('a success learnt late after its promotion\'s rollback', () => {
  it('is the promotion\'s latest outcome in promotion_outcomes FINAL (versions follow the order the engine decided in)', async () => {
    expect(lateSuccess.replay.summary).toMatchObject({ events: 4, late: 1, deadLetters: 0 });
    expect(await finalOutcomes(lateSuccess.store)).toEqual([
      { promotion_id: 'pL', first_ended_at: '2026-11-27 10:02:00.000', outcome: 'succeeded', decided_at: '2026-11-27 10:01:00.000' },
      { promotion_id: 'pM', first_ended_at: '2026-11-27 10:06:30.000', outcome: 'succeeded', decided_at: '2026-11-27 10:06:30.000' },
    ]);
  });

  it('ends pL once in promotion_windows', async () => {
    expect(await lateSuccess.store.query('SELECT succeeded, rolled_back, promotions_ended AS ended FROM driftwatch.promotion_windows FINAL ORDER BY window_start')).toEqual([
      { succeeded: 1, rolled_back: 1, ended: 1 }, // pL: ended by its rollback, once; its late success a retry
      { succeeded: 1, rolled_back: 0, ended: 1 }, // pM
    ]);
  });
});
