/** The rule implementations, by rule name. */
import type { RuleName } from '../../../config/alert-rules.js';
import type { RuleFactory } from '../rule-context.js';
import { createDriftDetectedRule } from './drift-detected.js';
import { createGateFailureRateHighRule } from './gate-failure-rate-high.js';
import { createHydrationNondeterminismRule } from './hydration-nondeterminism.js';
import { createIndexErrorRateHighRule } from './index-error-rate-high.js';
import { createMttrBreachRule } from './mttr-breach.js';
import { createPromotionDurationHighRule } from './promotion-duration-high.js';
import { createPromotionSuccessRateLowRule } from './promotion-success-rate-low.js';
import { createRollbackFailedRule } from './rollback-failed.js';
import { createSnapshotNotVerifiedRule } from './snapshot-not-verified.js';

export const ruleFactories: Record<RuleName, RuleFactory> = {
  drift_detected: createDriftDetectedRule,
  mttr_breach: createMttrBreachRule,
  promotion_success_rate_low: createPromotionSuccessRateLowRule,
  promotion_duration_high: createPromotionDurationHighRule,
  gate_failure_rate_high: createGateFailureRateHighRule,
  snapshot_not_verified: createSnapshotNotVerifiedRule,
  rollback_failed: createRollbackFailedRule,
  hydration_nondeterminism: createHydrationNondeterminismRule,
  index_error_rate_high: createIndexErrorRateHighRule,
};
