/**
 * An mttr snapshot with many envs past the breach age names each env's
 * oldest open incident with work linear in the number of envs: before, every
 * breaching env searched the whole list of oldest incidents for its own, so a
 * snapshot of N breaching envs cost N² (and one is emitted whenever any
 * incident opens or resolves). Counted in elements stepped through, never timed.
 */
import { describe, expect, it } from 'vitest';
import type { Fact, MttrSnapshot, OldestOpenIncident } from '../../../processors/facts.js';
import { countIterationSteps, expectLinearSteps } from '../../helpers/iteration-steps.js';
import { MIN, T0, makeProcessor, only } from './helpers.js';

const envName = (i: number) => `env-${String(i).padStart(5, '0')}`;

/** One snapshot per env and window; every env's oldest incident has been open 40 minutes. */
function breachingSnapshot(envs: number, at: number): Fact {
  const snapshots: MttrSnapshot[] = [];
  const oldestOpen: OldestOpenIncident[] = [];
  for (let i = 0; i < envs; i++) {
    const env = envName(i);
    for (const window of ['1h', '24h', '7d'] as const) {
      snapshots.push({ asOf: at, scope: env, window, resolvedCount: 0, meanMs: null, p50Ms: null, p90Ms: null, openIncidents: 1, oldestOpenMs: 40 * MIN });
    }
    oldestOpen.push({ env, incidentId: `inc-${i}`, artifact: 'api', startedAt: at - 40 * MIN });
  }
  return { kind: 'mttr', at, snapshots, oldestOpen };
}

function run(envs: number) {
  const { run } = makeProcessor(only('mttr_breach'));
  let fired: ReturnType<typeof run> = [];
  const steps = countIterationSteps(() => (fired = run(breachingSnapshot(envs, T0 + 40 * MIN))));
  return { fired, steps };
}

describe('mttr_breach with many envs in one snapshot', () => {
  it('names every env its own oldest incident, with work linear in the number of envs', () => {
    expectLinearSteps(run, (envs, r) => {
      expect(r.fired).toHaveLength(envs);
      r.fired.forEach((o, i) => {
        expect(o.alert.labels).toEqual({ env: envName(i) });
        expect(o.alert.annotations.description).toContain(`inc-${i} (api, since `);
      });
    });
  });
});
