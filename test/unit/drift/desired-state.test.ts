import { describe, it, expect } from 'vitest';
import { DesiredState, MAX_ENDED_PER_KEY } from '../../../processors/desired-state.js';
import type { PromotionEvent } from '../../../schemas/input-events.js';
import { t, MIN } from './builders.js';

const grace = 120_000;
const HOUR = 60 * MIN;

function ev(phase: PromotionEvent['phase'], promotionId: string, extra: Partial<PromotionEvent> = {}): PromotionEvent {
  return { type: 'promotion', eventId: `${promotionId}-${phase}`, occurredAt: '', env: 'prod', artifact: 'a', promotionId, phase, ...extra };
}
const succeeded = (id: string, digest: string) => ev('succeeded', id, { version: `v-${digest}`, digest });
const started = (id: string, digest: string) => ev('started', id, { version: `v-${digest}`, digest });

describe('DesiredState', () => {
  it('is unmanaged until a promotion succeeds, then accepts the desired digest', () => {
    const s = new DesiredState({ convergenceGraceMs: grace });
    expect(s.managed).toBe(false);
    expect(s.apply(succeeded('p1', 'D1'), t(0))).toBe(true);
    expect(s.current).toEqual({ version: 'v-D1', digest: 'D1', since: t(0), from: 'promotion', promotionId: 'p1' });
    expect(s.isAcceptable('D1', t(10_000))).toBe(true);
  });

  it('accepts any digest for the grace period after the first desired state (previous one unknown)', () => {
    const s = new DesiredState({ convergenceGraceMs: grace });
    s.apply(succeeded('p1', 'D1'), t(0));
    expect(s.isAcceptable('OLD', t(119.999))).toBe(true);
    expect(s.isAcceptable('OLD', t(120))).toBe(false);
    expect(s.nextBoundaryAfter(t(0))).toBe(t(120));
  });

  it('keeps the previous desired digest acceptable until change time + grace (exclusive)', () => {
    const s = new DesiredState({ convergenceGraceMs: grace });
    s.apply(succeeded('p1', 'D1'), t(0));
    s.apply(succeeded('p2', 'D2'), t(600));
    expect(s.isAcceptable('D1', t(719.999))).toBe(true);
    expect(s.isAcceptable('D1', t(720))).toBe(false);
    expect(s.nextBoundaryAfter(t(600))).toBe(t(720));
    expect(s.nextBoundaryAfter(t(720))).toBeUndefined();
  });

  it('accepts an in-flight digest until its terminal event, and a failed one for the grace period', () => {
    const s = new DesiredState({ convergenceGraceMs: grace });
    s.apply(succeeded('p1', 'D1'), t(0));
    s.apply(started('p2', 'D2'), t(300));
    expect(s.isAcceptable('D2', t(400))).toBe(true);
    expect(s.apply(ev('failed', 'p2'), t(500))).toBe(true);
    expect(s.current?.digest).toBe('D1'); // failed changes nothing
    expect(s.isAcceptable('D2', t(619.999))).toBe(true);
    expect(s.isAcceptable('D2', t(620))).toBe(false);
  });

  it('rolled_back sets desired to rollbackTo and graces the superseded and the rolled-back digest', () => {
    const s = new DesiredState({ convergenceGraceMs: grace });
    s.apply(succeeded('p1', 'D1'), t(0));
    s.apply(started('p2', 'D2'), t(300));
    s.apply(ev('rolled_back', 'p2', { rollbackTo: { version: 'v-D0', digest: 'D0' } }), t(400));
    expect(s.current).toEqual({ version: 'v-D0', digest: 'D0', since: t(400), from: 'rollback', promotionId: 'p2' });
    for (const d of ['D1', 'D2']) {
      expect(s.isAcceptable(d, t(519))).toBe(true);
      expect(s.isAcceptable(d, t(520))).toBe(false);
    }
  });

  it('forgets an in-flight promotion that never terminates after 24 h, and prunes expired grace', () => {
    const s = new DesiredState({ convergenceGraceMs: grace });
    s.apply(succeeded('p1', 'D1'), t(0));
    s.apply(started('p2', 'D2'), t(0));
    expect(s.nextBoundaryAfter(t(120))).toBe(t(0) + 24 * HOUR);
    expect(s.isAcceptable('D2', t(0) + 24 * HOUR - 1)).toBe(true);
    expect(s.isAcceptable('D2', t(0) + 24 * HOUR)).toBe(false);
    s.prune(t(0) + 24 * HOUR);
    expect(s.snapshot()).toEqual({ desired: s.current, inFlight: [], grace: [], ended: [] }); // p1's end is 24 h old too
  });

  it('late events: a late succeeded newer than since applies with grace from the effective time; an older one does not', () => {
    const s = new DesiredState({ convergenceGraceMs: grace });
    s.apply(succeeded('p1', 'D1'), t(100));
    expect(s.apply(succeeded('p0', 'D0'), t(50), t(300), true)).toBe(false);
    expect(s.current?.digest).toBe('D1');
    expect(s.apply(succeeded('p2', 'D2'), t(150), t(300), true)).toBe(true);
    expect(s.current).toMatchObject({ digest: 'D2', since: t(150) });
    expect(s.isAcceptable('D1', t(419))).toBe(true);
    expect(s.isAcceptable('D1', t(420))).toBe(false);
  });

  it('a late started of a promotion still running makes its digest acceptable from the frontier until 24 h after its start', () => {
    const s = new DesiredState({ convergenceGraceMs: grace });
    s.apply(succeeded('p1', 'D1'), t(0));
    expect(s.isAcceptable('D3', t(300))).toBe(false);
    expect(s.apply(started('p3', 'D3'), t(160), t(300), true)).toBe(true);
    expect(s.isAcceptable('D3', t(300))).toBe(true);
    expect(s.nextBoundaryAfter(t(300))).toBe(t(160) + 24 * HOUR); // expiry counted from the real start
    expect(s.apply(started('p3', 'D3'), t(160), t(310), true)).toBe(false); // a second copy changes nothing
    // Its terminal event ends it as usual: a failed one leaves the digest a grace period.
    expect(s.apply(ev('failed', 'p3', { digest: 'D3' }), t(400))).toBe(true);
    expect(s.isAcceptable('D3', t(519))).toBe(true);
    expect(s.isAcceptable('D3', t(520))).toBe(false);
  });

  it('a late started that arrives after its promotion ended is not taken for a running promotion; an in-order one (a retry under the same id) is', () => {
    const s = new DesiredState({ convergenceGraceMs: grace });
    s.apply(succeeded('p1', 'D1'), t(0));
    s.apply(ev('failed', 'p2', { digest: 'D2' }), t(100));
    expect(s.apply(started('p2', 'D2'), t(90), t(300), true)).toBe(false); // late
    expect(s.isAcceptable('D2', t(300))).toBe(false);
    expect(s.apply(started('p2', 'D2'), t(400))).toBe(true); // in order: the retry runs
    expect(s.isAcceptable('D2', t(410))).toBe(true);
    s.apply(ev('failed', 'p2', { digest: 'D2' }), t(500));
    expect(s.isAcceptable('D2', t(620))).toBe(false);
    // A succeeded-then-rolled-back promotion ended once: its id is remembered once.
    s.apply(succeeded('p4', 'D4'), t(400));
    s.apply(ev('rolled_back', 'p4', { rollbackTo: { version: 'v-D1', digest: 'D1' } }), t(500));
    expect(s.snapshot().ended).toEqual([
      { promotionId: 'p1', at: t(0) },
      { promotionId: 'p2', at: t(100) },
      { promotionId: 'p4', at: t(400) },
    ]);
  });

  it('a late started older than an in-flight promotion may be is ignored (it would already have expired)', () => {
    const s = new DesiredState({ convergenceGraceMs: grace });
    s.apply(succeeded('p1', 'D1'), t(0));
    expect(s.apply(started('p2', 'D2'), t(10), t(10) + 24 * HOUR, true)).toBe(false);
    expect(s.isAcceptable('D2', t(20) + 24 * HOUR)).toBe(false);
  });

  it(`remembers at most ${MAX_ENDED_PER_KEY} ended promotions per key, the newest`, () => {
    const s = new DesiredState({ convergenceGraceMs: grace });
    for (let i = 0; i < MAX_ENDED_PER_KEY + 3; i++) s.apply(ev('failed', `p${i}`, { digest: `D${i}` }), t(i));
    const ended = s.snapshot().ended!;
    expect(ended).toHaveLength(MAX_ENDED_PER_KEY);
    expect(ended[0]).toEqual({ promotionId: 'p3', at: t(3) });
    expect(s.apply(started('p0', 'D0'), t(0), t(100), true)).toBe(true); // forgotten: taken for a running one
    expect(s.apply(started('p3', 'D3'), t(3), t(100), true)).toBe(false);
  });

  it('round-trips through a JSON snapshot', () => {
    const s = new DesiredState({ convergenceGraceMs: grace });
    s.apply(succeeded('p1', 'D1'), t(0));
    s.apply(started('p2', 'D2'), t(10));
    const r = DesiredState.restore({ convergenceGraceMs: grace }, JSON.parse(JSON.stringify(s.snapshot())));
    expect(r.snapshot()).toEqual(s.snapshot());
    expect(r.isAcceptable('D2', t(20))).toBe(true);
    expect(r.nextBoundaryAfter(t(0))).toBe(t(120));
  });

  it('restores a snapshot written before ended promotions were kept', () => {
    const s = new DesiredState({ convergenceGraceMs: grace });
    s.apply(succeeded('p1', 'D1'), t(0));
    const { ended: _, ...legacy } = s.snapshot();
    const r = DesiredState.restore({ convergenceGraceMs: grace }, legacy);
    expect(r.snapshot()).toEqual({ ...legacy, ended: [] });
  });
});
