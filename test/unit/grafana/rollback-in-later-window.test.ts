/**
 * A rollback in a later 5-minute window than its promotion's success
 * (fixture rollback-in-later-window.ndjson, all prod):
 *   pA  started 10:00, succeeded 10:01, rolled back 10:22
 *   pB  started 10:20, succeeded 10:21
 *   pC  started 10:40, succeeded 10:41
 * Each promotion counts once, attributed to its first end, with its latest
 * outcome (promotion_outcomes): pA ended at 10:01 and is no success (rolled
 * back since); pB and pC succeeded. Hand-checked per range:
 *   10:15–10:35  pB               1/1 → 1    (was 0: pA's rollback, in the 10:20 window, took pB's success)
 *   10:20–10:25  pB               1/1 → 1    (was 0, the same)
 *   10:15–10:50  pB, pC           2/2 → 1    (was 0.5)
 *   10:00–10:15  pA               0/1 → 0    (was 1: the rollback outside the range was not seen)
 *   10:00–10:50  pA, pB, pC       2/3        (was 2/3 too: both ends of pA in the range)
 * pA's rollback at 10:22 falls in 10:15–10:35 but pA does not: it ended at
 * 10:01. Counting it there would make the range's rate depend on when
 * outcomes changed rather than on the promotions that ended in it.
 *
 * The promotion_success_rate_low rule, on virtual time over the same events,
 * judges the promotions that ended in its rolling window with the outcome
 * they have then; with minSamples 1 so that three promotions can fire it.
 */
import { describe, it, expect } from 'vitest';
import { replayedStore } from '../../helpers/replayed-store.js';
import { judgeSuccessRate } from '../../helpers/judge-success-rate.js';
import { runPanel } from './panel-runner.js';

const FIXTURE = 'rollback-in-later-window.ndjson';
const at = (hhmm: string) => new Date(`2026-11-27T${hhmm}:00.000Z`);
const MIN = 60_000;
const replayed = replayedStore(FIXTURE);

/** Panel rows over [from, to]. */
const panel = (uid: string, title: string, from: string, to: string) => runPanel(replayed.store, uid, title, 'All', at(to), {}, at(from));

describe('a promotion rolled back in a later window than its success', () => {
  it('promotion_outcomes holds each promotion once, at its first end, with its latest outcome', async () => {
    expect(
      await replayed.store.query(
        'SELECT promotion_id, toString(first_ended_at) AS first_ended_at, outcome, toString(rolled_back_at) AS rolled_back_at FROM driftwatch.promotion_outcomes FINAL ORDER BY promotion_id',
      ),
    ).toEqual([
      { promotion_id: 'pA', first_ended_at: '2026-11-27 10:01:00.000', outcome: 'succeeded_then_rolled_back', rolled_back_at: '2026-11-27 10:22:00.000' },
      { promotion_id: 'pB', first_ended_at: '2026-11-27 10:21:00.000', outcome: 'succeeded', rolled_back_at: null },
      { promotion_id: 'pC', first_ended_at: '2026-11-27 10:41:00.000', outcome: 'succeeded', rolled_back_at: null },
    ]);
  });

  it.each([
    ['10:15', '10:35', 1],
    ['10:20', '10:25', 1],
    ['10:15', '10:50', 1],
    ['10:00', '10:15', 0],
    ['10:00', '10:50', 2 / 3],
  ])('success rate over %s–%s is %d, on both dashboards and in System status', async (from, to, rate) => {
    const expected = [{ success_rate: expect.closeTo(rate, 9) }];
    expect(await panel('driftwatch-promotions', 'Success rate (target > 95 %)', from, to)).toEqual(expected);
    expect(await panel('driftwatch-overview', 'Promotion success (target > 95 %)', from, to)).toEqual(expected);
    expect((await panel('driftwatch-overview', 'System status', from, to))[0]).toMatchObject({ success_rate: expect.closeTo(rate, 9) });
  });

  it('System status over 10:15–10:35 is GREEN: pB succeeded, and nothing else is amiss (was YELLOW on a rate of 0)', async () => {
    expect((await panel('driftwatch-overview', 'System status', '10:15', '10:35'))[0]).toMatchObject({
      status: 0, open_incidents: 0, mttr_breaches: 0, success_rate: 1, gate_failure_rate: null, snapshot_health: null, mean_duration_minutes: 1,
    });
  });

  it('Promotions ended counts each promotion whose first end is in the range once, by its latest outcome', async () => {
    expect(await panel('driftwatch-promotions', 'Promotions ended', '10:15', '10:35')).toEqual([{ succeeded: 1, failed: 0, rolled_back: 0 }]);
    expect(await panel('driftwatch-promotions', 'Promotions ended', '10:00', '10:15')).toEqual([{ succeeded: 0, failed: 0, rolled_back: 1 }]);
    expect(await panel('driftwatch-promotions', 'Promotions ended', '10:00', '10:50')).toEqual([{ succeeded: 2, failed: 0, rolled_back: 1 }]);
  });

  it('Success rate by environment puts pA in the interval it ended in (5-minute intervals)', async () => {
    // Was 1 at 10:00 (pA's success) and 0 at 10:20 (pA's rollback taking pB's success).
    expect(await panel('driftwatch-promotions', 'Success rate by environment', '10:00', '10:50')).toEqual([
      { time: '2026-11-27 10:00:00', env: 'prod', success_rate: 0 },
      { time: '2026-11-27 10:20:00', env: 'prod', success_rate: 1 },
      { time: '2026-11-27 10:40:00', env: 'prod', success_rate: 1 },
    ]);
  });

  it('the default rule (≥ 20 promotions) fires nothing on three promotions', () => {
    expect(replayed.replay.alerts).toEqual([]);
  });
});

describe('promotion_success_rate_low on virtual time over the fixture (minSamples 1)', () => {
  const judge = (windowMs: number, until: string[]) => judgeSuccessRate(FIXTURE, windowMs, until);

  it('over a rolling 20 min: never fires — each window judged holds one promotion, which succeeded', () => {
    // At 10:25 the window (10:05, 10:25] holds pB only (pA ended in the window ending 10:05): 1/1. It used to
    // read 0/1 there (pA's rollback taking pB's success) and fire; at 10:45, (10:25, 10:45] holds pC: 1/1.
    expect(judge(20 * MIN, ['10:50', '11:30'])).toEqual([]);
  });

  it('over a rolling hour: fires at 10:25 (pA, in the window, no success since its rollback: 1/2) and resolves at 11:05, when pA leaves', () => {
    // 10:25: (9:25, 10:25] holds pA (rolled back) and pB: 1/2. 10:45: 2/3, still firing. 11:05: pA's window
    // (ending 10:05) leaves: pB and pC, 2/2 — resolved. (It used to stay firing until 11:25, with pA's
    // rollback counted in the window ending 10:25 as a success taken from there: 1/2 until then.)
    expect(judge(60 * MIN, ['10:50', '11:04', '11:30'])).toEqual([
      ['firing', '10:25', '10:25'],
      ['resolved', '10:25', '11:05'],
    ]);
  });
});
