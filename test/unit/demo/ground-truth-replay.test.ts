import { describe, it, expect } from 'vitest';
import { matchIncidents } from '../../../engine/demo/ground-truth.js';
import { injectedKinds } from '../../../engine/demo/scenario-options.js';
import { generateAndReplay } from './helpers.js';

const FIVE_MIN = 5 * 60_000;

describe('ground truth vs a replay of a generated scenario', () => {
  it.each([
    { name: 'defaults', input: { seed: 3, spanMs: 90 * 60_000, envs: ['dev', 'staging', 'prod'], artifactsPerEnv: 2, incidentRate: 0.6 } },
    { name: 'one replica, no index', input: { seed: 8, spanMs: 2 * 3_600_000, replicas: 1, indexInstances: 0, rulesPerKey: 1, incidentRate: 0.6 } },
    { name: 'other engine settings', input: { seed: 9, spanMs: 90 * 60_000, observeEveryMs: 20_000, incidentRate: 0.6, engine: { convergenceGraceMs: 300_000, windowMs: 60_000, sourceTtlMs: 300_000 } } },
  ])('finds every injected incident with the expected kind, key, start and resolution ($name)', async ({ input }) => {
    const { gen, incidents, summary } = await generateAndReplay(input);
    const report = matchIncidents(gen.injected, incidents, gen.stats.lastEventAt);
    expect(report.expected).toBeGreaterThanOrEqual(5);
    expect(report.missed).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.matched).toHaveLength(report.expected);
    for (const { injected, incident, delayMs } of report.matched) {
      expect(delayMs).toBeLessThanOrEqual(FIVE_MIN);
      expect(incident.resolvedAt).toBe(injected.resolvesAt);
      expect(incident.reason).toBe(injected.expectedReason);
      expect(incident.divergentDigests).toContain(injected.divergentDigest);
    }
    // Duplicates are dropped and malformed lines dead-lettered, never silently lost; nothing is late.
    expect(summary.duplicates).toBe(gen.stats.duplicates);
    expect(summary.deadLetters).toBe(gen.stats.malformed);
    expect(summary.late).toBe(0);
  });

  it('covers every injected kind in a short default scenario', async () => {
    const { gen, incidents } = await generateAndReplay({ seed: 1, spanMs: 2 * 3_600_000 });
    const report = matchIncidents(gen.injected, incidents, gen.stats.lastEventAt);
    expect(new Set(report.matched.map((m) => m.injected.scenario))).toEqual(new Set(injectedKinds));
    expect(report.missed).toEqual([]);
    expect(report.unexpected).toEqual([]);
  });
});
