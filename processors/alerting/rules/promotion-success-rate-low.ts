/**
 * promotion_success_rate_low: per env, successful / ended promotions over the
 * rolling window below threshold (seed KPI > 95 %).
 *
 * Which promotions a rolling window (t − window, t] judges: those that first
 * ended in it (in a 5-minute window whose end lies in it), each once
 * (promotionsEnded: a rollback after its success or failure does not end it
 * again), with the outcome it has at t. A promotion that succeeded and was
 * rolled back counts as no success from its rollback on (from the close of
 * the rollback's 5-minute window, when the rule hears of it): the rollback
 * takes the success back from the window the success was counted in
 * (successesTakenBack → amends), not from the rollback's own. A rollback of
 * a success that has left the rolling window changes nothing: that promotion
 * is no longer judged. This is the dashboards' definition (promotion_outcomes:
 * promotions whose first end is in the range, by their outcome) seen at t:
 * for a range ending now the two agree, up to the 5-minute windows.
 *
 * Before, rollbacks counted in their own window (succeeded −
 * rolledBackAfterSuccess summed over the rolling window), so a promotion of
 * an earlier window took a success from those that ended in the later one,
 * and one whose success had left the window took one from promotions it was
 * not among (the rate could read 0 with every judged promotion successful).
 */
import { duration, percent } from '../format.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { createPromotionWindowRateRule } from './rate-rule.js';

export function createPromotionSuccessRateLowRule(ctx: RuleContext): AlertRule {
  return createPromotionWindowRateRule(ctx, {
    samplesOf: (r) => [
      {
        labels: { env: r.env },
        numerator: r.succeeded,
        denominator: r.promotionsEnded,
      },
    ],
    amendsOf: (r) => r.successesTakenBack.map((t) => ({ labels: { env: r.env }, windowEnd: t.windowEnd, numerator: -t.count })),
    breaches: (value, threshold) => value < threshold,
    describe: (j) => ({
      summary: `Promotion success rate in ${j.labels.env} is ${percent(j.value)} (target ≥ ${percent(j.threshold)})`,
      description:
        `${j.numerator} of ${j.denominator} promotions that ended in ${j.labels.env} in the last ${duration(j.windowMs)} succeeded; ` +
        `${j.denominator - j.numerator} failed or were rolled back.`,
    }),
  });
}
