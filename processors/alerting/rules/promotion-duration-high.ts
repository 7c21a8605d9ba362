/** promotion_duration_high: per env, mean duration of the promotions that ended in the rolling window above threshold (seed KPI < 5 min). */
import { duration } from '../format.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { createRateRule } from './rate-rule.js';

export function createPromotionDurationHighRule(ctx: RuleContext): AlertRule {
  return createRateRule(ctx, {
    kinds: ['promotion-window'],
    rowOf: (fact) => {
      if (fact.kind !== 'promotion-window') return undefined;
      const r = fact.row;
      return {
        group: r.env,
        windowEnd: r.windowEnd,
        samples: [{ labels: { env: r.env }, numerator: r.durationSumMs, denominator: r.durationCount }],
      };
    },
    breaches: (mean, threshold) => mean > threshold,
    describe: (j) => ({
      summary: `Promotions in ${j.labels.env} take ${duration(j.value)} on average (target < ${duration(j.threshold)})`,
      description:
        `Mean duration (start to terminal event) of the ${j.denominator} promotion(s) that ended in ${j.labels.env} ` +
        `in the last ${duration(j.windowMs)}: ${duration(j.value)}.`,
    }),
  });
}
