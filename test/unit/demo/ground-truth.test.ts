import { describe, it, expect } from 'vitest';
import { matchIncidents, type InjectedIncident } from '../../../engine/demo/ground-truth.js';
import type { Incident } from '../../../processors/facts.js';

const T = Date.UTC(2026, 0, 5, 10, 0, 0);

function injected(over: Partial<InjectedIncident>): InjectedIncident {
  return {
    id: 'inj-1', scenario: 'lagging-replica', kind: 'state', env: 'prod', artifact: 'api', startsAt: T, resolvesAt: T + 60_000,
    expectedReason: 'converged', triggerEventId: 'ev-1', armed: true, divergentDigest: 'sha256:a1', ...over,
  };
}

function incident(over: Partial<Incident>): Incident {
  return {
    incidentId: 'inc-1', kind: 'state', env: 'prod', artifact: 'api', severity: 'high', startedAt: T, detectedAt: T,
    resolvedAt: T + 60_000, divergentDigests: ['sha256:a1'], ...over,
  };
}

describe('matchIncidents', () => {
  it('matches by kind, key and exact start, and measures the detection delay', () => {
    const r = matchIncidents([injected({})], [incident({ detectedAt: T + 1500 })], T + 3_600_000);
    expect(r.expected).toBe(1);
    expect(r.matched).toHaveLength(1);
    expect(r.matched[0]!.delayMs).toBe(1500);
    expect(r.missed).toEqual([]);
    expect(r.unexpected).toEqual([]);
  });

  it('reports a start 1 s off as missed (with the nearest incident) plus one unexpected', () => {
    const off = incident({ startedAt: T + 1000, detectedAt: T + 1000 });
    const r = matchIncidents([injected({})], [off], T + 3_600_000);
    expect(r.matched).toEqual([]);
    expect(r.missed).toEqual([{ injected: injected({}), nearest: off }]);
    expect(r.unexpected).toEqual([off]);
  });

  it('needs the rule to match for determinism incidents, and ignores injections whose trigger was never sent', () => {
    const det = injected({ id: 'inj-2', scenario: 'nondeterministic-rule', kind: 'determinism', ruleId: 'render', expectedReason: 'consistent' });
    const r = matchIncidents(
      [det, injected({ id: 'inj-3', armed: false, startsAt: T + 5000 })],
      [incident({ kind: 'determinism', ruleId: 'merge' })],
      T + 3_600_000,
    );
    expect(r.expected).toBe(1);
    expect(r.missed.map((m) => m.injected.id)).toEqual(['inj-2']);
    expect(r.missed[0]!.nearest).toBeUndefined();
    expect(r.unexpected).toHaveLength(1);
  });

  it('puts incidents that started after the last generated event apart (a stopped run), not among the unexpected', () => {
    const late = incident({ startedAt: T + 120_000, detectedAt: T + 120_000 });
    const r = matchIncidents([], [late], T + 60_000);
    expect(r.unexpected).toEqual([]);
    expect(r.cutOff).toEqual([late]);
  });
});
