/** Public surface of the alerting processor. */
export { AlertingProcessor, type AlertingOptions } from './alerting-processor.js';
export {
  AlertInstance,
  AlertTransitionError,
  alertFingerprint,
  alertTransitions,
  type AlertDetails,
  type AlertInstanceDeps,
  type AlertPhase,
  type Labels,
} from './alert-instance.js';
export { AlertBook, type DecidedAlert } from './alert-book.js';
export { createRuleContext, fillTemplate, type AlertRule, type RaiseSpec, type RuleContext, type RuleFactory } from './rule-context.js';
export { ruleFactories } from './rules/index.js';
