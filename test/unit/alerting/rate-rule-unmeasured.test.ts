/**
 * A rate rule's alert that ends because none of its samples is left in its
 * `window` (rate-rule.ts) was not seen to recover — promotions halted because
 * of it, a gate no longer run, an env gone quiet — and its resolution says
 * so, as the other "no longer judged" resolutions do (README, Consuming
 * alerts: Lifecycle); one because the rate is back within the threshold
 * carries no note.
 */
import { describe, expect, it } from 'vitest';
import type { AlertsConfig } from '../../../config/alert-rules.js';
import { MIN, T0, advance, brief, envRow, gate, makeProcessor, only, promotionRow } from './helpers.js';

/** One rule on, and a single escalation level: only the rule's own decisions come out. */
const isolate = (rule: string) => (c: AlertsConfig) => {
  only(rule)(c);
  c.escalation = [c.escalation[0]!];
};

describe('rate rules resolved for want of samples', () => {
  it('a resolution because nothing is left in the window says so; one because the rate is back does not', () => {
    const note = (out: Parameters<typeof brief>[0]) => out.filter((o) => o.alert.status === 'resolved').map((o) => o.alert.annotations.description.replace(/^.*?(Resolved because|$)/, '$1'));
    const aged = (ruleName: string, ...facts: Parameters<ReturnType<typeof makeProcessor>['run']>) => {
      const { run } = makeProcessor(isolate(ruleName));
      return note([...run(...facts), ...run(advance(Number.POSITIVE_INFINITY))]);
    };
    const tail = '(its window): this rule no longer measures it, and the rate was not seen to recover.';
    expect(aged('promotion_success_rate_low', promotionRow(T0 + 5 * MIN, { failed: 20 }))).toEqual([`Resolved because no promotion in prod was reported for 1h ${tail}`]);
    expect(aged('promotion_duration_high', promotionRow(T0 + 5 * MIN, { succeeded: 1, durationCount: 1, durationSumMs: 10 * MIN }))).toEqual([`Resolved because no promotion in prod was reported for 1h ${tail}`]);
    expect(aged('gate_failure_rate_high', promotionRow(T0 + 5 * MIN, { gates: [gate('smoke', 10, 10)] }))).toEqual([`Resolved because no run of gate smoke in prod was reported for 1h ${tail}`]);
    expect(aged('index_error_rate_high', envRow(T0 + 5 * MIN, 100, 6))).toEqual([`Resolved because no activity in prod was reported for 5m ${tail}`]);
    // Back within the threshold: resolved with no note.
    const { run } = makeProcessor(isolate('promotion_success_rate_low'));
    run(promotionRow(T0 + 5 * MIN, { failed: 20 }));
    expect(note(run(promotionRow(T0 + 10 * MIN, { succeeded: 1000 })))).toEqual(['']);
  });
});
