/**
 * index_error_rate_high: per env, index errors / index operations above
 * threshold. With the default 5m window each env-window row is judged on its
 * own; a window without index operations leaves the alert as it is, while an
 * env with no activity for a whole window (drift windows emit no row for it)
 * resolves when its last row leaves the window (see rate-rule.ts).
 *
 * The text names the artifacts with the most index errors (index events
 * carry artifact, instance and shard; the errors are counted per key, so per
 * artifact): each window's rollup keeps its first MAX_LISTED_ITEMS, and an
 * artifact's errors add up over the windows in the span (exact with the
 * default 5m window, one window; over several, an artifact left out of a
 * window's list counts only the windows that kept it). Errors on artifacts
 * not named are said as a number.
 */
import { duration, list, MAX_LISTED_ITEMS, percent } from '../format.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { createRateRule } from './rate-rule.js';
import type { Judged } from './rate-row.js';

export function createIndexErrorRateHighRule(ctx: RuleContext): AlertRule {
  return createRateRule(ctx, {
    kinds: ['env-window'],
    rowOf: (fact) => {
      if (fact.kind !== 'env-window') return undefined;
      const r = fact.row;
      return {
        group: r.env,
        windowEnd: r.windowEnd,
        samples: [
          {
            labels: { env: r.env },
            numerator: r.indexErrors,
            denominator: r.indexOps,
            examples: (r.indexErrorArtifacts ?? []).map((a) => ({ key: a.artifact, rank: a.errors, name: a.artifact })),
          },
        ],
      };
    },
    breaches: (value, threshold) => value > threshold,
    // Its samples are the env's 5-minute windows: any activity of the env, index operations or not.
    unmeasured: (labels) => `no activity in ${labels.env}`,
    resolved: (j) => ({
      summary: `Index error rate in ${j.labels.env} is back at ${percent(j.value)} (target ≤ ${percent(j.threshold)})`,
      description:
        `Resolved: ${j.numerator} of ${j.denominator} index operations in ${j.labels.env} failed in the last ${duration(j.windowMs)} ` +
        `(${percent(j.value)}), at or below ${percent(j.threshold)}.`,
    }),
    describe: (j) => ({
      summary: `Index error rate in ${j.labels.env} is ${percent(j.value)} (target ≤ ${percent(j.threshold)})`,
      description: `${j.numerator} of ${j.denominator} index operations in ${j.labels.env} failed in the last ${duration(j.windowMs)}.${describeArtifacts(j)}`,
    }),
  });
}

/** " Errors by artifact: api (3), web (1)." — each artifact's errors summed over the windows, most first. */
function describeArtifacts(j: Judged): string {
  const errors = new Map<string, number>();
  for (const x of j.examples) errors.set(x.name, (errors.get(x.name) ?? 0) + x.rank);
  if (errors.size === 0) return '';
  const shown = [...errors].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0)).slice(0, MAX_LISTED_ITEMS);
  const elsewhere = j.numerator - shown.reduce((sum, [, n]) => sum + n, 0);
  const rest = elsewhere > 0 ? `, and ${elsewhere} more on other artifacts` : '';
  return ` Errors by artifact: ${list(shown.map(([artifact, n]) => `${artifact} (${n})`))}${rest}.`;
}
