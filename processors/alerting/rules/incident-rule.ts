/**
 * Shared shape of the rules that follow an incident's lifecycle
 * (drift_detected, rollback_failed, hydration_nondeterminism): the alert fires
 * when a matching incident opens (startsAt = incident.startedAt, so the alert
 * is as old as the drift), is refreshed on updates, and resolves exactly when
 * that incident resolves (endsAt = incident.resolvedAt).
 *
 * An update that makes the incident stop matching (e.g. a state incident whose
 * desired state no longer comes from a rollback) resolves the alert; one that
 * makes it start matching fires it, with startsAt = that update's time: the
 * rule's condition began then, not when the incident did, and escalation
 * counts the alert's age from it (a rollback 31 min into a drift used to fire
 * rollback_failed already at L4, paging the top level the moment the rollback
 * was made).
 *
 * Which incident raised which alert is per-key state (`<env>/<artifact>` of
 * the incident), kept with the key's firing instances in live mode. A rule
 * turned off keeps none, so one turned back on learns the incidents still
 * open from the restore (`openIncidents`, alerting-processor.ts) rather than
 * waiting for their next update.
 */
import type { Incident } from '../../facts.js';
import type { Labels } from '../alert-instance.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { stateKey } from '../../stateful.js';

export interface IncidentRuleSpec {
  kind: Incident['kind'];
  /** Whether an incident of `kind` concerns this rule; default: all of them. */
  applies?: (incident: Incident) => boolean;
  labels: (incident: Incident) => Labels;
  describe: (incident: Incident) => { summary: string; description: string };
  /** The alert's correlationId; default: the incident's (the observation that is evidence of it). */
  correlationId?: (incident: Incident) => string | undefined;
  /** Appended to the description of the resolution of a resolved `incident` (AlertInstance.resolve's note); default none. */
  resolutionNote?: (incident: Incident) => string | undefined;
  /**
   * The summary and description of the resolution of a resolved `incident`: how it ended (AlertInstance.resolve's
   * text). Default, or undefined: the last firing emission's (an ending nothing was seen to end, with its note).
   */
  resolved?: (incident: Incident) => { summary: string; description: string } | undefined;
}

/** Per-key state: the incidents of the key that raised an alert, with that alert's labels. */
export interface IncidentRuleKeySnapshot {
  raisedBy: Array<[incidentId: string, labels: Labels]>;
}

export function createIncidentRule(ctx: RuleContext, spec: IncidentRuleSpec): AlertRule {
  /** key → incidentId → labels of the alert it raised, so only that incident's resolution clears it. */
  const raisedBy = new Map<string, Map<string, Labels>>();
  const applies = spec.applies ?? (() => true);

  const clear = (at: number, incident: Incident, endsAt: number) => {
    const key = stateKey(incident.env, incident.artifact);
    const ofKey = raisedBy.get(key);
    const labels = ofKey?.get(incident.incidentId);
    if (!ofKey || !labels) return;
    ofKey.delete(incident.incidentId);
    if (ofKey.size === 0) raisedBy.delete(key);
    // An incident still open that no longer meets the rule's condition (`applies`) has no resolution to tell.
    if (incident.resolvedAt === null) ctx.clear(at, labels, endsAt);
    else ctx.clear(at, labels, endsAt, spec.resolutionNote?.(incident), spec.resolved?.(incident));
  };

  const raise = (at: number, incident: Incident, change: 'opened' | 'updated') => {
    const labels = spec.labels(incident);
    const key = stateKey(incident.env, incident.artifact);
    let ofKey = raisedBy.get(key);
    if (!ofKey) raisedBy.set(key, (ofKey = new Map()));
    // A rule with a condition of its own that this incident meets only from this update on: it began now.
    const startedMatching = spec.applies !== undefined && change !== 'opened' && !ofKey.has(incident.incidentId);
    ofKey.set(incident.incidentId, labels);
    ctx.raise(at, {
      labels,
      startsAt: startedMatching ? at : incident.startedAt,
      ...spec.describe(incident),
      incidentId: incident.incidentId,
      correlationId: spec.correlationId ? spec.correlationId(incident) : incident.correlationId,
    });
  };

  return {
    kinds: ['incident'],
    handle(fact) {
      if (fact.kind !== 'incident' || fact.incident.kind !== spec.kind) return;
      const incident = fact.incident;
      if (fact.change === 'resolved' || incident.resolvedAt !== null) {
        clear(fact.at, incident, incident.resolvedAt ?? fact.at);
        return;
      }
      if (!applies(incident)) {
        clear(fact.at, incident, fact.at);
        return;
      }
      raise(fact.at, incident, fact.change);
    },
    openIncidents(at, incidents) {
      // As if the rule saw an update of each now: drift_detected's alert is as old as its incident, rollback_failed's
      // from now (when the incident began to come from a rollback is not kept). One it keeps an alert for is left be.
      for (const incident of incidents) {
        if (incident.kind !== spec.kind || incident.resolvedAt !== null || !applies(incident)) continue;
        if (raisedBy.get(stateKey(incident.env, incident.artifact))?.has(incident.incidentId)) continue;
        raise(at, incident, 'updated');
      }
    },
    keyedState: {
      snapshotKey(key: string): IncidentRuleKeySnapshot | undefined {
        const ofKey = raisedBy.get(key);
        return ofKey ? { raisedBy: [...ofKey].map(([id, labels]) => [id, { ...labels }]) } : undefined;
      },
      restoreKey(key: string, state: IncidentRuleKeySnapshot) {
        if (state.raisedBy.length === 0) raisedBy.delete(key);
        else raisedBy.set(key, new Map(state.raisedBy.map(([id, labels]) => [id, { ...labels }])));
      },
      dropKey(key: string) {
        raisedBy.delete(key);
      },
    },
  };
}
