/**
 * A key is judged once per instant (SPEC §4.4): several events of one key at
 * the same occurredAt are all taken in before the key is judged at that
 * instant. Release order within an instant (promotions first, then eventId)
 * still decides which of one source's reports is its latest, but no state in
 * between two of them — one that holds at no instant — opens, resolves or
 * splits an incident. Expectations by hand, defaults (grace 120 s, TTL 15 min,
 * L2 at 5 min, L3 at 15 min).
 */
import { describe, expect, it } from 'vitest';
import { alertShape, replayFixture } from '../helpers/replay-fixture.js';

describe('events of one key at one instant', () => {
  it('are judged together: no incident split by a resolution and a re-drift at one instant, no 0 ms incident', async () => {
    const { incidents, alerts } = await replayFixture('same-instant-judged-once.ndjson');
    const shapes = incidents.map((i) => `${String(i.artifact)} ${String(i.startedAt)} → ${String(i.resolvedAt)} ${String(i.reason)} ${String(i.recoveryMs)} ${String(i.divergentDigests)}`);
    // prod/x and prod/y: d1 desired since 10:00 (grace over at 10:02); r1 rogue at 10:05 → drifted. At 10:10 r1 is
    // back on d1 and r2 reports evil2: at 10:10 the key is still drifted (r2), so the incident goes on, whichever of
    // the two eventIds sorts first (x: r1's, y: r2's). It ends when r2, silent since 10:10, is forgotten.
    // prod/z: r1 reports evil (z-05a) and d1 (z-05b) at 10:05: its latest report is z-05b's, d1 — never drifted.
    // prod/v: r1 rogue since 10:05; at 10:10 a promotion of d3 starts (d3 in flight) and r1 is back on d1: the
    // promotion makes no divergent digest acceptable, r1's report ends the drift — converged, not promoted.
    expect(shapes.sort()).toEqual([
      'v 2026-11-27T10:05:00.000Z → 2026-11-27T10:10:00.000Z converged 300000 evil',
      'x 2026-11-27T10:05:00.000Z → 2026-11-27T10:25:00.001Z source_expired 1200001 evil,evil2',
      'y 2026-11-27T10:05:00.000Z → 2026-11-27T10:25:00.001Z source_expired 1200001 evil,evil2',
    ]);
    const of = (artifact: string) => alerts.filter((a) => a.labels.artifact === artifact).map(alertShape);
    expect(of('x')).toEqual([
      'drift_detected firing high L1 prod/x 2026-11-27T10:05:00.000Z',
      'drift_detected firing high L2 prod/x 2026-11-27T10:05:00.000Z',
      'drift_detected firing high L3 prod/x 2026-11-27T10:05:00.000Z',
      'drift_detected resolved high L3 prod/x 2026-11-27T10:05:00.000Z → 2026-11-27T10:25:00.001Z',
    ]);
    expect(of('y')).toEqual(of('x').map((s) => s.replace('prod/x', 'prod/y')));
    expect(of('z')).toEqual([]);
  });

  it("timers due at the instant wait for its judgement; its last event may be another key's; late ones are judged from the frontier", async () => {
    const { incidents } = await replayFixture('same-instant-timers.ndjson');
    const shapes = incidents.map((i) => `${String(i.artifact)} ${String(i.startedAt)} → ${String(i.resolvedAt)} ${String(i.reason)} ${String(i.divergentDigests)}`);
    // T = 10:12:00.000, the last event of T is prod/h's (z-h-12: its eventId sorts last), which judges e and g.
    // prod/e: r1 rogue since 09:56:59.999 expires at T (+15 min +1 ms); at T r1 reports d1 and r2 evil: drifted at T,
    // so its incident goes on (not converged at T and a new one) until r2, silent since T, expires at 10:27:00.001.
    // prod/g: d2 promoted at 10:10, so d1's grace ends at T; at T r1 reports d2, r2 d1 and r3 evil: opened at T with
    // both. r4's evil2 at T arrives late (frontier 10:12:30): it joins the open incident. All silent since T.
    // prod/h: r1 evilh at T opens it; r2 keeps reporting d1; r1 expires at 10:27:00.001.
    expect(shapes.sort()).toEqual([
      'e 2026-11-27T09:56:59.999Z → 2026-11-27T10:27:00.001Z source_expired evil',
      'g 2026-11-27T10:12:00.000Z → 2026-11-27T10:27:00.001Z source_expired d1,evil,evil2',
      'h 2026-11-27T10:12:00.000Z → 2026-11-27T10:27:00.001Z source_expired evilh',
    ]);
  });
});
