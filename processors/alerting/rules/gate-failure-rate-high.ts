/**
 * gate_failure_rate_high: per env and gate, failed / gate runs over the
 * rolling window above threshold (seed KPI < 5 %). The text names the
 * latest failed runs (their promotions) of the windows in the span.
 */
import { duration, list, percent } from '../format.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { createPromotionWindowRateRule } from './promotion-window-rate-rule.js';
import { exampleText, promotionExample } from './rate-examples.js';

export function createGateFailureRateHighRule(ctx: RuleContext): AlertRule {
  return createPromotionWindowRateRule(ctx, {
    samplesOf: (r) =>
      r.gates.map((g) => ({
        labels: { env: r.env, gate: g.gate },
        numerator: g.failed,
        denominator: g.passed + g.failed,
        examples: (g.failedRuns ?? []).map((run) => promotionExample(run, `${run.promotionId}@${run.at}`, run.at)),
      })),
    breaches: (value, threshold) => value > threshold,
    unmeasured: (labels) => `no run of gate ${labels.gate} in ${labels.env}`,
    // The threshold is strict (a breach is above it), so a resolution can be at it: its target reads ≤, not <.
    resolved: (j) => ({
      summary: `Gate ${j.labels.gate} fails ${percent(j.value)} of runs in ${j.labels.env}, back within target (≤ ${percent(j.threshold)})`,
      description:
        `Resolved: ${j.numerator} of ${j.denominator} runs of gate ${j.labels.gate} in ${j.labels.env} failed in the last ${duration(j.windowMs)} ` +
        `(${percent(j.value)}), at or below ${percent(j.threshold)}.`,
    }),
    describe: (j) => ({
      summary: `Gate ${j.labels.gate} fails ${percent(j.value)} of runs in ${j.labels.env} (target < ${percent(j.threshold)})`,
      description:
        `${j.numerator} of ${j.denominator} runs of gate ${j.labels.gate} in ${j.labels.env} failed in the last ${duration(j.windowMs)}.` +
        (j.examples.length > 0 ? ` Latest failed runs: ${list(j.examples.map((x) => exampleText(x)), j.numerator)}.` : ''),
    }),
  });
}
