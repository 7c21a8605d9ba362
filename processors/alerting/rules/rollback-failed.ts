/**
 * rollback_failed: the environment still drifts after a rollback, i.e. a
 * state incident is open while the desired state came from a rollback
 * (seed KPI: rollback success > 99 %). Resolves with the incident.
 */
import type { AlertRule, RuleContext } from '../rule-context.js';
import { describeStateDrift, stateResolution, stateResolutionNote } from './drift-detected.js';
import { createIncidentRule } from './incident-rule.js';

export function createRollbackFailedRule(ctx: RuleContext): AlertRule {
  return createIncidentRule(ctx, {
    kind: 'state',
    applies: (i) => i.desiredFrom === 'rollback',
    labels: (i) => ({ env: i.env, artifact: i.artifact }),
    describe: (i) => ({
      summary: `Rollback failed: ${i.artifact} in ${i.env} still diverges after rolling back to ${i.expectedDigest ?? 'its previous state'}`,
      description: describeStateDrift(i),
    }),
    // The rollback's own correlation id traces the change that failed; the observation's is the fallback.
    correlationId: (i) => i.desiredCorrelationId ?? i.correlationId,
    resolutionNote: stateResolutionNote,
    resolved: stateResolution,
  });
}
