/**
 * Shared machinery of the rolling-rate rules (promotion success rate,
 * promotion duration, gate failure rate, index error rate). Each closed
 * 5-minute window row contributes (numerator, denominator) per alert key;
 * the rule judges numerator / denominator summed over the rows of the same
 * group (env) whose windowEnd lies in (latestEnd − windowMs, latestEnd].
 *
 * Judgement, once per row, for every key of the row's group (keys missing
 * from the row are judged too: their window may just have drained):
 *   - no samples in the window            → keep the state (nothing to judge);
 *   - breach with ≥ minSamples samples     → firing (startsAt = the row's windowEnd);
 *   - breach with fewer samples            → keep the state (not enough to
 *     confirm a breach, and still no sign of recovery);
 *   - no breach, whatever the sample count → resolved (the rate is back).
 *
 * The rolling entries are per-env (whole) state in live mode, snapshotted in
 * their insertion order, which is the order keys are judged (and alerts
 * emitted) in.
 */
import { ConfigError } from '../../../lib/errors.js';
import type { Fact, FactKind, PromotionWindowRow } from '../../facts.js';
import type { Labels } from '../alert-instance.js';
import type { AlertRule, RuleContext } from '../rule-context.js';

export interface RateSample {
  labels: Labels;
  numerator: number;
  denominator: number;
}

/** One closed window's contribution: its group, windowEnd, and a sample per key present in it. */
export interface RateRow {
  group: string;
  windowEnd: number;
  samples: RateSample[];
}

export interface Judged {
  labels: Labels;
  /** numerator / denominator over the window. */
  value: number;
  numerator: number;
  denominator: number;
  threshold: number;
  windowMs: number;
}

export interface RateRuleSpec {
  /** The only fact kinds `rowOf` can turn into a row (see AlertRule.kinds). */
  kinds?: readonly FactKind[];
  /** The row a fact contributes, or undefined when the fact is not for this rule. */
  rowOf: (fact: Fact) => RateRow | undefined;
  breaches: (value: number, threshold: number) => boolean;
  describe: (judged: Judged) => { summary: string; description: string };
}

interface KeyWindow {
  labels: Labels;
  entries: Array<{ end: number; numerator: number; denominator: number }>;
}

/** Plain JSON form: per group, each key's labels and window entries. */
export interface RateRuleSnapshot {
  groups: Array<[group: string, keys: KeyWindow[]]>;
}

export function createRateRule(ctx: RuleContext, spec: RateRuleSpec): AlertRule {
  const { threshold, windowMs, minSamples } = ctx.config;
  if (threshold === undefined || windowMs === undefined || minSamples === undefined) {
    throw new ConfigError(`rules.${ctx.rule}`, 'threshold, window and minSamples are required for a rate rule');
  }
  /** group → key → window */
  const groups = new Map<string, Map<string, KeyWindow>>();

  return {
    kinds: spec.kinds,
    handle(fact) {
      const row = spec.rowOf(fact);
      if (!row) return;
      let keys = groups.get(row.group);
      if (!keys) groups.set(row.group, (keys = new Map()));
      for (const s of row.samples) {
        const key = labelsKey(s.labels);
        let w = keys.get(key);
        if (!w) keys.set(key, (w = { labels: s.labels, entries: [] }));
        w.entries.push({ end: row.windowEnd, numerator: s.numerator, denominator: s.denominator });
      }
      const horizon = row.windowEnd - windowMs;
      for (const [key, w] of keys) {
        w.entries = w.entries.filter((e) => e.end > horizon && e.end <= row.windowEnd);
        const numerator = w.entries.reduce((sum, e) => sum + e.numerator, 0);
        const denominator = w.entries.reduce((sum, e) => sum + e.denominator, 0);
        if (denominator > 0) {
          const value = numerator / denominator;
          if (!spec.breaches(value, threshold)) ctx.clear(fact.at, w.labels);
          else if (denominator >= minSamples) {
            const judged = { labels: w.labels, value, numerator, denominator, threshold, windowMs };
            ctx.raise(fact.at, { labels: w.labels, startsAt: row.windowEnd, ...spec.describe(judged) });
          }
        }
        // Bounded state: forget keys with nothing in the window and no live alert.
        if (w.entries.length === 0 && !ctx.isFiring(w.labels)) keys.delete(key);
      }
      if (keys.size === 0) groups.delete(row.group);
    },
    wholeState: {
      snapshot(): RateRuleSnapshot {
        return {
          groups: [...groups].map(([group, keys]) => [group, [...keys.values()].map((w) => ({ labels: { ...w.labels }, entries: w.entries.map((e) => ({ ...e })) }))]),
        };
      },
      restore(state: RateRuleSnapshot) {
        groups.clear();
        for (const [group, windows] of state.groups) {
          groups.set(group, new Map(windows.map((w) => [labelsKey(w.labels), { labels: { ...w.labels }, entries: w.entries.map((e) => ({ ...e })) }])));
        }
      },
    },
  };
}

function labelsKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/**
 * A rate rule over the per-env promotion windows: every closed window of an
 * env contributes the samples `samplesOf` takes from its row (one per alert
 * key), grouped by env.
 */
export function createPromotionWindowRateRule(
  ctx: RuleContext,
  spec: Omit<RateRuleSpec, 'kinds' | 'rowOf'> & { samplesOf: (row: PromotionWindowRow) => RateSample[] },
): AlertRule {
  return createRateRule(ctx, {
    kinds: ['promotion-window'],
    rowOf: (fact) => (fact.kind === 'promotion-window' ? { group: fact.row.env, windowEnd: fact.row.windowEnd, samples: spec.samplesOf(fact.row) } : undefined),
    breaches: spec.breaches,
    describe: spec.describe,
  });
}
