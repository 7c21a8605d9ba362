/** drift_detected: a state-drift incident is open for (env, artifact) (SPEC §4.4). */
import type { Incident } from '../../facts.js';
import { list, timestamp } from '../format.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { createIncidentRule } from './incident-rule.js';

export function createDriftDetectedRule(ctx: RuleContext): AlertRule {
  return createIncidentRule(ctx, {
    kind: 'state',
    labels: (i) => ({ env: i.env, artifact: i.artifact }),
    describe: (i) => ({
      summary: `Drift detected: ${i.artifact} in ${i.env} runs a digest that was not promoted`,
      description: describeStateDrift(i),
    }),
  });
}

/** Expected vs divergent digests, shared with rollback_failed. */
export function describeStateDrift(i: Incident): string {
  const desired = i.desiredFrom === undefined ? '' : ` (set by a ${i.desiredFrom})`;
  return (
    `${i.artifact} in ${i.env} has diverged from its desired state since ${timestamp(i.startedAt)}. ` +
    `Expected digest: ${i.expectedDigest ?? '(unknown)'}${desired}. ` +
    `Divergent digest(s) observed: ${list(i.divergentDigests)}. Incident ${i.incidentId}.`
  );
}
