import type { PromotionWindowRow } from '../../promotion-facts.js';
import type { Labels } from '../alert-instance.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { createRateRule } from './rate-rule.js';
import type { RateAmend, RateExampleChange, RateRuleSpec, RateSample } from './rate-row.js';

/**
 * A rate rule over the per-env promotion windows: every closed window of an
 * env contributes the samples `samplesOf` takes from its row (one per alert
 * key), grouped by env.
 */
export function createPromotionWindowRateRule(
  ctx: RuleContext,
  spec: Omit<RateRuleSpec, 'kinds' | 'rowOf'> & {
    samplesOf: (row: PromotionWindowRow) => RateSample[];
    amendsOf?: (row: PromotionWindowRow) => RateAmend[];
    exampleChangesOf?: (row: PromotionWindowRow) => RateExampleChange[];
    examplesForgottenOf?: (row: PromotionWindowRow) => Array<{ labels: Labels; windowEnd: number }>;
  },
): AlertRule {
  return createRateRule(ctx, {
    kinds: ['promotion-window'],
    rowOf: (fact) =>
      fact.kind === 'promotion-window'
        ? {
            group: fact.row.env,
            windowEnd: fact.row.windowEnd,
            samples: spec.samplesOf(fact.row),
            amends: spec.amendsOf?.(fact.row),
            exampleChanges: spec.exampleChangesOf?.(fact.row),
            examplesForgotten: spec.examplesForgottenOf?.(fact.row),
          }
        : undefined,
    breaches: spec.breaches,
    describe: spec.describe,
    resolved: spec.resolved,
    unmeasured: spec.unmeasured,
  });
}
