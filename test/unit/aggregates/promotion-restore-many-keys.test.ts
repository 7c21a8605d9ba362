/**
 * A rebalance restores many keys one by one (restoreKey), and each drops its
 * promotions' logs of the window in progress (promotion-window-logs.ts). That
 * must cost the key's own logs, not a walk over every key's: with a log per
 * key, restoring N keys walked N² logs. Work is counted in elements stepped
 * through, never timed; what the restores leave is checked as in
 * promotion-restore-key.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { PromotionWindowsProcessor } from '../../../processors/promotion-windows.js';
import { runProcessor } from '../../../processors/processor.js';
import { countIterationSteps, expectLinearSteps } from '../../helpers/iteration-steps.js';
import { MIN, T0, advance, late, ofKind, promotion } from './facts.js';

const W = 5 * MIN;
const make = () => new PromotionWindowsProcessor({ windowMs: W });
const artifact = (i: number) => `a-${String(i).padStart(5, '0')}`;

function run(keys: number) {
  // Per key: a promotion started, retried and succeeded in the window in progress; its failure from between is learnt late.
  const before = Array.from({ length: keys }, (_, i) => [
    promotion(T0, `p${i}`, 'started', { artifact: artifact(i) }),
    promotion(T0 + 2 * MIN, `p${i}`, 'started', { artifact: artifact(i) }),
    promotion(T0 + 3 * MIN, `p${i}`, 'succeeded', { artifact: artifact(i) }),
  ]).flat().sort((a, b) => a.at - b.at);
  const seen = make();
  runProcessor(seen, before);
  const dirty = seen.drainDirtyKeys();
  const keyed = dirty.map((key) => [key, JSON.parse(JSON.stringify(seen.snapshotKey(key)))] as const);
  const whole = JSON.parse(JSON.stringify(seen.snapshot()));
  const steps = countIterationSteps(() => {
    for (const [key, state] of keyed) seen.restoreKey(key, state);
  });

  const restored = make();
  restored.restore(whole);
  for (const [key, state] of keyed) restored.restoreKey(key, state);
  const rest = [
    ...Array.from({ length: keys }, (_, i) => late(promotion(T0 + MIN, `p${i}`, 'failed', { artifact: artifact(i) }), T0 + 4 * MIN)),
    advance(Infinity),
  ];
  const after = (p: PromotionWindowsProcessor) => {
    const out = runProcessor(p, rest);
    return { rows: ofKind(out, 'promotion-window').map((f) => f.row), outcomes: ofKind(out, 'promotion-outcome').map((f) => f.outcome) };
  };
  return { keys: dirty.length, steps, seen: after(seen), restored: after(restored) };
}

describe('PromotionWindowsProcessor.restoreKey over many keys', () => {
  it('leaves what a processor restored from the snapshot has, with work linear in the keys', () => {
    expectLinearSteps(run, (keys, r) => {
      expect(r.keys).toBe(keys);
      expect(r.seen).toEqual(r.restored);
      expect(r.seen.rows[0]!.promotionsEnded).toBeGreaterThan(0);
    });
  });
});
