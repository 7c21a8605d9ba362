/**
 * A promotion rolled back and then retried under the same promotionId
 * (fixture retry-after-rollback.ndjson, all prod):
 *   pA  started 10:00, succeeded 10:01             (window 10:00–10:05)
 *       rolled back 10:07                          (window 10:05–10:10)
 *       started 10:11, succeeded 10:12 (the retry) (window 10:10–10:15)
 *   pB  started 10:20, succeeded 10:21             (window 10:20–10:25)
 *
 * Two promotions, both successful in the end. pA counts once, at its first
 * end (10:01), with its latest outcome (the retry's success); its retry is a
 * second attempt of it (a started, a succeeded, a duration), not a second
 * promotion. The 10:00 row, written long before the retry, counted pA's end;
 * the 10:10 row counted it again (promotions_ended summed to 3 for two
 * promotions, and the rule judged 2 of 3 where promotion_outcomes said 2 of 2).
 */
import { describe, it, expect } from 'vitest';
import { replayedStore } from '../helpers/replayed-store.js';
import { finalOutcomes } from '../helpers/final-outcomes.js';
import { judgeSuccessRate } from '../helpers/judge-success-rate.js';

const FIXTURE = 'retry-after-rollback.ndjson';
const MIN = 60_000;
const replayed = replayedStore(FIXTURE);

describe('a promotion rolled back and retried under the same id', () => {
  it('promotion_windows: each attempt counts where it happened, the promotion ends once, in the window of its first end', async () => {
    const rows = await replayed.store.query<Record<string, unknown>>(
      'SELECT substring(toString(window_start), 12, 5) AS w, started, succeeded, rolled_back, rolled_back_after_success AS rbas, promotions_ended AS ended, duration_count AS d FROM driftwatch.promotion_windows FINAL ORDER BY window_start',
    );
    expect(rows).toEqual([
      { w: '10:00', started: 1, succeeded: 1, rolled_back: 0, rbas: 0, ended: 1, d: 1 }, // pA's first attempt ends pA
      { w: '10:05', started: 0, succeeded: 0, rolled_back: 1, rbas: 1, ended: 0, d: 0 }, // its rollback ends nothing
      { w: '10:10', started: 1, succeeded: 1, rolled_back: 0, rbas: 0, ended: 0, d: 1 }, // the retry: an attempt, no second end
      { w: '10:20', started: 1, succeeded: 1, rolled_back: 0, rbas: 0, ended: 1, d: 1 }, // pB
    ]);
  });

  it('sum(promotions_ended) over promotion_windows equals the promotions of promotion_outcomes', async () => {
    expect(await replayed.store.query('SELECT sum(promotions_ended) AS ended FROM driftwatch.promotion_windows FINAL')).toEqual([{ ended: 2 }]);
    expect(await replayed.store.query("SELECT count() AS n, countIf(outcome = 'succeeded') AS succeeded FROM driftwatch.promotion_outcomes FINAL")).toEqual([
      { n: 2, succeeded: 2 },
    ]);
  });

  it('promotion_outcomes: pA once, at its first end, with the retry\'s success', async () => {
    expect(await finalOutcomes(replayed.store)).toEqual([
      { promotion_id: 'pA', first_ended_at: '2026-11-27 10:01:00.000', outcome: 'succeeded', decided_at: '2026-11-27 10:12:00.000' },
      { promotion_id: 'pB', first_ended_at: '2026-11-27 10:21:00.000', outcome: 'succeeded', decided_at: '2026-11-27 10:21:00.000' },
    ]);
  });

  it('fires no alert with the default rule (≥ 20 promotions)', () => {
    expect(replayed.replay.alerts).toEqual([]);
    expect(replayed.replay.summary).toMatchObject({ events: 7, late: 0, deadLetters: 0 });
  });
});

describe('promotion_success_rate_low on virtual time over the fixture (rolling hour, minSamples 1)', () => {
  it('fires at 10:10 (pA rolled back: 0 of 1) and resolves at 10:15, when its retry gives it its success back', () => {
    // 10:05: pA succeeded, 1/1. 10:10: its rollback takes the success back in the window ending 10:05: 0/1, fires.
    // 10:15: the retry's success amends that window again: 1/1, resolved; 10:25: pB, 2/2. (Counted as a second
    // promotion, the retry made it 1 of 2 at 10:15 and 2 of 3 at 10:25: firing until pA's first window left the
    // hour at 11:05.)
    expect(judgeSuccessRate(FIXTURE, 60 * MIN, ['10:30', '11:10'])).toEqual([
      ['firing', '10:10', '10:10'],
      ['resolved', '10:10', '10:15'],
    ]);
  });
});
