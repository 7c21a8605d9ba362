/**
 * promotion_success_rate_low: per env, successful / ended promotions over the
 * rolling window below threshold (seed KPI > 95 %). Each promotion ended once
 * (promotionsEnded: a rollback after its success or failure does not end it
 * again), and one that succeeded and was rolled back later is no success: its
 * rollback takes its success back (rolledBackAfterSuccess), as on the dashboards.
 */
import { duration, percent } from '../format.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { createPromotionWindowRateRule } from './rate-rule.js';

export function createPromotionSuccessRateLowRule(ctx: RuleContext): AlertRule {
  return createPromotionWindowRateRule(ctx, {
    samplesOf: (r) => [
      {
        labels: { env: r.env },
        numerator: r.succeeded - r.rolledBackAfterSuccess,
        denominator: r.promotionsEnded,
      },
    ],
    breaches: (value, threshold) => value < threshold,
    describe: (j) => ({
      summary: `Promotion success rate in ${j.labels.env} is ${percent(j.value)} (target ≥ ${percent(j.threshold)})`,
      description:
        `${j.numerator} of ${j.denominator} promotions that ended in ${j.labels.env} in the last ${duration(j.windowMs)} succeeded; ` +
        `${j.denominator - j.numerator} failed or were rolled back.`,
    }),
  });
}
