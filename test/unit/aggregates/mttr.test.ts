import { describe, it, expect } from 'vitest';
import { MttrProcessor } from '../../../processors/mttr.js';
import { runProcessor } from '../../../processors/processor.js';
import type { MttrSnapshot } from '../../../processors/facts.js';
import { MIN, T0, advance, hydration, incident, ofKind } from './facts.js';

const W = 5 * MIN;
const make = () => new MttrProcessor({ windowMs: W });
const mttr = (out: ReturnType<typeof runProcessor>) => ofKind(out, 'mttr');
const pick = (snaps: MttrSnapshot[], scope: string, window: MttrSnapshot['window']) => snaps.find((s) => s.scope === scope && s.window === window)!;
const stats = (s: MttrSnapshot) => [s.resolvedCount, s.meanMs, s.p50Ms, s.p90Ms];

/** Open-and-resolve pairs: A prod 10 m, C staging 10 m, B prod 30 m, D prod 20 m. */
function history() {
  return [
    incident(T0 + 1 * MIN, 'opened', { incidentId: 'A', startedAt: T0 }),
    incident(T0 + 10 * MIN, 'resolved', { incidentId: 'A', startedAt: T0 }),
    incident(T0 + 20 * MIN, 'opened', { incidentId: 'B', startedAt: T0 + 20 * MIN }),
    incident(T0 + 30 * MIN, 'opened', { incidentId: 'C', startedAt: T0 + 30 * MIN, env: 'staging' }),
    incident(T0 + 40 * MIN, 'resolved', { incidentId: 'C', startedAt: T0 + 30 * MIN, env: 'staging' }),
    incident(T0 + 50 * MIN, 'resolved', { incidentId: 'B', startedAt: T0 + 20 * MIN }),
    incident(T0 + 60 * MIN, 'opened', { incidentId: 'D', startedAt: T0 + 60 * MIN }),
  ];
}

describe('MttrProcessor', () => {
  it('computes mean/p50/p90 per window, overall and per env, with incidents ageing out of 1 h', () => {
    const out = runProcessor(make(), [
      ...history(),
      hydration(T0 + 70 * MIN), // crosses the T0+70m boundary
      incident(T0 + 80 * MIN, 'resolved', { incidentId: 'D', startedAt: T0 + 60 * MIN }),
    ]);
    const facts = mttr(out);
    const last = facts.at(-1)!;
    expect(last.at).toBe(T0 + 80 * MIN);
    const snaps = last.snapshots;
    expect(new Set(snaps.map((s) => s.asOf))).toEqual(new Set([T0 + 80 * MIN]));
    expect(snaps.map((s) => `${s.scope}:${s.window}`)).toEqual(['*:1h', '*:24h', '*:7d', 'prod:1h', 'prod:24h', 'prod:7d', 'staging:1h', 'staging:24h', 'staging:7d']);
    // 1 h = (T0+20m, T0+80m]: C 10, B 30, D 20 — A (resolved T0+10m) aged out.
    expect(stats(pick(snaps, '*', '1h'))).toEqual([3, 20 * MIN, 20 * MIN, 30 * MIN]);
    // 24 h: 10, 10, 30, 20 → mean 17.5 m, nearest-rank p50 = 2nd = 10, p90 = 4th = 30.
    expect(stats(pick(snaps, '*', '24h'))).toEqual([4, 17.5 * MIN, 10 * MIN, 30 * MIN]);
    expect(stats(pick(snaps, '*', '7d'))).toEqual([4, 17.5 * MIN, 10 * MIN, 30 * MIN]);
    expect(stats(pick(snaps, 'prod', '1h'))).toEqual([2, 25 * MIN, 20 * MIN, 30 * MIN]);
    expect(stats(pick(snaps, 'prod', '24h'))).toEqual([3, 20 * MIN, 20 * MIN, 30 * MIN]);
    expect(stats(pick(snaps, 'staging', '1h'))).toEqual([1, 10 * MIN, 10 * MIN, 10 * MIN]);
    expect(pick(snaps, '*', '1h')).toMatchObject({ openIncidents: 0, oldestOpenMs: null });

    // The boundary snapshot at exactly T0+70m excludes A, resolved exactly 1 h earlier.
    const boundary = facts.find((f) => f.at === T0 + 70 * MIN)!;
    expect(stats(pick(boundary.snapshots, '*', '1h'))).toEqual([2, 20 * MIN, 10 * MIN, 30 * MIN]);
    expect(pick(boundary.snapshots, '*', '24h').resolvedCount).toBe(3);
    expect(pick(boundary.snapshots, 'prod', '1h')).toMatchObject({ openIncidents: 1, oldestOpenMs: 10 * MIN });
    expect(pick(boundary.snapshots, 'staging', '1h')).toMatchObject({ openIncidents: 0, oldestOpenMs: null });
  });

  it('emits at each opening (asOf = fact time) and resolution (asOf = resolvedAt)', () => {
    const out = runProcessor(make(), history());
    expect(mttr(out).map((f) => [f.at, f.snapshots[0]!.asOf])).toEqual(
      [1, 10, 20, 30, 40, 50, 60].map((m) => [T0 + m * MIN, T0 + m * MIN]),
    );
    const opened = mttr(out)[0]!.snapshots;
    expect(opened.map((s) => s.scope)).toEqual(['*', '*', '*', 'prod', 'prod', 'prod']);
    expect(pick(opened, 'prod', '7d')).toMatchObject({ resolvedCount: 0, meanMs: null, openIncidents: 1, oldestOpenMs: MIN });
  });

  it('fires the breach snapshot exactly when the incident has been open longer than 30 min (startedAt + 30 min + 1 ms), once', () => {
    const out = runProcessor(make(), [
      incident(T0 + 2 * MIN, 'opened', { incidentId: 'A', startedAt: T0 }),
      advance(T0 + 30 * MIN - 1),
      advance(T0 + 30 * MIN), // open exactly 30 min: not longer (SPEC §4.6)
      advance(T0 + 30 * MIN + 1),
      advance(T0 + 40 * MIN),
      incident(T0 + 41 * MIN, 'updated', { incidentId: 'A', startedAt: T0 }),
      advance(Infinity),
    ]);
    const facts = mttr(out);
    const breach = facts.filter((f) => f.snapshots[0]!.asOf === T0 + 30 * MIN + 1);
    expect(breach).toHaveLength(1);
    expect(breach[0]!.at).toBe(T0 + 30 * MIN + 1);
    expect(pick(breach[0]!.snapshots, 'prod', '1h')).toMatchObject({ openIncidents: 1, oldestOpenMs: 30 * MIN + 1 });
    // opening, breach, and the boundary crossed by the update at T0+41m (asOf T0+40m): nothing else.
    expect(facts.map((f) => f.at)).toEqual([T0 + 2 * MIN, T0 + 30 * MIN + 1, T0 + 40 * MIN]);
  });

  it('an incident resolved at exactly 30 min has no breach snapshot (open 30 min, not longer)', () => {
    const out = runProcessor(make(), [
      incident(T0 + 2 * MIN, 'opened', { incidentId: 'A', startedAt: T0 }),
      incident(T0 + 30 * MIN, 'resolved', { incidentId: 'A', startedAt: T0 }),
      advance(Infinity),
    ]);
    const facts = mttr(out);
    expect(facts.every((f) => pick(f.snapshots, 'prod', '1h')!.openIncidents === 0 || (pick(f.snapshots, 'prod', '1h')!.oldestOpenMs ?? 0) <= 30 * MIN)).toBe(true);
    expect(facts.map((f) => f.at)).not.toContain(T0 + 30 * MIN + 1);
  });

  it('shares one snapshot when several incidents breach at once, and never breaches a resolved incident', () => {
    const out = runProcessor(make(), [
      incident(T0 + MIN, 'opened', { incidentId: 'A', startedAt: T0 }),
      incident(T0 + MIN, 'opened', { incidentId: 'B', startedAt: T0, env: 'staging' }),
      incident(T0 + 2 * MIN, 'opened', { incidentId: 'C', startedAt: T0 + MIN }),
      incident(T0 + 3 * MIN, 'resolved', { incidentId: 'C', startedAt: T0 + MIN }),
      advance(Infinity),
    ]);
    const breaches = mttr(out).filter((f) => f.at > T0 + 3 * MIN);
    expect(breaches.map((f) => f.at)).toEqual([T0 + 30 * MIN + 1]);
    expect(pick(breaches[0]!.snapshots, '*', '1h')).toMatchObject({ openIncidents: 2, oldestOpenMs: 30 * MIN + 1, resolvedCount: 1 });
  });

  it('snapshots once per boundary crossing, only with something to report, never on advance alone', () => {
    const quiet = runProcessor(make(), [hydration(T0), hydration(T0 + 10 * MIN), advance(Infinity)]);
    expect(mttr(quiet)).toEqual([]);

    const out = runProcessor(make(), [
      incident(T0 + MIN, 'opened', { incidentId: 'A', startedAt: T0 + MIN }),
      incident(T0 + 2 * MIN, 'resolved', { incidentId: 'A', startedAt: T0 + MIN }),
      hydration(T0 + 3 * MIN), // same window: no crossing
      advance(T0 + 60 * MIN), // advance alone: nothing
      hydration(T0 + 61 * MIN), // one crossing over eleven boundaries
      hydration(T0 + 62 * MIN), // same window: no crossing
      advance(Infinity),
    ]);
    const facts = mttr(out);
    // opened, resolved, then one snapshot for the crossing into [T0+60m, T0+65m) (asOf = latest boundary).
    expect(facts.map((f) => f.at)).toEqual([T0 + MIN, T0 + 2 * MIN, T0 + 60 * MIN]);
    expect(pick(facts[2]!.snapshots, '*', '1h')).toMatchObject({ asOf: T0 + 60 * MIN, resolvedCount: 1, meanMs: MIN });
  });

  it('ignores determinism incidents', () => {
    const out = runProcessor(make(), [
      incident(T0, 'opened', { incidentId: 'X', startedAt: T0, kind: 'determinism', ruleId: 'r1' }),
      hydration(T0 + 10 * MIN),
      incident(T0 + 11 * MIN, 'resolved', { incidentId: 'X', startedAt: T0, kind: 'determinism', ruleId: 'r1' }),
      advance(Infinity),
    ]);
    expect(mttr(out)).toEqual([]);
  });

  it('drops resolutions older than 7 d and terminates on the +Infinity advance', () => {
    const p = make();
    const DAY = 24 * 60 * MIN;
    const out = runProcessor(p, [
      incident(T0 + MIN, 'opened', { incidentId: 'A', startedAt: T0 }),
      incident(T0 + 5 * MIN, 'resolved', { incidentId: 'A', startedAt: T0 }),
      hydration(T0 + 7 * DAY + 4 * MIN), // boundary T0+7d: A (resolved T0+5m) still within (asOf−7d, asOf]
      hydration(T0 + 7 * DAY + 6 * MIN), // boundary T0+7d+5m: A ages out → nothing to report
      advance(Infinity),
    ]);
    const facts = mttr(out);
    expect(facts.map((f) => f.at)).toEqual([T0 + MIN, T0 + 5 * MIN, T0 + 7 * DAY]);
    expect(pick(facts[2]!.snapshots, '*', '7d')).toMatchObject({ resolvedCount: 1, meanMs: 5 * MIN });
    expect(pick(facts[2]!.snapshots, '*', '24h').resolvedCount).toBe(0);
    expect(p.openIncidents).toBe(0);
  });
});

describe('MttrProcessor: departures from the mttr_breach window', () => {
  const HOUR = 60 * MIN;
  const withDepartures = () => new MttrProcessor({ windowMs: W }, { departureWindowMs: HOUR });
  const slow = [
    incident(T0 + MIN, 'opened', { incidentId: 'S', startedAt: T0 }),
    incident(T0 + 31 * MIN, 'resolved', { incidentId: 'S', startedAt: T0 }),
    incident(T0 + 40 * MIN, 'opened', { incidentId: 'Q', startedAt: T0 + 40 * MIN, env: 'staging' }),
    incident(T0 + 42 * MIN, 'resolved', { incidentId: 'Q', startedAt: T0 + 40 * MIN, env: 'staging' }),
  ];

  it('publishes a snapshot when each resolved incident leaves the window, in time order, with no later input', () => {
    const facts = mttr(runProcessor(withDepartures(), [...slow, advance(Infinity)]));
    const departures = facts.filter((f) => f.at > T0 + 42 * MIN);
    expect(departures.map((f) => f.at)).toEqual([T0 + 31 * MIN + HOUR, T0 + 42 * MIN + HOUR]);
    expect(stats(pick(departures[0]!.snapshots, 'prod', '1h'))).toEqual([0, null, null, null]); // S left the hour
    expect(stats(pick(departures[0]!.snapshots, 'staging', '1h'))).toEqual([1, 2 * MIN, 2 * MIN, 2 * MIN]);
    expect(stats(pick(departures[1]!.snapshots, '*', '1h'))).toEqual([0, null, null, null]);
    // Without the option (mttr_breach off), none: the end-of-input advance adds nothing.
    expect(mttr(runProcessor(make(), [...slow, advance(Infinity)])).filter((f) => f.at > T0 + 42 * MIN)).toEqual([]);
  });

  it('a later input fires the departures it passes before its own snapshot', () => {
    const facts = mttr(runProcessor(withDepartures(), [...slow, incident(T0 + 3 * HOUR, 'opened', { incidentId: 'R', startedAt: T0 + 3 * HOUR })]));
    expect(facts.map((f) => f.at).filter((at) => at > T0 + 42 * MIN)).toEqual([T0 + 31 * MIN + HOUR, T0 + 42 * MIN + HOUR, T0 + 3 * HOUR]);
  });

  it('a restart re-derives the pending departures from the resolved incidents (they are not stored)', () => {
    const before = withDepartures();
    const head = runProcessor(before, slow);
    const after = withDepartures();
    after.restore(JSON.parse(JSON.stringify(before.snapshot())));
    const tail = runProcessor(after, [advance(Infinity)]);
    expect([...head, ...tail]).toEqual(runProcessor(withDepartures(), [...slow, advance(Infinity)]));
  });
});
