/**
 * Closing a 5-minute window judges each env's row once: the work grows with
 * the number of envs, not with its square. Before, every env's row looked at
 * every env's samples again to find when the next one leaves its window, so
 * 5,000 envs closing one window took seconds of CPU (event time, commits and
 * alerts all waited). Work is counted in elements stepped through, never in
 * wall-clock time (test/helpers/iteration-steps.ts).
 */
import { describe, expect, it } from 'vitest';
import type { AlertsConfig } from '../../../config/alert-rules.js';
import type { Fact } from '../../../processors/facts.js';
import { countIterationSteps, expectLinearSteps } from '../../helpers/iteration-steps.js';
import { MIN, T0, advance, envRow, gate, makeProcessor, only, promotionRow } from './helpers.js';

const RATE_RULES = ['promotion_success_rate_low', 'promotion_duration_high', 'gate_failure_rate_high', 'index_error_rate_high'];
const rateRulesOnly = (c: AlertsConfig) => {
  only(...RATE_RULES)(c);
  c.escalation = [c.escalation[0]!];
};

const envName = (i: number) => `env-${String(i).padStart(5, '0')}`;

/** Every env's rows of the window ending at `windowEnd`; every third env fails all its promotions and gate runs. */
function windowClose(envs: number, windowEnd: number): Fact[] {
  const facts: Fact[] = [];
  for (let i = 0; i < envs; i++) {
    const env = envName(i);
    const bad = i % 3 === 0;
    facts.push(
      promotionRow(windowEnd, {
        env,
        succeeded: bad ? 0 : 20,
        failed: bad ? 20 : 0,
        durationCount: 20,
        durationSumMs: 20 * MIN,
        gates: [gate('smoke', bad ? 0 : 20, bad ? 20 : 0), gate('build', 20, 0)],
      }),
      envRow(windowEnd, 100, bad ? 50 : 0, env),
    );
  }
  return facts;
}

/** Two windows closing for `envs` envs, then time alone taking both out: the steps of each part, and what was emitted. */
function run(envs: number) {
  const { run } = makeProcessor(rateRulesOnly);
  const first = run(...windowClose(envs, T0 + 5 * MIN));
  let second: ReturnType<typeof run> = [];
  const closeSteps = countIterationSteps(() => (second = run(...windowClose(envs, T0 + 10 * MIN))));
  let drained: ReturnType<typeof run> = [];
  const departureSteps = countIterationSteps(() => (drained = run(advance(T0 + 65 * MIN + 1), advance(T0 + 70 * MIN + 1))));
  return { first, second, drained, closeSteps, departureSteps };
}

const withSteps = (r: ReturnType<typeof run>, part: 'closeSteps' | 'departureSteps') => ({ ...r, steps: r[part] });

/** What two windows closing for `envs` envs emit: every third env fires and, by time alone, resolves. */
function checkAlerts(envs: number, r: ReturnType<typeof run>): void {
  const bad = Array.from({ length: envs }, (_, i) => i).filter((i) => i % 3 === 0).map(envName);
  // The bad envs fire three rules (success rate, smoke gate, index errors) with their first window; the
  // second changes nothing; once no rows are left in their windows (index errors: 5 minutes, the others: an
  // hour), every alert resolves by time alone.
  const fired = r.first.map((o) => [o.alert.rule, o.alert.labels.env, o.alert.status]);
  expect(fired).toHaveLength(3 * bad.length);
  expect(new Set(fired.map(([, env]) => env))).toEqual(new Set(bad));
  expect(r.first.every((o) => o.alert.status === 'firing')).toBe(true);
  expect(r.second).toEqual([]);
  const resolvedAt = (rule: string) => (rule === 'index_error_rate_high' ? T0 + 15 * MIN : T0 + 70 * MIN);
  expect(r.drained.map((o) => `${o.alert.rule} ${o.alert.labels.env} ${o.alert.status} ${o.at}`).sort()).toEqual(
    fired.map(([rule, env]) => `${rule} ${env} resolved ${resolvedAt(rule!)}`).sort(),
  );
}

describe('rate rules with many envs in one window', () => {
  it('judge every env closing a window with work linear in the number of envs', () => {
    expectLinearSteps((envs: number) => withSteps(run(envs), 'closeSteps'), checkAlerts);
  });

  it('judge the envs their samples left, by time alone, with work linear in the number of envs', () => {
    expectLinearSteps((envs: number) => withSteps(run(envs), 'departureSteps'), checkAlerts);
  });
});
