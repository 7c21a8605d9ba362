import { describe, it, expect } from 'vitest';
import { PromotionWindowsProcessor } from '../../../processors/promotion-windows.js';
import { runProcessor } from '../../../processors/processor.js';
import type { PromotionWindowRow } from '../../../processors/promotion-facts.js';
import { MIN, SEC, T0, advance, hydration, late, ofKind, promotion } from './facts.js';

const W = 5 * MIN;
const HOUR = 60 * MIN;
const make = () => new PromotionWindowsProcessor({ windowMs: W });
const rows = (out: ReturnType<typeof runProcessor>) => ofKind(out, 'promotion-window');
/** Each window's row as [its index from T0, ...the `counts` asked for]. */
const byWindow = (out: ReturnType<typeof runProcessor>, ...counts: Array<keyof PromotionWindowRow>) =>
  rows(out).map((f) => [(f.row.windowStart - T0) / W, ...counts.map((c) => f.row[c])]);
/** Each promotion-outcome as [promotionId, first end, outcome, decided at], times in minutes from T0. */
const outcomesInMinutes = (out: ReturnType<typeof runProcessor>) =>
  ofKind(out, 'promotion-outcome').map(({ outcome: o }) => [o.promotionId, (o.firstEndedAt - T0) / MIN, o.outcome, (o.decidedAt - T0) / MIN]);

describe('PromotionWindowsProcessor', () => {
  it('counts lifecycle phases and duration quantiles of promotions ending in the window', () => {
    const out = runProcessor(make(), [
      promotion(T0, 'p1', 'started'),
      promotion(T0 + 10 * SEC, 'p2', 'started'),
      promotion(T0 + 20 * SEC, 'p3', 'started'),
      promotion(T0 + 60 * SEC, 'p1', 'succeeded'), // 60 s
      promotion(T0 + 130 * SEC, 'p2', 'failed'), // 120 s
      promotion(T0 + 200 * SEC, 'p3', 'rolled_back', { rollbackTo: { version: '1.0.0', digest: 'd0' } }), // 180 s
      advance(Infinity),
    ]);
    const [f] = rows(out);
    expect(f!.at).toBe(T0 + W);
    expect(f!.row).toEqual({
      windowStart: T0,
      windowEnd: T0 + W,
      env: 'prod',
      started: 3,
      succeeded: 1,
      failed: 1,
      rolledBack: 1,
      rolledBackAfterSuccess: 0,
      promotionsEnded: 3,
      endedSucceeded: 1,
      successChanges: [],
      durationCount: 3,
      durationSumMs: 360_000,
      durationP50Ms: 120_000,
      durationP90Ms: 180_000,
      durationMaxMs: 180_000,
      snapshotsVerified: 0,
      snapshotsUnverified: 0,
      gates: [],
      // For the alert texts: what each promotion's outcome was left at (under the window it is counted in), and the slowest
      // attempts. p1, a success counted in this very window, names nothing (promotion-decided-notes.ts).
      decided: [
        { promotionId: 'p2', artifact: 'app', countedIn: T0 + W, decidedAt: T0 + 130 * SEC, succeeded: false, rolledBack: false },
        { promotionId: 'p3', artifact: 'app', countedIn: T0 + W, decidedAt: T0 + 200 * SEC, succeeded: false, rolledBack: true, rollbackTo: '1.0.0' },
      ],
      slowest: [
        { promotionId: 'p3', artifact: 'app', durationMs: 180_000, endedAt: T0 + 200 * SEC },
        { promotionId: 'p2', artifact: 'app', durationMs: 120_000, endedAt: T0 + 130 * SEC },
        { promotionId: 'p1', artifact: 'app', version: '1.2.3', durationMs: 60_000, endedAt: T0 + 60 * SEC },
      ],
    });
  });

  it('reports a duration in the window of the terminal event when a promotion spans a boundary', () => {
    const out = runProcessor(make(), [
      promotion(T0 + 4 * MIN, 'p1', 'started'),
      promotion(T0 + 7 * MIN, 'p1', 'succeeded'),
      advance(Infinity),
    ]);
    const [first, second] = rows(out).map((f) => f.row);
    expect(first).toMatchObject({ windowStart: T0, started: 1, succeeded: 0, durationCount: 0, durationP50Ms: null, durationMaxMs: null });
    expect(second).toMatchObject({ windowStart: T0 + W, started: 0, succeeded: 1, durationCount: 1, durationSumMs: 180_000, durationP50Ms: 180_000, durationP90Ms: 180_000 });
  });

  it('emits per-gate pass/fail and gate duration quantiles, and snapshot verification counts', () => {
    const gate = (at: number, name: string, result: 'passed' | 'failed', durationMs: number) =>
      promotion(at, 'p1', 'gate', { gate: { name, result, durationMs } });
    const out = runProcessor(make(), [
      promotion(T0, 'p1', 'started'),
      gate(T0 + 1, 'tests', 'passed', 1000),
      gate(T0 + 2, 'tests', 'failed', 2000),
      gate(T0 + 3, 'tests', 'passed', 3000),
      gate(T0 + 4, 'security', 'failed', 500),
      promotion(T0 + 5, 'p1', 'snapshot', { snapshot: { snapshotId: 's1', verified: true } }),
      promotion(T0 + 6, 'p1', 'snapshot', { snapshot: { snapshotId: 's2', verified: false } }),
      promotion(T0 + 7, 'p1', 'snapshot', { snapshot: { snapshotId: 's3', verified: false } }),
      advance(Infinity),
    ]);
    const [f] = rows(out);
    expect(f!.row.gates).toEqual([
      { gate: 'security', passed: 0, failed: 1, durationP50Ms: 500, durationP90Ms: 500, failedRuns: [{ promotionId: 'p1', artifact: 'app', at: T0 + 4 }] },
      { gate: 'tests', passed: 2, failed: 1, durationP50Ms: 2000, durationP90Ms: 3000, failedRuns: [{ promotionId: 'p1', artifact: 'app', at: T0 + 2 }] },
    ]);
    expect(f!.row).toMatchObject({ snapshotsVerified: 1, snapshotsUnverified: 2, started: 1 });
  });

  it('keeps envs apart, emits only active windows and ignores non-promotion events', () => {
    const out = runProcessor(make(), [
      promotion(T0, 'p1', 'started', { env: 'staging' }),
      promotion(T0 + 1, 'p1', 'started', { env: 'prod' }), // same id, other env: another promotion
      hydration(T0 + 2 * W),
      promotion(T0 + 3 * W, 'p1', 'succeeded', { env: 'prod' }),
      advance(Infinity),
    ]);
    expect(rows(out).map((f) => [f.row.windowStart, f.row.env, f.row.started, f.row.succeeded, f.row.durationSumMs])).toEqual([
      [T0, 'prod', 1, 0, 0],
      [T0, 'staging', 1, 0, 0],
      [T0 + 3 * W, 'prod', 0, 1, 3 * W - 1],
    ]);
  });

  it('forgets a start after 24 h and counts one duration per promotion', () => {
    const p = make();
    const out = runProcessor(p, [
      promotion(T0, 'old', 'started'),
      promotion(T0 + 10 * SEC, 'p2', 'started'),
      promotion(T0 + 20 * SEC, 'p2', 'succeeded'),
      promotion(T0 + 30 * SEC, 'p2', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } }),
      promotion(T0 + 24 * HOUR + MIN, 'old', 'succeeded'),
      advance(Infinity),
    ]);
    const [first, last] = rows(out).map((f) => f.row);
    expect(first).toMatchObject({ started: 2, succeeded: 1, rolledBack: 1, rolledBackAfterSuccess: 1, durationCount: 1, durationSumMs: 10_000 });
    expect(last).toMatchObject({ succeeded: 1, durationCount: 0 });
    expect(p.pendingPromotions).toBe(0);
  });

  it('counts a rollback of a succeeded promotion as taking its success back, in the rollback window, once', () => {
    const rollback = (at: number, id: string, env = 'prod') =>
      promotion(at, id, 'rolled_back', { env, rollbackTo: { version: '1', digest: 'd0' } });
    const out = runProcessor(make(), [
      promotion(T0, 'p1', 'started'),
      promotion(T0 + 10 * SEC, 'p1', 'succeeded'),
      promotion(T0 + 20 * SEC, 'p2', 'started'),
      promotion(T0 + 30 * SEC, 'p2', 'succeeded'),
      promotion(T0 + 40 * SEC, 'p3', 'succeeded', { env: 'qa' }),
      rollback(T0 + W + MIN, 'p2'), // p2's success is taken back in the next window
      rollback(T0 + W + 2 * MIN, 'p2'), // a second rollback of p2 has no success left to take back
      rollback(T0 + W + 3 * MIN, 'p9'), // never succeeded: a plain rollback
      rollback(T0 + W + 4 * MIN, 'p3', 'prod'), // p3 succeeded in qa, not in prod
      advance(Infinity),
    ]);
    expect(rows(out).map((f) => [f.row.windowStart, f.row.env, f.row.succeeded, f.row.rolledBack, f.row.rolledBackAfterSuccess])).toEqual([
      [T0, 'prod', 2, 0, 0],
      [T0, 'qa', 1, 0, 0],
      [T0 + W, 'prod', 0, 4, 1],
    ]);
  });

  it('ends each promotion once: a rollback after its success or failure, or a retry under its id, does not end it again', () => {
    const rollback = (at: number, id: string) => promotion(at, id, 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } });
    const out = runProcessor(make(), [
      promotion(T0, 'p1', 'succeeded'),
      promotion(T0 + 10 * SEC, 'p2', 'failed'), // a failed canary…
      promotion(T0 + 20 * SEC, 'p3', 'failed'),
      promotion(T0 + 30 * SEC, 'p4', 'failed'),
      promotion(T0 + 40 * SEC, 'p4', 'succeeded'), // …retried under its id: p4 ended at its failure, and now succeeded
      rollback(T0 + W + MIN, 'p1'), // takes p1's success back, ends nothing
      rollback(T0 + W + 2 * MIN, 'p2'), // …rolled back: p2 ended with its failure
      rollback(T0 + W + 3 * MIN, 'p2'), // a second rollback of p2, rolled back already: ends nothing
      rollback(T0 + W + 4 * MIN, 'p9'), // no outcome seen: the rollback ends p9
      advance(Infinity),
    ]);
    expect(rows(out).map((f) => [f.row.windowStart, f.row.succeeded, f.row.failed, f.row.rolledBack, f.row.rolledBackAfterSuccess, f.row.promotionsEnded])).toEqual([
      [T0, 2, 3, 0, 0, 4],
      [T0 + W, 0, 0, 4, 1, 1],
    ]);
  });

  it('a retry after a rollback is the same promotion: it changes the outcome counted at the first end and ends nothing again', () => {
    const rollback = (at: number, id: string) => promotion(at, id, 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } });
    const out = runProcessor(make(), [
      promotion(T0, 'p1', 'started'),
      promotion(T0 + MIN, 'p1', 'succeeded'), // window 0: p1 ends, succeeded
      promotion(T0 + 2 * MIN, 'p2', 'failed'), // window 0: p2 ends, failed (a canary)…
      rollback(T0 + W + MIN, 'p1'), // window 1: p1's success taken back from window 0
      rollback(T0 + W + 2 * MIN, 'p2'), // …rolled back: still failed
      rollback(T0 + W + 3 * MIN, 'p3'), // nothing ended p3: its rollback ends it
      rollback(T0 + W + 4 * MIN, 'p1'), // rolled back again: nothing left to take back, nothing ends
      promotion(T0 + 2 * W, 'p1', 'started'), // window 2: p1 retried…
      promotion(T0 + 2 * W + MIN, 'p1', 'succeeded'), // …into a success: +1 in window 0, no second end
      promotion(T0 + 2 * W + 2 * MIN, 'p2', 'succeeded'), // p2 retried into a success: +1 in window 0
      promotion(T0 + 2 * W + 3 * MIN, 'p3', 'failed'), // p3 retried and failed: no success either way, no second end
      rollback(T0 + 3 * W, 'p1'), // window 3: the retried success rolled back: taken back from window 0 again
      advance(Infinity),
    ]);
    expect(byWindow(out, 'rolledBack', 'rolledBackAfterSuccess', 'promotionsEnded', 'endedSucceeded', 'successChanges')).toEqual([
      [0, 0, 0, 2, 1, []],
      [1, 4, 1, 1, 0, [{ windowEnd: T0 + W, delta: -1 }]],
      [2, 0, 0, 0, 0, [{ windowEnd: T0 + W, delta: 2 }]],
      [3, 1, 1, 0, 0, [{ windowEnd: T0 + W, delta: -1 }]],
    ]);
    expect(outcomesInMinutes(out)).toEqual([
      ['p1', 1, 'succeeded', 1],
      ['p2', 2, 'failed', 2],
      ['p1', 1, 'succeeded_then_rolled_back', 6],
      ['p2', 2, 'failed', 7],
      ['p3', 8, 'rolled_back', 8],
      ['p1', 1, 'succeeded', 11],
      ['p2', 2, 'succeeded', 12],
      ['p3', 8, 'failed', 13],
      ['p1', 1, 'succeeded_then_rolled_back', 15],
    ]);
  });

  describe('a success or failure learnt late after the rollback that ended its promotion, from before that rollback (its window still open)', () => {
    const rollback = (at: number) => promotion(at, 'p1', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } });
    /** p1 started at T0, ended by `phase` at T0 + 1 min and rolled back at T0 + 2 min; p2 ended by its rollback alone. */
    const inOrder = (phase: 'succeeded' | 'failed') => [
      promotion(T0, 'p1', 'started'),
      promotion(T0 + MIN, 'p1', phase),
      rollback(T0 + 2 * MIN),
      promotion(T0 + 2 * MIN, 'p2', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } }),
      advance(Infinity),
    ];
    /** The same events, p1's `phase` learnt after its rollback, at a frontier of T0 + 3 min. */
    const learntLate = (phase: 'succeeded' | 'failed') => [
      promotion(T0, 'p1', 'started'),
      rollback(T0 + 2 * MIN),
      promotion(T0 + 2 * MIN, 'p2', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } }),
      late(promotion(T0 + MIN, 'p1', phase), T0 + 3 * MIN),
      advance(Infinity),
    ];
    const outcomesWithRollback = (out: ReturnType<typeof runProcessor>) =>
      ofKind(out, 'promotion-outcome').map(({ outcome: o }) => [o.promotionId, (o.firstEndedAt - T0) / MIN, o.outcome, (o.decidedAt - T0) / MIN, o.rolledBackAt === undefined ? undefined : (o.rolledBackAt - T0) / MIN]);
    /** p1's latest outcome (what promotion_outcomes FINAL keeps). */
    const p1Outcome = (out: ReturnType<typeof runProcessor>) => outcomesWithRollback(out).filter(([id]) => id === 'p1').at(-1);

    it('a success ends it at its own time, with its duration, and the rollback takes it back: as in order', () => {
      const out = runProcessor(make(), learntLate('succeeded'));
      const [row] = rows(out).map((f) => f.row);
      expect(row).toMatchObject({ succeeded: 1, rolledBack: 2, rolledBackAfterSuccess: 1, promotionsEnded: 2, endedSucceeded: 1, successChanges: [{ windowEnd: T0 + W, delta: -1 }] });
      expect(row).toMatchObject({ durationCount: 1, durationSumMs: MIN }); // 60 s to the success, not 120 s to the rollback
      expect(outcomesWithRollback(out)).toEqual([
        ['p1', 2, 'rolled_back', 2, 2],
        ['p2', 2, 'rolled_back', 2, 2],
        ['p1', 1, 'succeeded_then_rolled_back', 2, 2], // decided by the rollback, as in order
      ]);
      expect(rows(out)).toEqual(rows(runProcessor(make(), inOrder('succeeded'))));
      expect(p1Outcome(out)).toEqual(p1Outcome(runProcessor(make(), inOrder('succeeded'))));
    });

    it('a failure ends it at its own time and stays its outcome, rolled back', () => {
      const out = runProcessor(make(), learntLate('failed'));
      expect(rows(out).map((f) => f.row)).toEqual([expect.objectContaining({ failed: 1, rolledBack: 2, rolledBackAfterSuccess: 0, promotionsEnded: 2, endedSucceeded: 0, successChanges: [], durationSumMs: MIN })]);
      expect(outcomesWithRollback(out).slice(-1)).toEqual([['p1', 1, 'failed', 2, 2]]);
      expect(rows(out)).toEqual(rows(runProcessor(make(), inOrder('failed'))));
      expect(p1Outcome(out)).toEqual(p1Outcome(runProcessor(make(), inOrder('failed'))));
    });

    it('a later retry of it is still one promotion, first ended at the late success', () => {
      const events = learntLate('succeeded');
      const out = runProcessor(make(), [...events.slice(0, -1), promotion(T0 + 4 * MIN, 'p1', 'succeeded'), advance(Infinity)]);
      expect(rows(out).map((f) => [f.row.promotionsEnded, f.row.successChanges])).toEqual([[2, []]]);
      expect(outcomesWithRollback(out).slice(-1)).toEqual([['p1', 1, 'succeeded', 4, undefined]]);
    });
  });

  it('a success learnt late after its promotion\'s rollback, from after a first end the rollback followed, is the outcome that rollback took, as in order', () => {
    const out = runProcessor(make(), [
      promotion(T0, 'p1', 'failed'),
      promotion(T0 + 2 * MIN, 'p1', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } }),
      late(promotion(T0 + MIN, 'p1', 'succeeded'), T0 + 3 * MIN),
      advance(Infinity),
    ]);
    // Failed, retried into a success, and that success rolled back: ended once, no success, no change left over.
    expect(byWindow(out, 'promotionsEnded', 'endedSucceeded', 'rolledBackAfterSuccess', 'successChanges')).toEqual([[0, 1, 0, 1, []]]);
    expect(outcomesInMinutes(out).slice(-1)).toEqual([['p1', 0, 'succeeded_then_rolled_back', 2]]);
  });

  it('forgets a rollback 24 h after its promotion\'s first end: a retry after that ends the promotion anew', () => {
    const p = make();
    const out = runProcessor(p, [
      promotion(T0, 'p1', 'succeeded'),
      promotion(T0 + HOUR, 'p1', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } }),
      promotion(T0 + 24 * HOUR + MIN, 'p1', 'succeeded'),
      advance(Infinity),
    ]);
    expect(rows(out).map((f) => f.row.promotionsEnded)).toEqual([1, 0, 1]);
    expect(p.snapshotKey('prod/app')).toBeUndefined();
  });

  it('emits each promotion\'s outcome, attributed to its first end, and takes a rolled-back success back from the window that counted it', () => {
    const rollback = (at: number, id: string) => promotion(at, id, 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } });
    const out = runProcessor(make(), [
      promotion(T0, 'p1', 'succeeded'),
      promotion(T0 + 10 * SEC, 'p2', 'failed'),
      promotion(T0 + 30 * SEC, 'p4', 'failed'),
      promotion(T0 + 40 * SEC, 'p4', 'succeeded'), // a retry: its outcome, p4's first end stays
      rollback(T0 + 2 * W + MIN, 'p1'), // two windows later: no success, still ended at T0
      rollback(T0 + 2 * W + 2 * MIN, 'p2'), // a failed canary rolled back: still failed
      rollback(T0 + 2 * W + 3 * MIN, 'p9'), // nothing ended p9 before: ended by its rollback
      advance(Infinity),
    ]);
    const t = (ms: number) => (ms - T0) / SEC;
    expect(ofKind(out, 'promotion-outcome').map(({ at, outcome: o }) => [t(at), o.promotionId, t(o.firstEndedAt), o.outcome, t(o.decidedAt), o.rolledBackAt === undefined ? null : t(o.rolledBackAt)])).toEqual([
      [0, 'p1', 0, 'succeeded', 0, null],
      [10, 'p2', 10, 'failed', 10, null],
      [30, 'p4', 30, 'failed', 30, null],
      [40, 'p4', 30, 'succeeded', 40, null],
      [660, 'p1', 0, 'succeeded_then_rolled_back', 660, 660],
      [720, 'p2', 10, 'failed', 720, 720],
      [780, 'p9', 780, 'rolled_back', 780, 780],
    ]);
    // p1's rollback (window 2) takes back the success counted in window 0 (ending at T0 + W), not one of window 2.
    // p4's retry ends nothing: it gives p4, counted as failed in window 0, its success there (+1, in window 0 itself).
    expect(rows(out).map((f) => [f.row.windowStart, f.row.succeeded, f.row.rolledBackAfterSuccess, f.row.promotionsEnded, f.row.endedSucceeded, f.row.successChanges])).toEqual([
      [T0, 2, 0, 3, 1, [{ windowEnd: T0 + W, delta: 1 }]],
      [T0 + 2 * W, 0, 1, 1, 0, [{ windowEnd: T0 + W, delta: -1 }]],
    ]);
  });

  it('a retry under the same id changes the outcome counted at the first end, in the window that counted it', () => {
    const rollback = (at: number, id: string) => promotion(at, id, 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } });
    const out = runProcessor(make(), [
      promotion(T0, 'p1', 'started'),
      promotion(T0 + MIN, 'p1', 'failed'), // window 0: p1 ends, failed
      promotion(T0 + 2 * MIN, 'p2', 'succeeded'), // window 0: p2 ends, succeeded
      promotion(T0 + 3 * MIN, 'p3', 'failed'), // window 0: p3 ends, failed
      promotion(T0 + W + MIN, 'p1', 'started'), // window 1: p1 retried…
      promotion(T0 + W + 2 * MIN, 'p1', 'succeeded'), // …into a success: +1 in window 0, no second end
      promotion(T0 + W + 3 * MIN, 'p3', 'failed'), // a retry failing again changes nothing
      promotion(T0 + 2 * W, 'p2', 'failed'), // window 2: p2 re-run and failed: its success taken back from window 0
      rollback(T0 + 3 * W, 'p1'), // window 3: p1's (retried) success rolled back: taken back from window 0 too
      advance(Infinity),
    ]);
    expect(byWindow(out, 'succeeded', 'failed', 'promotionsEnded', 'endedSucceeded', 'successChanges')).toEqual([
      [0, 1, 2, 3, 1, []],
      [1, 1, 1, 0, 0, [{ windowEnd: T0 + W, delta: 1 }]],
      [2, 0, 1, 0, 0, [{ windowEnd: T0 + W, delta: -1 }]],
      [3, 0, 0, 0, 0, [{ windowEnd: T0 + W, delta: -1 }]],
    ]);
    expect(outcomesInMinutes(out)).toEqual([
      ['p1', 1, 'failed', 1],
      ['p2', 2, 'succeeded', 2],
      ['p3', 3, 'failed', 3],
      ['p1', 1, 'succeeded', 7],
      ['p3', 3, 'failed', 8],
      ['p2', 2, 'failed', 10],
      ['p1', 1, 'succeeded_then_rolled_back', 15],
    ]);
    // Each attempt has its own duration: p1's first (1 min, window 0) and its retry's (1 min, window 1).
    expect(rows(out).map((f) => f.row.durationCount)).toEqual([1, 1, 0, 0]);
  });

  it('a late rollback gives no outcome (as it counts in no window)', () => {
    const rolledBackLate = promotion(T0 + 2 * MIN, 'p1', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } });
    const out = runProcessor(make(), [promotion(T0, 'p1', 'succeeded'), advance(T0 + W + MIN), late(rolledBackLate, T0 + W + MIN), advance(Infinity)]);
    expect(ofKind(out, 'promotion-outcome').map((f) => f.outcome.outcome)).toEqual(['succeeded']);
  });

  it.each(['succeeded', 'failed'] as const)('forgets an outcome (%s) 24 h after it: a later rollback is a plain one, ending its promotion', (outcome) => {
    const p = make();
    const out = runProcessor(p, [
      promotion(T0, 'p1', outcome),
      promotion(T0 + 24 * HOUR + MIN, 'p1', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } }),
      advance(Infinity),
    ]);
    expect(rows(out).map((f) => [f.row.rolledBackAfterSuccess, f.row.promotionsEnded])).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(p.snapshotKey('prod/app')).toBeUndefined();
  });

  it('a late success is not counted, so its rollback takes nothing back', () => {
    const succeededLate = promotion(T0 + 10 * SEC, 'p1', 'succeeded');
    const out = runProcessor(make(), [
      promotion(T0, 'p0', 'started'),
      advance(T0 + W + MIN),
      late(succeededLate, T0 + W + MIN),
      promotion(T0 + W + 2 * MIN, 'p1', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } }),
      advance(Infinity),
    ]);
    expect(rows(out).map((f) => [f.row.succeeded, f.row.rolledBack, f.row.rolledBackAfterSuccess])).toEqual([
      [0, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('does not count late promotion events, but a late start still gives its promotion a duration', () => {
    const startedLate = promotion(T0 + 10 * SEC, 'p1', 'started');
    const out = runProcessor(make(), [
      promotion(T0, 'p0', 'started'),
      advance(T0 + W + MIN),
      late(startedLate, T0 + W + MIN),
      promotion(T0 + W + 2 * MIN, 'p1', 'succeeded'),
      advance(Infinity),
    ]);
    const [first, second] = rows(out).map((f) => f.row);
    expect(first).toMatchObject({ windowStart: T0, started: 1 });
    expect(second).toMatchObject({ windowStart: T0 + W, started: 0, succeeded: 1, durationSumMs: W + 2 * MIN - 10 * SEC });
  });
  it('counts a late event of the window the frontier is still in as in order: a terminal ends its promotion, with its duration and outcome', () => {
    const out = runProcessor(make(), [
      promotion(T0, 'p1', 'started'),
      promotion(T0 + 3 * MIN, 'p0', 'started'),
      // Occurred in [T0, T0+W), learnt at T0 + 4 min: that window has not closed.
      late(promotion(T0 + 2 * MIN, 'p1', 'succeeded'), T0 + 4 * MIN),
      late(promotion(T0 + 2 * MIN, 'p2', 'gate', { gate: { name: 'smoke', result: 'failed', durationMs: 1000 } }), T0 + 4 * MIN),
      advance(Infinity),
    ]);
    expect(rows(out)[0]!.row).toMatchObject({ windowStart: T0, started: 2, succeeded: 1, promotionsEnded: 1, durationCount: 1, durationSumMs: 2 * MIN });
    expect(rows(out)[0]!.row.gates).toEqual([expect.objectContaining({ gate: 'smoke', passed: 0, failed: 1 })]);
    // At the frontier, attributed to its own time.
    expect(ofKind(out, 'promotion-outcome').map((f) => [f.at, f.outcome.outcome, f.outcome.firstEndedAt])).toEqual([[T0 + 4 * MIN, 'succeeded', T0 + 2 * MIN]]);
  });

  it('a late start of an attempt that already ended gives that attempt its duration in the window of its end, if still open, and is not left waiting', () => {
    const out = runProcessor(make(), [
      promotion(T0 + W + 10 * SEC, 'p1', 'succeeded'), // no start known: no duration
      promotion(T0 + W + 20 * SEC, 'p2', 'failed'),
      promotion(T0 + W + 3 * MIN, 'p0', 'started'),
      late(promotion(T0 + W + 5 * SEC, 'p1', 'started'), T0 + W + 2 * MIN), // its own window, open: counts as started
      late(promotion(T0 + W - 10 * SEC, 'p2', 'started'), T0 + W + 2 * MIN), // of a closed window; its end's is open
      // A rollback of p2 later: no duration from p2's late start (it no longer waits).
      promotion(T0 + 2 * W + MIN, 'p2', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } }),
      advance(Infinity),
    ]);
    const [second, third] = rows(out).map((f) => f.row);
    expect(second).toMatchObject({ windowStart: T0 + W, started: 2, durationCount: 2, durationSumMs: 5 * SEC + 30 * SEC });
    expect(third).toMatchObject({ windowStart: T0 + 2 * W, rolledBack: 1, durationCount: 0 });
  });
});
