/**
 * index_error_rate_high: per env, index errors / index operations above
 * threshold. With the default 5m window each env-window row is judged on its
 * own; a window without index operations leaves the alert as it is, while an
 * env with no activity for a whole window (drift windows emit no row for it)
 * resolves when its last row leaves the window (see rate-rule.ts).
 */
import { duration, percent } from '../format.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { createRateRule } from './rate-rule.js';

export function createIndexErrorRateHighRule(ctx: RuleContext): AlertRule {
  return createRateRule(ctx, {
    kinds: ['env-window'],
    rowOf: (fact) => {
      if (fact.kind !== 'env-window') return undefined;
      const r = fact.row;
      return {
        group: r.env,
        windowEnd: r.windowEnd,
        samples: [{ labels: { env: r.env }, numerator: r.indexErrors, denominator: r.indexOps }],
      };
    },
    breaches: (value, threshold) => value > threshold,
    describe: (j) => ({
      summary: `Index error rate in ${j.labels.env} is ${percent(j.value)} (target ≤ ${percent(j.threshold)})`,
      description: `${j.numerator} of ${j.denominator} index operations in ${j.labels.env} failed in the last ${duration(j.windowMs)}.`,
    }),
  });
}
