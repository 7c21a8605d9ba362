/** Public surface of the alerting processor. */
export { AlertingProcessor, type AlertingOptions, type AlertingStateSnapshot } from './alerting-processor.js';
export { alertKey, isShareAlert, keyedRules } from './alert-key.js';
export {
  AlertInstance,
  AlertTransitionError,
  alertFingerprint,
  alertTransitions,
  type AlertDetails,
  type AlertInstanceDeps,
  type AlertInstanceSnapshot,
  type AlertPhase,
  type Labels,
} from './alert-instance.js';
export { AlertBook, type AlertBookListener, type DecidedAlert } from './alert-book.js';
export { createRuleContext, fillTemplate, type AlertRule, type RaiseSpec, type RuleContext, type RuleFactory } from './rule-context.js';
export { ruleFactories } from './rules/index.js';
