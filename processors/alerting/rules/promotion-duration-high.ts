/** promotion_duration_high: per env, mean duration of the promotions that ended in the rolling window above threshold (seed KPI < 5 min). */
import { duration, durationOver } from '../format.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { createPromotionWindowRateRule } from './rate-rule.js';

export function createPromotionDurationHighRule(ctx: RuleContext): AlertRule {
  return createPromotionWindowRateRule(ctx, {
    samplesOf: (r) => [{ labels: { env: r.env }, numerator: r.durationSumMs, denominator: r.durationCount }],
    breaches: (mean, threshold) => mean > threshold,
    describe: (j) => ({
      summary: `Promotions in ${j.labels.env} take ${durationOver(j.value, j.threshold)} on average (target < ${duration(j.threshold)})`,
      description:
        `Mean duration (start to terminal event) of the ${j.denominator} promotion(s) that ended in ${j.labels.env} ` +
        `in the last ${duration(j.windowMs)}: ${durationOver(j.value, j.threshold)}.`,
    }),
  });
}
