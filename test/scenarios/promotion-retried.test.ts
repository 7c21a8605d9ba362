/**
 * A promotion that fails and is retried under the same promotionId
 * (fixture promotion-retried.ndjson, all staging, every gate `smoke`):
 *   p01..p18  started 10:00:10 + 3 min × i, gate passed 20 s later, succeeded 1 min after the start
 *   pR1       started 10:02, gate failed 10:03, failed 10:03:30        (window 10:00–10:05)
 *             started 10:12, gate passed 10:12:30, succeeded 10:13     (window 10:10–10:15, the first one closed)
 *   pR2       started 10:31, gate passed 10:31:30, failed 10:32,
 *             started 10:33, gate passed 10:33:30, succeeded 10:34     (all in window 10:30–10:35)
 *
 * 20 promotions, each counted once, at its first end, with its latest
 * outcome (promotion_outcomes, the dashboards, promotion_success_rate_low):
 * all 20 succeeded → 100 %, no alert. Counting the retries' failures and
 * successes as promotions of their own made it 20 of 22 (90.9 %, ≥ 20
 * promotions): the rule fired at 10:50 and stayed firing until 11:35.
 *
 * Durations and gate runs are per attempt (a retry is run again): 22
 * durations, all 60 s but pR1's failed attempt (90 s), mean 61.4 s; 22 smoke
 * runs, 1 failed: 4.5 % < 5 % → neither promotion_duration_high nor
 * gate_failure_rate_high fires.
 */
import { describe, it, expect } from 'vitest';
import { replayedStore } from '../helpers/replayed-store.js';
import { judgeSuccessRate } from '../helpers/judge-success-rate.js';

const FIXTURE = 'promotion-retried.ndjson';
const MIN = 60_000;
const replayed = replayedStore(FIXTURE);

describe('a promotion failed and retried under the same id', () => {
  it('fires no alert: 20 of 20 promotions succeeded, 1 of 22 gate runs failed, mean duration 61.4 s', () => {
    expect(replayed.replay.alerts).toEqual([]);
    expect(replayed.replay.incidents).toEqual([]);
    expect(replayed.replay.summary).toMatchObject({ events: 66, late: 0, deadLetters: 0 });
  });

  it('promotion_outcomes: one row per promotion, the retried ones at their failure, with their success', async () => {
    const rows = await replayed.store.query<Record<string, unknown>>(
      "SELECT promotion_id, toString(first_ended_at) AS first_ended_at, outcome, toString(decided_at) AS decided_at FROM driftwatch.promotion_outcomes FINAL WHERE promotion_id LIKE 'pR%' ORDER BY promotion_id",
    );
    expect(rows).toEqual([
      { promotion_id: 'pR1', first_ended_at: '2026-11-27 10:03:30.000', outcome: 'succeeded', decided_at: '2026-11-27 10:13:00.000' },
      { promotion_id: 'pR2', first_ended_at: '2026-11-27 10:32:00.000', outcome: 'succeeded', decided_at: '2026-11-27 10:34:00.000' },
    ]);
    expect(await replayed.store.query('SELECT count() AS n, countIf(outcome = \'succeeded\') AS succeeded FROM driftwatch.promotion_outcomes FINAL')).toEqual([
      { n: 20, succeeded: 20 },
    ]);
  });

  it('promotion_windows: events per window as they happened; a promotion ends once, in the window of its first end', async () => {
    const rows = await replayed.store.query<Record<string, unknown>>(
      'SELECT substring(toString(window_start), 12, 5) AS w, started, succeeded, failed, promotions_ended AS ended, duration_count AS d, duration_sum_ms AS dsum FROM driftwatch.promotion_windows FINAL ORDER BY window_start',
    );
    expect(rows).toEqual([
      { w: '10:00', started: 3, succeeded: 2, failed: 1, ended: 3, d: 3, dsum: 210_000 }, // p01, pR1 (failed, 90 s), p02
      { w: '10:05', started: 2, succeeded: 1, failed: 0, ended: 1, d: 1, dsum: 60_000 }, // p03 (p04 starts)
      { w: '10:10', started: 2, succeeded: 3, failed: 0, ended: 2, d: 3, dsum: 180_000 }, // p04, p05; pR1's retry: no end, a duration
      { w: '10:15', started: 2, succeeded: 2, failed: 0, ended: 2, d: 2, dsum: 120_000 },
      { w: '10:20', started: 2, succeeded: 1, failed: 0, ended: 1, d: 1, dsum: 60_000 },
      { w: '10:25', started: 1, succeeded: 2, failed: 0, ended: 2, d: 2, dsum: 120_000 },
      { w: '10:30', started: 4, succeeded: 3, failed: 1, ended: 3, d: 4, dsum: 240_000 }, // p11, pR2 (failed, then retried), p12
      { w: '10:35', started: 2, succeeded: 1, failed: 0, ended: 1, d: 1, dsum: 60_000 },
      { w: '10:40', started: 1, succeeded: 2, failed: 0, ended: 2, d: 2, dsum: 120_000 },
      { w: '10:45', started: 2, succeeded: 2, failed: 0, ended: 2, d: 2, dsum: 120_000 },
      { w: '10:50', started: 1, succeeded: 1, failed: 0, ended: 1, d: 1, dsum: 60_000 },
    ]);
    expect(await replayed.store.query('SELECT sum(passed) AS passed, sum(failed) AS failed FROM driftwatch.gate_windows FINAL')).toEqual([{ passed: 21, failed: 1 }]);
  });
});

describe('promotion_success_rate_low on virtual time over the fixture (rolling hour, minSamples 1)', () => {
  it('fires at 10:05 on pR1 failed (2 of 3) and resolves at 10:15, when its retry succeeded: the failure was amended in its window', () => {
    // 10:05: p01, p02 succeeded, pR1 failed: 2/3. 10:10: p03, 3/4. 10:15: pR1's success takes its failure back in
    // the window ending 10:05, where pR1 is counted; p04 and p05 end: 6/6. pR2's failure and success share the
    // window ending 10:35: it counts once, succeeded. (Counted as promotions of their own, the failures stayed in
    // the hour until 11:05 and 11:35: resolved 11:35.)
    expect(judgeSuccessRate(FIXTURE, 60 * MIN, ['11:00', '11:40'])).toEqual([
      ['firing', '10:05', '10:05'],
      ['resolved', '10:05', '10:15'],
    ]);
  });
});
