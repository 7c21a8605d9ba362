/** The context of a state incident for its alert text (Incident.divergentSources): which sources drift, who set the desired state. */
import type { DesiredDigest } from '../desired-state.js';
import type { IncidentContext } from './incident-lifecycle.js';
import type { SourceObservation } from './key-state.js';

/** How many divergent sources an incident names (alert descriptions stay short however many replicas drift). */
export const MAX_LISTED_SOURCES = 5;

/** The context of a state incident: its first divergent sources (sorted by id) and who set the desired state. */
export function incidentContext(divergent: Array<[string, SourceObservation]>, sourceCount: number, desired: DesiredDigest | null | undefined): IncidentContext {
  const context: IncidentContext = {
    divergentSources: divergent.slice(0, MAX_LISTED_SOURCES).map(([sourceId, s]) => ({ sourceId, digest: s.digest })),
    divergentSourceCount: divergent.length,
    sourceCount,
  };
  if (desired) {
    context.desiredPromotionId = desired.promotionId;
    if (desired.actor !== undefined) context.desiredActor = desired.actor;
    if (desired.correlationId !== undefined) context.desiredCorrelationId = desired.correlationId;
  }
  return context;
}
