/**
 * Judging an observation costs the same however many grace entries its key
 * holds. A flood of failed promotions within one DRIFTWATCH_CONVERGENCE_GRACE
 * leaves one entry per digest (kept on purpose: grace-entries-unbounded.test.ts);
 * each observation used to scan them all — in isAcceptable, and on an
 * evaluation again in prune and nextBoundaryAfter — so 2000 of them made every
 * observation of the key ~2000 times the work.
 *
 * The work is measured as CPU time relative to the same key with one entry,
 * the best of several interleaved rounds (load on a shared machine slows both
 * alike, and the minimum drops the rounds it interrupted): scanning made the
 * ratio ~100 and more, a lookup by digest keeps it near 1.
 */
import { describe, expect, it } from 'vitest';
import { DesiredState } from '../../../processors/desired-state.js';
import type { PromotionEvent } from '../../../schemas/input-events.js';
import { t } from './builders.js';

const grace = 120_000;

function ev(phase: PromotionEvent['phase'], promotionId: string, digest: string): PromotionEvent {
  return { type: 'promotion', eventId: `${promotionId}-${phase}`, occurredAt: '', env: 'prod', artifact: 'a', promotionId, phase, version: `v-${digest}`, digest };
}

/** A key whose desired digest is 'good', past its initial grace, with `n` failed promotions of digests of their own within 100 s. */
function keyWithFailures(n: number): DesiredState {
  const s = new DesiredState({ convergenceGraceMs: grace });
  s.apply(ev('succeeded', 'p0', 'good'), t(0));
  for (let i = 0; i < n; i++) {
    const at = t(200) + Math.floor((i * 100_000) / n);
    s.apply(ev('started', `f-${i}`, `fail-${i}`), at);
    s.apply(ev('failed', `f-${i}`, `fail-${i}`), at);
  }
  return s;
}

/** One observation's work on the key's desired state: judged (a divergent and the newest failed digest), then an evaluation. */
function observe(s: DesiredState, newest: string, at: number): number {
  let acceptable = 0;
  if (s.isAcceptable('bad', at)) acceptable++;
  if (s.isAcceptable(newest, at)) acceptable++;
  s.prune(at);
  return acceptable + (s.nextBoundaryAfter(at) ?? 0);
}

/** CPU nanoseconds for `ops` observations, the best of `rounds`, for each state, interleaved. */
function bestTimes(states: Array<[DesiredState, string]>, ops: number, rounds: number): number[] {
  const best = states.map(() => Number.POSITIVE_INFINITY);
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    states.forEach(([s, newest], k) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < ops; i++) sink += observe(s, newest, t(310) + (i % 1000));
      const took = Number(process.hrtime.bigint() - start);
      if (took < best[k]!) best[k] = took;
    });
  }
  expect(sink).toBeGreaterThan(0); // keeps the work from being optimised away
  return best;
}

describe('grace lookup cost per observation', () => {
  it('2000 grace entries cost an observation about what one does', () => {
    const many = keyWithFailures(2000);
    const one = keyWithFailures(1);
    // Still what the flood makes acceptable (nothing ended by t(310)): every failed digest, nothing else.
    expect(many.isAcceptable('fail-0', t(310))).toBe(true);
    expect(many.isAcceptable('fail-1999', t(310))).toBe(true);
    expect(many.isAcceptable('bad', t(310))).toBe(false);
    expect(many.snapshot().grace).toHaveLength(2000 + 1); // + the initial grace, ended but not yet pruned
    const states: Array<[DesiredState, string]> = [
      [one, 'fail-0'],
      [many, 'fail-1999'],
    ];
    bestTimes(states, 2000, 3); // warm-up
    const [oneNs, manyNs] = bestTimes(states, 5000, 12);
    expect(manyNs! / oneNs!).toBeLessThan(5);
  });
});
