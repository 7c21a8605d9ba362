/**
 * promotion_duration_high: per env, mean duration of the promotions that
 * ended in the rolling window above threshold (seed KPI < 5 min). The text
 * names the slowest attempts of the windows in the span, with their durations.
 */
import { duration, durationOver, list } from '../format.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { createPromotionWindowRateRule } from './promotion-window-rate-rule.js';
import { exampleText, promotionExample } from './rate-examples.js';

export function createPromotionDurationHighRule(ctx: RuleContext): AlertRule {
  return createPromotionWindowRateRule(ctx, {
    samplesOf: (r) => [
      {
        labels: { env: r.env },
        numerator: r.durationSumMs,
        denominator: r.durationCount,
        examples: (r.slowest ?? []).map((a) => promotionExample(a, `${a.promotionId}@${a.endedAt}`, a.durationMs)),
      },
    ],
    breaches: (mean, threshold) => mean > threshold,
    unmeasured: (labels) => `no promotion in ${labels.env}`,
    // The threshold is strict (a breach is above it), so a resolution can be at it: its target reads ≤, not <.
    resolved: (j) => ({
      summary: `Promotions in ${j.labels.env} take ${duration(j.value)} on average, back within target (≤ ${duration(j.threshold)})`,
      description:
        `Resolved: mean duration (start to terminal event) of the ${j.denominator} promotion(s) that ended in ${j.labels.env} ` +
        `in the last ${duration(j.windowMs)}: ${duration(j.value)}, at or below ${duration(j.threshold)}.`,
    }),
    describe: (j) => ({
      summary: `Promotions in ${j.labels.env} take ${durationOver(j.value, j.threshold)} on average (target < ${duration(j.threshold)})`,
      description:
        `Mean duration (start to terminal event) of the ${j.denominator} promotion(s) that ended in ${j.labels.env} ` +
        `in the last ${duration(j.windowMs)}: ${durationOver(j.value, j.threshold)}.` +
        (j.examples.length > 0 ? ` Slowest: ${list(j.examples.map((x) => exampleText(x, durationOver(x.rank, j.threshold))), j.denominator)}.` : ''),
    }),
  });
}
