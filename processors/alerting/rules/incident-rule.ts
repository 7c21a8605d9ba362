/**
 * Shared shape of the rules that follow an incident's lifecycle
 * (drift_detected, rollback_failed, hydration_nondeterminism): the alert fires
 * when a matching incident opens (startsAt = incident.startedAt, so the alert
 * is as old as the drift), is refreshed on updates, and resolves exactly when
 * that incident resolves (endsAt = incident.resolvedAt).
 *
 * An update that makes the incident stop matching (e.g. a state incident whose
 * desired state no longer comes from a rollback) resolves the alert; one that
 * makes it start matching fires it.
 */
import type { Incident } from '../../facts.js';
import type { Labels } from '../alert-instance.js';
import type { AlertRule, RuleContext } from '../rule-context.js';

export interface IncidentRuleSpec {
  kind: Incident['kind'];
  /** Whether an incident of `kind` concerns this rule; default: all of them. */
  applies?: (incident: Incident) => boolean;
  labels: (incident: Incident) => Labels;
  describe: (incident: Incident) => { summary: string; description: string };
}

export function createIncidentRule(ctx: RuleContext, spec: IncidentRuleSpec): AlertRule {
  /** incidentId → labels of the alert it raised, so only that incident's resolution clears it. */
  const raisedBy = new Map<string, Labels>();
  const applies = spec.applies ?? (() => true);

  const clear = (at: number, incident: Incident, endsAt: number) => {
    const labels = raisedBy.get(incident.incidentId);
    if (!labels) return;
    raisedBy.delete(incident.incidentId);
    ctx.clear(at, labels, endsAt);
  };

  return {
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
      const labels = spec.labels(incident);
      raisedBy.set(incident.incidentId, labels);
      ctx.raise(fact.at, {
        labels,
        startsAt: incident.startedAt,
        ...spec.describe(incident),
        incidentId: incident.incidentId,
        correlationId: incident.correlationId,
      });
    },
  };
}
