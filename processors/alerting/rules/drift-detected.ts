/** drift_detected: a state-drift incident is open for (env, artifact) (SPEC §4.4). */
import type { Incident } from '../../facts.js';
import { duration, list, timestamp } from '../format.js';
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
    resolutionNote: stateResolutionNote,
    resolved: stateResolution,
  });
}

/**
 * How a state incident ended, for its alert's resolution (drift_detected, rollback_failed): converged or promoted.
 * source_expired: none — nothing was seen to end; the last firing text stays, with stateResolutionNote.
 */
export function stateResolution(i: Incident): { summary: string; description: string } | undefined {
  if (i.resolvedAt === null || (i.reason !== 'converged' && i.reason !== 'promoted')) return undefined;
  const how =
    i.reason === 'converged'
      ? `every divergent source of ${i.artifact} in ${i.env} reports an acceptable digest again`
      : `a promotion made the digests the divergent sources of ${i.artifact} in ${i.env} serve acceptable`;
  return {
    summary: i.reason === 'converged' ? `Drift ended: ${i.artifact} in ${i.env} runs an acceptable digest again` : `Drift ended: a promotion made the digest ${i.artifact} in ${i.env} runs acceptable`,
    description:
      `Resolved at ${timestamp(i.resolvedAt)}: ${how} (incident reason ${i.reason}), ` +
      `${duration(i.resolvedAt - i.startedAt)} after the drift began at ${timestamp(i.startedAt)}. Incident ${i.incidentId}.`,
  };
}

/**
 * Shared with rollback_failed. A state incident also ends when its divergent
 * sources stop reporting (SPEC §4.4: the source expired) — replicas that
 * crashed, a reporter that stopped, the end of a replay's input — which is no
 * sign that the drift ended. The incident's reason says so; the alert's
 * resolution must too, or a pager closes the page as if it had converged.
 */
export function stateResolutionNote(i: Incident): string | undefined {
  return i.reason === 'source_expired'
    ? 'Resolved because no divergent source has reported for the source TTL (DRIFTWATCH_SOURCE_TTL): the drift was not seen to end (incident reason source_expired).'
    : undefined;
}

/**
 * Expected vs divergent digests, shared with rollback_failed: what the on-call
 * needs without a query — who set the expected digest (promotion or rollback
 * id, actor, correlation id) and which sources serve which divergent digest
 * (the first few by id, and how many more: bounded however many drift).
 */
export function describeStateDrift(i: Incident): string {
  return (
    `${i.artifact} in ${i.env} has diverged from its desired state since ${timestamp(i.startedAt)}. ` +
    `Expected digest: ${i.expectedDigest ?? '(unknown)'}${describeDesired(i)}. ` +
    `Divergent digest(s) observed: ${list(i.divergentDigests, i.divergentDigests.length + (i.divergentDigestsOmitted ?? 0))}.${describeSources(i)} Incident ${i.incidentId}.`
  );
}

function describeDesired(i: Incident): string {
  if (i.desiredFrom === undefined) return '';
  if (i.desiredPromotionId === undefined) return ` (set by a ${i.desiredFrom})`;
  const who = i.desiredActor === undefined ? '' : ` by ${i.desiredActor}`;
  const correlation = i.desiredCorrelationId === undefined ? '' : `, correlation ${i.desiredCorrelationId}`;
  return ` (set by ${i.desiredFrom} ${i.desiredPromotionId}${who}${correlation})`;
}

function describeSources(i: Incident): string {
  const listed = i.divergentSources;
  if (listed === undefined || listed.length === 0) return '';
  const total = i.divergentSourceCount ?? listed.length;
  const reporting = i.sourceCount === undefined ? '' : ` (${total} of ${i.sourceCount} sources reporting)`;
  return ` Divergent source(s): ${list(listed.map((s) => `${s.sourceId} serves ${s.digest}`), total)}${reporting}.`;
}
