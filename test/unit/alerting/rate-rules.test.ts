import { describe, expect, it } from 'vitest';
import type { AlertsConfig } from '../../../config/alert-rules.js';
import type { DecidedPromotion } from '../../../processors/promotion-facts.js';
import { MAX_LISTED_ITEMS } from '../../../processors/alerting/format.js';
import type { RateRuleSnapshot } from '../../../processors/alerting/rules/rate-rule.js';
import { MIN, SEC, T0, advance, brief, envRow, gate, iso, makeProcessor, only, promotionRow } from './helpers.js';

/** One rule on, and a single escalation level so timing assertions see only the rule's own decisions. */
const isolate = (rule: string) => (c: AlertsConfig) => {
  only(rule)(c);
  c.escalation = [c.escalation[0]!];
};

describe('promotion_success_rate_low', () => {
  it('fires below 95 % with ≥ 20 terminal promotions in the rolling hour and resolves when back', () => {
    const { run } = makeProcessor(isolate('promotion_success_rate_low'));
    // 10/12 = 83 % but only 12 samples: no alert.
    expect(run(promotionRow(T0 + 5 * MIN, { succeeded: 10, failed: 2 }))).toEqual([]);
    // 18/21 = 85.7 % over 21 samples: fires at this window's end.
    const fired = run(promotionRow(T0 + 10 * MIN, { succeeded: 8, rolledBack: 1 }));
    expect(brief(fired)).toEqual([['promotion_success_rate_low', 'firing', 1, 'high', 10 * MIN]]);
    expect(fired[0]!.alert).toMatchObject({ labels: { env: 'prod' }, startsAt: iso(T0 + 10 * MIN) });
    expect(fired[0]!.alert.annotations.summary).toBe('Promotion success rate in prod is 85.7% (target ≥ 95%)');
    expect(fired[0]!.alert.annotations.description).toBe(
      '18 of 21 promotions that ended in prod in the last 1h succeeded; 3 failed or were rolled back.',
    );
    // 48/51 = 94.1 %: still firing, nothing emitted. A window with no terminal promotion changes nothing.
    expect(run(promotionRow(T0 + 15 * MIN, { succeeded: 30 }), promotionRow(T0 + 20 * MIN, { started: 3 }))).toEqual([]);
    // 68/71 = 95.8 %: resolved.
    expect(brief(run(promotionRow(T0 + 25 * MIN, { succeeded: 20 })))).toEqual([
      ['promotion_success_rate_low', 'resolved', 1, 'high', 25 * MIN],
    ]);
  });

  it('rows leave the rolling window an hour after their windowEnd', () => {
    const { run } = makeProcessor(isolate('promotion_success_rate_low'));
    expect(brief(run(promotionRow(T0 + 5 * MIN, { failed: 20 })))).toEqual([['promotion_success_rate_low', 'firing', 1, 'high', 5 * MIN]]);
    // Window (0m, 60m] still holds the 20 failures: 1/21.
    expect(run(promotionRow(T0 + 60 * MIN, { succeeded: 1 }))).toEqual([]);
    // Window (5m, 65m]: 2/2.
    expect(brief(run(promotionRow(T0 + 65 * MIN, { succeeded: 1 })))).toEqual([
      ['promotion_success_rate_low', 'resolved', 1, 'high', 65 * MIN],
    ]);
  });

  it('too few samples to confirm a breach keep the alert firing; a good rate resolves it whatever the count', () => {
    const { run } = makeProcessor(isolate('promotion_success_rate_low'));
    run(promotionRow(T0 + 5 * MIN, { failed: 20 }));
    expect(run(promotionRow(T0 + 65 * MIN, { failed: 1 }))).toEqual([]); // 0/1
    expect(run(promotionRow(T0 + 70 * MIN, { succeeded: 3 }))).toEqual([]); // 3/4
    expect(brief(run(promotionRow(T0 + 75 * MIN, { succeeded: 20 })))).toEqual([
      ['promotion_success_rate_low', 'resolved', 1, 'high', 75 * MIN],
    ]); // 23/24
  });

  it('a promotion that succeeded and was rolled back later counts once, as no success', () => {
    const { run } = makeProcessor(isolate('promotion_success_rate_low'));
    // 20 succeeded: 100 %.
    expect(run(promotionRow(T0 + 5 * MIN, { succeeded: 20 }))).toEqual([]);
    // 2 of them rolled back: 18/20 = 90 % (not 20/22 = 90.9 %, nor 22 ended). The rollbacks take the 2 successes
    // back from the window that counted them (ending at 5m).
    const fired = run(promotionRow(T0 + 10 * MIN, { rolledBack: 2, rolledBackAfterSuccess: 2, successChanges: [{ windowEnd: T0 + 5 * MIN, delta: -2 }] }));
    expect(brief(fired)).toEqual([['promotion_success_rate_low', 'firing', 1, 'high', 10 * MIN]]);
    expect(fired[0]!.alert.annotations.description).toBe(
      '18 of 20 promotions that ended in prod in the last 1h succeeded; 2 failed or were rolled back.',
    );
  });

  it('a promotion that failed and was rolled back afterwards ends once', () => {
    const { run } = makeProcessor(isolate('promotion_success_rate_low'));
    // 19 succeeded, 1 failed: 20 ended, 95 % — at the threshold, no breach.
    expect(run(promotionRow(T0 + 5 * MIN, { succeeded: 19, failed: 1 }))).toEqual([]);
    // The failed canary is rolled back: still 19 of 20 (not 19 of 21 = 90.5 %), so nothing fires.
    expect(run(promotionRow(T0 + 10 * MIN, { rolledBack: 1, promotionsEnded: 0 }))).toEqual([]);
  });

  it('a promotion that failed and was retried into a success under its id counts once, as a success', () => {
    const { run } = makeProcessor(isolate('promotion_success_rate_low'));
    // 18 succeeded, 2 failed: 90 % of 20 → firing when that window closes.
    expect(brief(run(promotionRow(T0 + 5 * MIN, { succeeded: 18, failed: 2 })))).toEqual([['promotion_success_rate_low', 'firing', 1, 'high', 5 * MIN]]);
    // Both retried and succeeded in the next window: they end nothing there and give their window their successes:
    // 20 of 20 (not 20 of 22 = 90.9 %) → resolved.
    const resolved = run(promotionRow(T0 + 10 * MIN, { succeeded: 2, promotionsEnded: 0, endedSucceeded: 0, successChanges: [{ windowEnd: T0 + 5 * MIN, delta: 2 }] }));
    expect(brief(resolved)).toEqual([['promotion_success_rate_low', 'resolved', 1, 'high', 10 * MIN]]);
  });

  it('a rollback whose success left the window takes back nothing', () => {
    const { run } = makeProcessor(isolate('promotion_success_rate_low'));
    // The success counted at 5m leaves the hour at 65m; its rollback at 70m, with 20 failures: 0/20, not -1/20.
    run(promotionRow(T0 + 5 * MIN, { succeeded: 1 }));
    const fired = run(promotionRow(T0 + 70 * MIN, { failed: 20, rolledBack: 1, rolledBackAfterSuccess: 1, successChanges: [{ windowEnd: T0 + 5 * MIN, delta: -1 }] }));
    expect(fired[0]!.alert.annotations.summary).toBe('Promotion success rate in prod is 0% (target ≥ 95%)');
  });

  it('keeps envs apart', () => {
    const { run } = makeProcessor(isolate('promotion_success_rate_low'));
    const out = run(promotionRow(T0 + 5 * MIN, { failed: 20 }), promotionRow(T0 + 5 * MIN, { env: 'qa', succeeded: 20 }));
    expect(out.map((o) => o.alert.labels.env)).toEqual(['prod']);
  });
});

describe('promotion_duration_high', () => {
  it('fires when the rolling mean duration is above 5 min and resolves when it is not', () => {
    const { run } = makeProcessor(isolate('promotion_duration_high'));
    expect(run(promotionRow(T0 + 5 * MIN, { durationCount: 1, durationSumMs: 5 * MIN }))).toEqual([]); // exactly 5m: not above
    const fired = run(promotionRow(T0 + 10 * MIN, { durationCount: 1, durationSumMs: 10 * MIN })); // (5+10)/2 = 7m30s
    expect(brief(fired)).toEqual([['promotion_duration_high', 'firing', 1, 'medium', 10 * MIN]]);
    expect(fired[0]!.alert.annotations.summary).toBe('Promotions in prod take 7m 30s on average (target < 5m)');
    expect(brief(run(promotionRow(T0 + 15 * MIN, { durationCount: 2, durationSumMs: 2 * MIN })))).toEqual([
      ['promotion_duration_high', 'resolved', 1, 'medium', 15 * MIN],
    ]); // 17m / 4 = 4m15s
  });
});

describe('gate_failure_rate_high', () => {
  it('judges each (env, gate) over the rolling hour', () => {
    const { run } = makeProcessor(isolate('gate_failure_rate_high'));
    const fired = run(promotionRow(T0 + 5 * MIN, { gates: [gate('build', 19, 1), gate('smoke', 10, 10)] }));
    // build: 1/20 = 5 %, not above the threshold; smoke: 50 %.
    expect(brief(fired)).toEqual([['gate_failure_rate_high', 'firing', 1, 'medium', 5 * MIN]]);
    expect(fired[0]!.alert.labels).toEqual({ env: 'prod', gate: 'smoke' });
    expect(fired[0]!.alert.annotations.description).toBe('10 of 20 runs of gate smoke in prod failed in the last 1h.');
    // smoke did not run: its hour still holds 10/20; after an hour it holds nothing: no longer measured, resolved.
    expect(run(promotionRow(T0 + 10 * MIN, { gates: [gate('build', 5, 0)] }))).toEqual([]);
    expect(brief(run(promotionRow(T0 + 65 * MIN, { gates: [] })))).toEqual([['gate_failure_rate_high', 'resolved', 1, 'medium', 65 * MIN]]);
    expect(run(promotionRow(T0 + 70 * MIN, { gates: [gate('smoke', 1, 0)] }))).toEqual([]);
  });
});

describe('index_error_rate_high', () => {
  it('judges each 5-minute env window; a window without index ops changes nothing', () => {
    const { run } = makeProcessor(isolate('index_error_rate_high'));
    expect(run(envRow(T0 + 5 * MIN, 100, 5))).toEqual([]); // exactly 5 %
    const fired = run(envRow(T0 + 10 * MIN, 100, 6));
    expect(brief(fired)).toEqual([['index_error_rate_high', 'firing', 1, 'medium', 10 * MIN]]);
    expect(fired[0]!.alert.annotations.summary).toBe('Index error rate in prod is 6% (target ≤ 5%)');
    expect(run(envRow(T0 + 15 * MIN, 0, 0))).toEqual([]); // no ops
    expect(run(envRow(T0 + 20 * MIN, 10, 5))).toEqual([]); // breach over too few ops: still firing
    expect(brief(run(envRow(T0 + 25 * MIN, 10, 0)))).toEqual([['index_error_rate_high', 'resolved', 1, 'medium', 25 * MIN]]);
    expect(run(envRow(T0 + 30 * MIN, 19, 19), envRow(T0 + 30 * MIN, 100, 1, 'qa'))).toEqual([]); // below minSamples; other env fine
  });

  it('a second row for a window already counted replaces its sample (an env rollup closed again after a rebalance)', () => {
    const { run } = makeProcessor(isolate('index_error_rate_high'));
    expect(brief(run(envRow(T0 + 5 * MIN, 100, 10)))).toEqual([['index_error_rate_high', 'firing', 1, 'medium', 5 * MIN]]);
    // The same window with a moved key's ops in it too: 10 errors in 200 ops is 5 %, no breach. (Added to the
    // first, 20 in 300 would still breach.)
    expect(brief(run(envRow(T0 + 5 * MIN, 200, 10)))).toEqual([['index_error_rate_high', 'resolved', 1, 'medium', 5 * MIN]]);
  });
});

describe('rate rules over event time alone (samples leaving the window without a later row)', () => {
  const rule = 'promotion_success_rate_low';
  const brief2 = (out: Parameters<typeof brief>[0]) => out.map((o) => [o.alert.status, (o.at - T0) / MIN, o.alert.endsAt ?? null]);

  it('a firing alert resolves when its last sample leaves the window, at that moment, though no row follows', () => {
    const { run, processor } = makeProcessor(isolate(rule));
    run(promotionRow(T0 + 5 * MIN, { failed: 20 }));
    // The row ending at 5m is in the windows (…, t] for t < 65m; a fact at 65m itself does not yet judge without it.
    expect(run(advance(T0 + 64 * MIN), advance(T0 + 65 * MIN))).toEqual([]);
    expect(brief2(run(advance(T0 + 65 * MIN + 1)))).toEqual([['resolved', 65, iso(T0 + 65 * MIN)]]);
    expect(processor.snapshot().rules[rule]).toEqual({ groups: [] }); // nothing left to remember
    expect(run(advance(Number.POSITIVE_INFINITY))).toEqual([]);
  });

  it('bad samples leaving the window resolve the alert when the rest is good', () => {
    const { run } = makeProcessor(isolate(rule));
    run(promotionRow(T0 + 5 * MIN, { failed: 20 }));
    expect(run(promotionRow(T0 + 10 * MIN, { succeeded: 5 }))).toEqual([]); // 5/25
    // At 65m the failures leave: 5/5.
    expect(brief2(run(advance(T0 + 66 * MIN)))).toEqual([['resolved', 65, iso(T0 + 65 * MIN)]]);
    expect(run(advance(Number.POSITIVE_INFINITY))).toEqual([]);
  });

  it('too few samples keep it firing until the window is empty', () => {
    const { run } = makeProcessor(isolate(rule));
    run(promotionRow(T0 + 5 * MIN, { failed: 20 }));
    expect(run(promotionRow(T0 + 65 * MIN, { failed: 1 }), advance(T0 + 100 * MIN))).toEqual([]); // 0/1
    expect(brief2(run(advance(Number.POSITIVE_INFINITY)))).toEqual([['resolved', 125, iso(T0 + 125 * MIN)]]);
  });

  it('windows that counted nothing keep the state; only an empty window ends it', () => {
    const { run } = makeProcessor(isolate(rule));
    run(promotionRow(T0 + 5 * MIN, { failed: 20 }));
    // Promotions keep starting but none ends: 0 terminal promotions in the hour from 65m on, still no sign of recovery.
    expect(run(promotionRow(T0 + 60 * MIN, { started: 2 }), advance(T0 + 90 * MIN))).toEqual([]);
    expect(brief2(run(advance(Number.POSITIVE_INFINITY)))).toEqual([['resolved', 120, iso(T0 + 120 * MIN)]]);
  });

  it('a restored snapshot re-arms the departure (live-mode restart)', () => {
    const first = makeProcessor(isolate(rule));
    first.run(promotionRow(T0 + 5 * MIN, { failed: 20 }), advance(T0 + 30 * MIN));
    const restored = makeProcessor(isolate(rule));
    restored.processor.restore(JSON.parse(JSON.stringify(first.processor.snapshot())));
    expect(brief2(restored.run(advance(T0 + 70 * MIN)))).toEqual([['resolved', 65, iso(T0 + 65 * MIN)]]);
  });

  it('keys that are not firing are forgotten once their samples leave, by time alone (bounded state)', () => {
    const { run, processor } = makeProcessor(isolate(rule));
    // 20/20 in prod, 3/5 in qa (too few to judge): neither fires.
    expect(run(promotionRow(T0 + 5 * MIN, { succeeded: 20 }), promotionRow(T0 + 5 * MIN, { env: 'qa', succeeded: 3, failed: 2 }))).toEqual([]);
    expect(processor.snapshot().rules[rule]).toMatchObject({ groups: [['prod', [{}]], ['qa', [{}]]] });
    expect(run(advance(T0 + 66 * MIN))).toEqual([]);
    expect(processor.snapshot().rules[rule]).toEqual({ groups: [] });
  });

  it('judges only the keys samples left: one gate resolves while the other, still measured, keeps firing', () => {
    const { run, processor } = makeProcessor(isolate('gate_failure_rate_high'));
    expect(brief(run(promotionRow(T0 + 5 * MIN, { gates: [gate('smoke', 10, 10)] })))).toEqual([['gate_failure_rate_high', 'firing', 1, 'medium', 5 * MIN]]);
    expect(brief(run(promotionRow(T0 + 30 * MIN, { gates: [gate('build', 10, 10)] })))).toEqual([['gate_failure_rate_high', 'firing', 1, 'medium', 30 * MIN]]);
    // smoke's only window leaves at 65m, build's at 90m.
    const out = run(advance(T0 + 80 * MIN));
    expect(out.map((o) => [o.alert.labels.gate, o.alert.status, (o.at - T0) / MIN])).toEqual([['smoke', 'resolved', 65]]);
    expect(processor.firingCount).toBe(1);
    expect(run(advance(T0 + 90 * MIN + 1)).map((o) => [o.alert.labels.gate, o.alert.status, (o.at - T0) / MIN])).toEqual([['build', 'resolved', 90]]);
  });

  it('good samples leaving can reveal a breach: it fires at that moment, as a row then would have', () => {
    const { run } = makeProcessor(isolate(rule));
    // 1000/1020 = 98 %: fine. At 65m the successes leave and (5m, 65m] holds 0/20.
    expect(run(promotionRow(T0 + 5 * MIN, { succeeded: 1000 }), promotionRow(T0 + 30 * MIN, { failed: 20 }))).toEqual([]);
    const fired = run(advance(T0 + 66 * MIN));
    expect(brief2(fired)).toEqual([['firing', 65, null]]);
    expect(fired[0]!.alert.startsAt).toBe(iso(T0 + 65 * MIN));
    expect(brief2(run(advance(Number.POSITIVE_INFINITY)))).toEqual([['resolved', 90, iso(T0 + 90 * MIN)]]);
  });

  it('index_error_rate_high (5-minute window): an env with no activity at all for a window resolves; a window without index ops does not', () => {
    const { run } = makeProcessor(isolate('index_error_rate_high'));
    expect(brief(run(envRow(T0 + 5 * MIN, 100, 6)))).toEqual([['index_error_rate_high', 'firing', 1, 'medium', 5 * MIN]]);
    expect(run(envRow(T0 + 10 * MIN, 0, 0), advance(T0 + 15 * MIN))).toEqual([]); // activity, but no index op
    // No env window ends at 15m (no activity in [10m, 15m)): from 15m on, nothing of prod is in the window.
    expect(brief2(run(advance(T0 + 15 * MIN + 1)))).toEqual([['resolved', 15, iso(T0 + 15 * MIN)]]);
  });

  it('an escalation due at the very moment the window empties does not happen', () => {
    const { run } = makeProcessor((c) => {
      only(rule)(c);
      c.escalation = [c.escalation[0]!, { ...c.escalation[1]!, afterMs: 60 * MIN }];
    });
    run(promotionRow(T0 + 5 * MIN, { failed: 20 }));
    expect(brief2(run(advance(T0 + 70 * MIN)))).toEqual([['resolved', 65, iso(T0 + 65 * MIN)]]);
  });
});

describe('what the rate rules name (bounded, snapshotted)', () => {
  const rule = 'promotion_success_rate_low';
  /** Promotion p-<n> of api failed at T0 + n s, counted in the window ending at 5m. */
  const failure = (n: number): DecidedPromotion => ({
    promotionId: `p-${String(n).padStart(2, '0')}`, artifact: 'api', countedIn: T0 + 5 * MIN, decidedAt: T0 + n * SEC, succeeded: false, rolledBack: false,
  });
  const entries = (snapshot: unknown) => (snapshot as RateRuleSnapshot).groups[0]![1][0]!.entries;
  const l2 = (out: ReturnType<ReturnType<typeof makeProcessor>['run']>) => out.find((o) => o.alert.escalationLevel === 2)!.alert.annotations.description;

  it('keeps the latest MAX_LISTED_ITEMS per window, whatever the failures, and says how many more there are', () => {
    const { run, processor } = makeProcessor(only(rule));
    const fired = run(promotionRow(T0 + 5 * MIN, { failed: 30, decided: Array.from({ length: 30 }, (_, n) => failure(n)) }));
    expect(fired[0]!.alert.annotations.description).toBe(
      '0 of 30 promotions that ended in prod in the last 1h succeeded; 30 failed or were rolled back, latest first: ' +
        'p-29 (api, failed), p-28 (api, failed), p-27 (api, failed), p-26 (api, failed), p-25 (api, failed), p-24 (api, failed), ' +
        'p-23 (api, failed), p-22 (api, failed), p-21 (api, failed), p-20 (api, failed) and 20 more.',
    );
    expect(entries(processor.snapshot().rules[rule])[0]!.examples).toHaveLength(MAX_LISTED_ITEMS);
  });

  it('a window too many retries made successes in forgets the names of the window they were counted in: fewer, never a success', () => {
    const { run } = makeProcessor(only(rule));
    run(promotionRow(T0 + 5 * MIN, { failed: 30, decided: Array.from({ length: 30 }, (_, n) => failure(n)) }));
    // 29 of them retried into a success at 7m: more than a row lists, so it says which window they were counted in;
    // p-30 (web) failed, counted here.
    const later = run(
      promotionRow(T0 + 10 * MIN, {
        succeeded: 29, failed: 1, promotionsEnded: 1, endedSucceeded: 0, successChanges: [{ windowEnd: T0 + 5 * MIN, delta: 29 }],
        decided: [{ ...failure(30), artifact: 'web', countedIn: T0 + 10 * MIN, decidedAt: T0 + 8 * MIN }],
        unlistedRetries: [T0 + 5 * MIN],
      }),
      advance(T0 + 10 * MIN + 1),
    );
    // 29 of 31: the one still failed of the first window (which of them the row cannot say) is not named; none of the successes is.
    expect(l2(later)).toBe(
      '29 of 31 promotions that ended in prod in the last 1h succeeded; 2 failed or were rolled back, latest first: p-30 (web, failed) and 1 more.',
    );
  });

  it('a restored snapshot names what the uninterrupted run names; one from before examples were kept names the new ones only', () => {
    const first = makeProcessor(only(rule));
    first.run(promotionRow(T0 + 5 * MIN, { failed: 20, decided: Array.from({ length: 20 }, (_, n) => failure(n)) }));
    const saved = JSON.parse(JSON.stringify(first.processor.snapshot())) as ReturnType<typeof first.processor.snapshot>;
    // p-05 retried into a success at 7m, p-30 (web 2.0.0) failed: 1 of 21.
    const later = [
      promotionRow(T0 + 10 * MIN, {
        succeeded: 1, failed: 1, promotionsEnded: 1, endedSucceeded: 0, successChanges: [{ windowEnd: T0 + 5 * MIN, delta: 1 }],
        decided: [
          { ...failure(5), decidedAt: T0 + 7 * MIN, succeeded: true },
          { ...failure(30), artifact: 'web', version: '2.0.0', countedIn: T0 + 10 * MIN, decidedAt: T0 + 8 * MIN, reason: 'smoke gate failed' },
        ],
      }),
      advance(T0 + 10 * MIN + 1),
    ];
    const uninterrupted = l2(first.run(...later));
    expect(uninterrupted).toBe(
      '1 of 21 promotions that ended in prod in the last 1h succeeded; 20 failed or were rolled back, latest first: ' +
        'p-30 (web 2.0.0, failed: smoke gate failed), p-19 (api, failed), p-18 (api, failed), p-17 (api, failed), p-16 (api, failed), ' +
        'p-15 (api, failed), p-14 (api, failed), p-13 (api, failed), p-12 (api, failed), p-11 (api, failed) and 10 more.',
    );
    const restored = makeProcessor(only(rule));
    restored.processor.restore(JSON.parse(JSON.stringify(saved)));
    expect(restored.processor.snapshot()).toEqual(saved);
    expect(l2(restored.run(...later))).toBe(uninterrupted);

    // The previous release's snapshot: samples without examples.
    const old = JSON.parse(JSON.stringify(saved)) as typeof saved;
    for (const e of entries(old.rules[rule])) delete e.examples;
    const upgraded = makeProcessor(only(rule));
    upgraded.processor.restore(old);
    expect(l2(upgraded.run(...later))).toBe(
      '1 of 21 promotions that ended in prod in the last 1h succeeded; 20 failed or were rolled back, latest first: p-30 (web 2.0.0, failed: smoke gate failed) and 19 more.',
    );
  });
});
