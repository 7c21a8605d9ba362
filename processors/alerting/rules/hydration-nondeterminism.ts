/** hydration_nondeterminism: a determinism incident is open for (env, artifact, ruleId) (SPEC §4.5). */
import type { Incident } from '../../facts.js';
import { duration, list, timestamp } from '../format.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { createIncidentRule } from './incident-rule.js';

export function createHydrationNondeterminismRule(ctx: RuleContext): AlertRule {
  return createIncidentRule(ctx, {
    kind: 'determinism',
    labels: (i) => ({ env: i.env, artifact: i.artifact, ruleId: i.ruleId ?? '' }),
    describe: (i) => ({
      summary: `Hydration rule ${i.ruleId ?? '(unknown)'} is nondeterministic for ${i.artifact} in ${i.env}`,
      description:
        `Since ${timestamp(i.startedAt)}, hydration rule ${i.ruleId ?? '(unknown)'} produced different outputs ` +
        `for the same input digest ${i.inputDigest ?? '(unknown)'}: ${list(i.divergentDigests, i.divergentDigests.length + (i.divergentDigestsOmitted ?? 0))}.${describeRevealedBy(i)} ` +
        `Resolves after a window in which every input produced one output. Incident ${i.incidentId}.`,
    }),
    // It resolves at the end of a window in which the rule ran and every input produced one output (SPEC §4.5).
    resolved: (i) =>
      i.resolvedAt === null
        ? undefined
        : {
            summary: `Hydration rule ${i.ruleId ?? '(unknown)'} is deterministic again for ${i.artifact} in ${i.env}`,
            description:
              `Resolved at ${timestamp(i.resolvedAt)}: hydration rule ${i.ruleId ?? '(unknown)'} produced one output for every input in the window ending then ` +
              `(incident reason ${i.reason ?? 'consistent'}), ${duration(i.resolvedAt - i.startedAt)} after it began at ${timestamp(i.startedAt)}. Incident ${i.incidentId}.`,
          },
  });
}

/** Which replica's run revealed the conflict, when known (the replica to look at first). */
function describeRevealedBy(i: Incident): string {
  const s = i.divergentSources?.[0];
  return s === undefined ? '' : ` The conflicting output ${s.digest} came from ${s.sourceId}.`;
}
