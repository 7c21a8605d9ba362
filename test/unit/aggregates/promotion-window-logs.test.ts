/**
 * What the promotion windows log to count a late event of the window in
 * progress in its place (promotion-window-logs.ts): a bounded copy of each
 * event, and at most MAX_LOGGED_EVENTS of them; past that, a late event is
 * counted as after a restart (in the order learnt).
 */
import { describe, expect, it } from 'vitest';
import { PromotionWindowsProcessor } from '../../../processors/promotion-windows.js';
import { loggedEvent, MAX_LOGGED_EVENTS } from '../../../processors/promotion-window-logs.js';
import { MAX_NAMED_REASON } from '../../../processors/promotion-window-counts.js';
import { runProcessor } from '../../../processors/processor.js';
import type { Fact } from '../../../processors/facts.js';
import type { PromotionEvent } from '../../../schemas/input-events.js';
import { clipText } from '../../../lib/visible-text.js';
import { MIN, SEC, T0, advance, late, ofKind, promotion } from './facts.js';

const W = 5 * MIN;

describe('loggedEvent', () => {
  it('keeps what counting the event again reads: its reason cut past what an alert quotes, no unknown field', () => {
    const sent = promotion(T0, 'p1', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' }, actor: 'al', reason: '😀'.repeat(150_000), correlationId: 'c1' });
    const event = { ...sent.envelope.event, extra: 'y'.repeat(100_000) } as unknown as PromotionEvent;
    const kept = loggedEvent(event);
    expect(JSON.stringify(kept).length).toBeLessThan(1000);
    expect(kept).not.toHaveProperty('extra');
    expect(clipText(kept.reason!, MAX_NAMED_REASON)).toBe(clipText(event.reason!, MAX_NAMED_REASON));
    const { reason: _r, extra: _e, ...rest } = event as PromotionEvent & { extra: string };
    expect({ ...kept, reason: undefined }).toEqual({ ...rest, reason: undefined });
    // Optional fields sent as null stay null (an outcome carries a null correlation id as it came).
    const withNulls = loggedEvent({ ...event, correlationId: null, reason: null } as unknown as PromotionEvent);
    expect(withNulls).toMatchObject({ correlationId: null, reason: null });
  });
});

describe('the logs of the window in progress are bounded', () => {
  /** p1 started, succeeded at 2 min, then learnt late: failed at 1 min (its first end in event-time order). */
  const p1 = [promotion(T0, 'p1', 'started'), promotion(T0 + 2 * MIN, 'p1', 'succeeded')];
  const lateFailure = late(promotion(T0 + MIN, 'p1', 'failed'), T0 + 3 * MIN);
  /** `others` promotions started and succeeded before p1, in the same window. */
  const others = (n: number): Fact[] =>
    Array.from({ length: n }, (_, i) => [promotion(T0, `o-${i}`, 'started'), promotion(T0 + SEC, `o-${i}`, 'succeeded')]).flat();
  const outcomeOfP1 = (out: Fact[]) => ofKind(out, 'promotion-outcome').filter((f) => f.outcome.promotionId === 'p1').at(-1)!.outcome.outcome;

  it('below the bound a late end takes its place; past it, as after a restart, in the order learnt', () => {
    const p = new PromotionWindowsProcessor({ windowMs: W });
    // In event-time order the late failure was p1's first end and the success a retry: a success.
    expect(outcomeOfP1(runProcessor(p, [...p1, lateFailure, advance(Infinity)]))).toBe('succeeded');

    const full = new PromotionWindowsProcessor({ windowMs: W });
    const out = runProcessor(full, [...others(MAX_LOGGED_EVENTS / 2), ...p1]);
    expect(full.loggedEvents).toBe(MAX_LOGGED_EVENTS);
    // p1 could not be logged: its late failure is taken after the success, a retry that failed.
    out.push(...runProcessor(full, [lateFailure, advance(Infinity)]));
    expect(outcomeOfP1(out)).toBe('failed');
    expect(full.loggedEvents).toBe(0); // the window closed
  });
});
