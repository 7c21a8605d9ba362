/**
 * restoreKey replaces a key's promotion state, and the in-memory logs of
 * its promotions' events of the window in progress (promotion-window-logs.ts)
 * went with the state they were counted from: a late event after it counts
 * as after a restore — as in a fresh processor restored from the same
 * snapshot — not against the logs from before.
 */
import { describe, expect, it } from 'vitest';
import { PromotionWindowsProcessor } from '../../../processors/promotion-windows.js';
import { runProcessor } from '../../../processors/processor.js';
import { MIN, T0, advance, late, ofKind, promotion } from './facts.js';

const W = 5 * MIN;
const make = () => new PromotionWindowsProcessor({ windowMs: W });

describe('PromotionWindowsProcessor.restoreKey', () => {
  it('starts the key\'s logs fresh: a late event then counts as in a processor restored from the snapshot', () => {
    // p1 started, retried and succeeded; its failure from between (T0 + 1 min) is learnt late, at T0 + 4 min.
    const before = [promotion(T0, 'p1', 'started'), promotion(T0 + 2 * MIN, 'p1', 'started'), promotion(T0 + 3 * MIN, 'p1', 'succeeded')];
    const seen = make();
    runProcessor(seen, before);
    const [key] = seen.drainDirtyKeys();
    const whole = JSON.parse(JSON.stringify(seen.snapshot()));
    const keyed = JSON.parse(JSON.stringify(seen.snapshotKey(key!)));
    seen.restoreKey(key!, keyed);

    const restored = make();
    restored.restore(whole);
    restored.restoreKey(key!, keyed);

    const rest = [late(promotion(T0 + MIN, 'p1', 'failed'), T0 + 4 * MIN), advance(Infinity)];
    const after = (p: PromotionWindowsProcessor) => {
      const out = runProcessor(p, rest);
      return { rows: ofKind(out, 'promotion-window').map((f) => f.row), outcomes: ofKind(out, 'promotion-outcome').map((f) => f.outcome) };
    };
    const expected = after(restored);
    // The case is one where the logs make a difference: counted against them, the failure would be p1's first end.
    const inMemory = make();
    runProcessor(inMemory, before);
    expect(after(inMemory)).not.toEqual(expected);

    expect(after(seen)).toEqual(expected);
  });
});
