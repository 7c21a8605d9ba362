/**
 * Restart equivalence past MAX_PROMOTIONS_PER_KEY: which promotion a key
 * forgets past the bound must not depend on whether the run was restarted in
 * between. Late `started` events make arrival order differ from event-time
 * order; a restored record's entries come back in another order than they
 * arrived, so a bound that forgot "the first to arrive" forgot a different
 * promotion after a restart than without one.
 */
import { describe, it, expect } from 'vitest';
import { PromotionWindowsProcessor } from '../../../processors/promotion-windows.js';
import { DesiredState, MAX_PROMOTIONS_PER_KEY } from '../../../processors/desired-state.js';
import type { Fact } from '../../../processors/facts.js';
import type { PromotionEvent } from '../../../schemas/input-events.js';
import { MIN, SEC, T0, advance, late, promotion } from '../aggregates/facts.js';
import { Changelog, run, runWithRestart } from './harness.js';

const LATE = 4;

/**
 * A key at the bound with late starts: MAX - LATE in-order starts, then LATE
 * starts older than all of them arriving late (arrival order ≠ event-time
 * order); the cut is here. Then new starts push the key past the bound, and
 * every promotion ends, so a forgotten start shows as a missing duration.
 */
function flood(): { facts: Fact[]; cut: number } {
  const facts: Fact[] = [];
  const base = T0 + 60 * MIN;
  for (let i = 0; i < MAX_PROMOTIONS_PER_KEY - LATE; i++) facts.push(promotion(base + i * SEC, `s-${i}`, 'started'));
  const frontier = base + MAX_PROMOTIONS_PER_KEY * SEC;
  facts.push(advance(frontier));
  for (let k = 0; k < LATE; k++) facts.push(late(promotion(T0 + k * SEC, `late-${k}`, 'started'), frontier));
  const cut = facts.length;
  const next = frontier + MIN;
  for (let k = 0; k < LATE; k++) facts.push(promotion(next + k * SEC, `n-${k}`, 'started'));
  const end = next + 10 * MIN;
  for (let k = 0; k < LATE; k++) facts.push(late(promotion(T0 + 30 * SEC + k, `late-${k}`, 'succeeded'), end));
  for (let i = 0; i < LATE; i++) facts.push(promotion(end + i, `s-${i}`, 'succeeded'));
  facts.push(advance(end + 24 * 60 * MIN));
  return { facts, cut };
}

/** A key's record with its entries sorted (their order in the record is not state). */
function sortedRecord(p: PromotionWindowsProcessor): unknown {
  const state = p.snapshotKey('prod/app');
  if (state === undefined) return undefined;
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, [...(v as Array<[string, unknown]>)].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))]));
}

describe('past MAX_PROMOTIONS_PER_KEY, a restarted run forgets the same promotions as an uninterrupted one', () => {
  it('promotion windows: late starts past the bound give the same rows and outcomes with or without a restart at the bound', () => {
    const { facts, cut } = flood();
    const make = () => new PromotionWindowsProcessor({ windowMs: 5 * MIN });
    const whole = run(make(), facts);
    // Past the bound the run forgot the LATE oldest starts (the late ones): their ends give no duration, the others' do.
    const durations = whole.flatMap((f) => (f.kind === 'promotion-window' ? (f.row.slowest ?? []).map((s) => s.promotionId) : [])).sort();
    expect(durations).toEqual(Array.from({ length: LATE }, (_, i) => `s-${i}`));
    expect(runWithRestart(make, facts, cut)).toEqual(whole);
  });

  it('promotion windows: the key state after the bound is the same with or without a restart', () => {
    const { facts, cut } = flood();
    const make = () => new PromotionWindowsProcessor({ windowMs: 5 * MIN });
    const head = facts.slice(0, cut);
    // Only the starts past the bound: the key's record, not yet expired.
    const tail = facts.slice(cut, cut + LATE);
    const uninterrupted = make();
    run(uninterrupted, [...head, ...tail]);
    const before = make();
    run(before, head);
    const changelog = new Changelog();
    changelog.flush(before, true);
    const after = make();
    changelog.restoreInto(after);
    run(after, tail);
    expect(uninterrupted.pendingPromotions).toBe(MAX_PROMOTIONS_PER_KEY);
    expect(sortedRecord(after)).toEqual(sortedRecord(uninterrupted));
  });

  it('desired state: late starts past the bound leave the same in-flight promotions with or without a restart', () => {
    const opts = { convergenceGraceMs: 2 * MIN };
    const started = (id: string, i: number): PromotionEvent => ({ type: 'promotion', eventId: `e-${id}`, occurredAt: '', env: 'prod', artifact: 'a', promotionId: id, phase: 'started', version: `v-${id}`, digest: `D-${id}` });
    const base = T0 + 60 * MIN;
    const head = (s: DesiredState) => {
      for (let i = 0; i < MAX_PROMOTIONS_PER_KEY - LATE; i++) s.apply(started(`s-${i}`, i), base + i * SEC);
      for (let k = 0; k < LATE; k++) s.apply(started(`late-${k}`, k), T0 + k * SEC, base + MAX_PROMOTIONS_PER_KEY * SEC, true);
    };
    const tail = (s: DesiredState) => {
      for (let k = 0; k < LATE; k++) s.apply(started(`n-${k}`, k), base + (MAX_PROMOTIONS_PER_KEY + 60 + k) * SEC);
    };
    const uninterrupted = new DesiredState(opts);
    head(uninterrupted);
    tail(uninterrupted);
    const before = new DesiredState(opts);
    head(before);
    const after = DesiredState.restore(opts, JSON.parse(JSON.stringify(before.snapshot())));
    tail(after);
    const ids = (s: DesiredState) => s.snapshot().inFlight.map((f) => f.promotionId).sort();
    expect(ids(after)).toEqual(ids(uninterrupted));
    expect(ids(after)).toHaveLength(MAX_PROMOTIONS_PER_KEY);
  });
});
