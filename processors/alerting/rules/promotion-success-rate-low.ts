/**
 * promotion_success_rate_low: per env, successful / ended promotions over the
 * rolling window below threshold (seed KPI > 95 %).
 *
 * Which promotions a rolling window (t − window, t] judges: those that first
 * ended in it (in a 5-minute window whose end lies in it), each once
 * (promotionsEnded: a rollback after its success or failure does not end it
 * again, nor does a retry under the same promotionId), with the outcome it
 * has at t: its latest. When that outcome changes after its first end (from
 * the close of the 5-minute window of the change, when the rule hears of
 * it), the change amends the window the promotion was counted in
 * (successChanges → amends), not the change's own:
 * - a rollback after its success, or a retry that failed, takes the success
 *   back (succeeded_then_rolled_back / failed);
 * - a retry that succeeded after its failure gives it one (started → failed
 *   → started → succeeded is one successful promotion, not one failed and
 *   one successful), also when the failure's window closed long before.
 * A change to a promotion whose first end has left the rolling window
 * changes nothing: that promotion is no longer judged. This is the
 * dashboards' definition (promotion_outcomes: promotions whose first end is
 * in the range, by their latest outcome) seen at t: for a range ending now
 * the two agree, up to the 5-minute windows.
 *
 * Before, rollbacks counted in their own window (succeeded −
 * rolledBackAfterSuccess summed over the rolling window), so a promotion of
 * an earlier window took a success from those that ended in the later one,
 * and one whose success had left the window took one from promotions it was
 * not among (the rate could read 0 with every judged promotion successful);
 * and each terminal event of a retried promotion counted as a promotion (20
 * promotions, two retried into a success, read 20 of 22).
 *
 * The text names the promotions judged that are no success, latest decided
 * first, as they are now: each window's row says what its events left each
 * promotion's outcome at (PromotionWindowRow.decided), and the rule puts a
 * failure or a rollback under the window the promotion is counted in, and
 * takes it out again when a retry makes it a success — the same windows as
 * the amends. A window whose promotions too many retries made successes for
 * its row to list them (PromotionWindowRow.unlistedRetries) takes every name
 * out of the window they were counted in: the text names fewer, never a
 * promotion that has since succeeded.
 */
import type { DecidedPromotion } from '../../promotion-facts.js';
import { duration, list, percent } from '../format.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { createPromotionWindowRateRule } from './promotion-window-rate-rule.js';
import type { RateExample } from './rate-row.js';
import { exampleText, promotionExample } from './rate-examples.js';

export function createPromotionSuccessRateLowRule(ctx: RuleContext): AlertRule {
  return createPromotionWindowRateRule(ctx, {
    samplesOf: (r) => [
      {
        labels: { env: r.env },
        numerator: r.endedSucceeded,
        denominator: r.promotionsEnded,
      },
    ],
    amendsOf: (r) => r.successChanges.map((c) => ({ labels: { env: r.env }, windowEnd: c.windowEnd, numerator: c.delta })),
    exampleChangesOf: (r) =>
      (r.decided ?? []).map((d) => {
        const change = { labels: { env: r.env }, windowEnd: d.countedIn, key: d.promotionId };
        return d.succeeded ? change : { ...change, example: notSucceeded(d) };
      }),
    examplesForgottenOf: (r) => (r.unlistedRetries ?? []).map((windowEnd) => ({ labels: { env: r.env }, windowEnd })),
    breaches: (value, threshold) => value < threshold,
    unmeasured: (labels) => `no promotion in ${labels.env}`,
    resolved: (j) => ({
      summary: `Promotion success rate in ${j.labels.env} is back at ${percent(j.value)} (target ≥ ${percent(j.threshold)})`,
      description:
        `Resolved: ${j.numerator} of ${j.denominator} promotions that ended in ${j.labels.env} in the last ${duration(j.windowMs)} succeeded ` +
        `(${percent(j.value)}), at or above ${percent(j.threshold)}.`,
    }),
    describe: (j) => {
      const unsuccessful = j.denominator - j.numerator;
      const named = j.examples.length > 0 ? `, latest first: ${list(j.examples.map((x) => exampleText(x)), unsuccessful)}` : '';
      return {
        summary: `Promotion success rate in ${j.labels.env} is ${percent(j.value)} (target ≥ ${percent(j.threshold)})`,
        description:
          `${j.numerator} of ${j.denominator} promotions that ended in ${j.labels.env} in the last ${duration(j.windowMs)} succeeded; ` +
          `${unsuccessful} failed or were rolled back${named}.`,
      };
    },
  });
}

/** "pr-7 (api 1.4.0, rolled back to 1.3.0 by alice: error budget burn)", "pr-8 (api 1.5.0, failed: smoke gate failed)". */
function notSucceeded(d: DecidedPromotion): RateExample {
  const x = promotionExample(d, d.promotionId, d.decidedAt);
  const how = d.rolledBack ? `rolled back${d.rollbackTo === undefined ? '' : ` to ${d.rollbackTo}`}` : 'failed';
  const who = d.actor === undefined ? '' : ` by ${d.actor}`;
  const why = d.reason === undefined ? '' : `: ${d.reason}`;
  return { ...x, detail: `${x.detail}, ${how}${who}${why}` };
}
