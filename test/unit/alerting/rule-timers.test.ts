/**
 * The rules' own timers (rule-timers.ts) and the rate rules' departures
 * (rate-rule.ts): the loop that fires them runs on the main thread, so a
 * timer whose due time does not move when fired (its rule's state out of
 * step with it) must not spin it for ever. Made out of step through seams:
 * a stand-in timer that never advances, and a rate rule's multiset of entry
 * ends (`ends`) holding a time no entry has.
 */
import { describe, expect, it } from 'vitest';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { EarliestTimes } from '../../../lib/earliest-times.js';
import type { Labels } from '../../../processors/alerting/alert-instance.js';
import type { RaiseSpec, RuleContext, RuleTimer } from '../../../processors/alerting/rule-context.js';
import { fireTimersBefore } from '../../../processors/alerting/rule-timers.js';
import { createRateRule } from '../../../processors/alerting/rules/rate-rule.js';
import type { Fact } from '../../../processors/facts.js';
import { MIN, T0 } from './helpers.js';

/** A timer due at each of `times` in turn (then never), recording each fire; `limit` fires at most, then it throws. */
function scriptedTimer(name: string, times: number[], fired: string[], limit = 100): RuleTimer {
  let i = 0;
  return {
    get due() {
      return times[i] ?? Infinity;
    },
    fire(at) {
      fired.push(`${name}@${at}`);
      if (fired.length > limit) throw new Error('the loop is spinning');
      i++;
    },
  };
}

describe('fireTimersBefore', () => {
  it('fires every timer due strictly before `at`, earliest first, each after what is due before it', () => {
    const fired: string[] = [];
    const timers = [scriptedTimer('a', [10, 30], fired), scriptedTimer('b', [20, 40], fired)];
    fireTimersBefore(timers, 40, (time) => fired.push(`before ${time}`));
    expect(fired).toEqual(['before 10', 'a@10', 'before 20', 'b@20', 'before 30', 'a@30']);
  });

  it('a timer that stays due at the time it fired (out of step with its rule) fires once; the loop ends and the others fire', () => {
    const fired: string[] = [];
    const stuck: RuleTimer = {
      due: 15,
      fire(at) {
        fired.push(`stuck@${at}`);
        if (fired.length > 100) throw new Error('the loop is spinning');
      },
    };
    fireTimersBefore([stuck, scriptedTimer('b', [10, 20], fired)], 30, () => {});
    expect(fired).toEqual(['b@10', 'stuck@15', 'b@20']);
    // The next fact's call gives it one more chance (its rule may have caught up), no more.
    fired.length = 0;
    fireTimersBefore([stuck], 40, () => {});
    expect(fired).toEqual(['stuck@15']);
  });
});

describe('a rate rule whose entry ends are out of step with its entries', () => {
  const windowMs = 60 * MIN;
  /** One key's samples per row; a window of 1h, at least 1 sample, breached above 0.5. */
  const make = (ends: EarliestTimes) => {
    const calls: string[] = [];
    const firing = new Set<string>();
    const config = { ...defaultAlertsConfig().rules.index_error_rate_high, threshold: 0.5, windowMs, minSamples: 1 };
    const ctx: RuleContext = {
      rule: 'index_error_rate_high',
      config,
      raise(at: number, spec: RaiseSpec) {
        if (!firing.has(spec.labels.env!)) calls.push(`firing ${spec.labels.env} at ${(at - T0) / MIN}m`);
        firing.add(spec.labels.env!);
      },
      clear(at: number, labels: Labels) {
        if (firing.delete(labels.env!)) calls.push(`resolved ${labels.env} at ${(at - T0) / MIN}m`);
      },
      isFiring: (labels: Labels) => firing.has(labels.env!),
    };
    const rule = createRateRule(
      ctx,
      {
        rowOf: (fact) =>
          fact.kind === 'env-window'
            ? { group: fact.row.env, windowEnd: fact.row.windowEnd, samples: [{ labels: { env: fact.row.env }, numerator: fact.row.indexErrors, denominator: fact.row.indexOps }] }
            : undefined,
        breaches: (value, threshold) => value > threshold,
        describe: () => ({ summary: '', description: '' }),
        unmeasured: () => 'nothing',
      },
      ends,
    );
    return { rule, calls };
  };
  const row = (windowEnd: number, errors: number, ops: number) => ({ kind: 'env-window', at: windowEnd, row: { env: 'prod', windowEnd, indexErrors: errors, indexOps: ops } }) as unknown as Fact;

  it('drops a due time no entry has when it comes, and goes on to the real next departure', () => {
    const ends = new EarliestTimes();
    const { rule, calls } = make(ends);
    rule.handle(row(T0 + 10 * MIN, 9, 10));
    expect(calls).toEqual(['firing prod at 10m']);
    ends.add(T0 + 5 * MIN); // an end whose entry does not exist (or no longer does)
    expect(rule.handle(row(T0 + 10 * MIN, 9, 10))).toBeUndefined(); // any change re-derives the due time
    expect(rule.timer!.due).toBe(T0 + 65 * MIN);
    rule.timer!.fire(T0 + 65 * MIN);
    // Nothing left at 65m (the entry of 10m stays until 70m); the next due time is that entry's departure.
    expect(rule.timer!.due).toBe(T0 + 70 * MIN);
    fireTimersBefore([rule.timer!], T0 + 24 * 60 * MIN, () => {});
    expect(calls).toEqual(['firing prod at 10m', 'resolved prod at 70m']);
    expect(rule.timer!.due).toBe(Infinity);
  });
});
