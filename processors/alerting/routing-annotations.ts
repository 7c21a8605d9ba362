/**
 * The routing an alert event carries for whoever sends notifications
 * (driftwatch sends none): who its escalation level names and whom its
 * severity escalates to, and the channels and response target of its
 * severity (alerts.yaml `escalation[].notify` and `routing`, after the seed's
 * escalation matrix and alert categories).
 * Annotations, not labels: they change as the alert escalates or its
 * severity moves, while labels identify the alert instance.
 */
import { durationText } from '../../lib/time.js';
import type { AlertEvent, Severity } from '../../schemas/alert-event.js';
import type { AlertsConfig, EscalationLevel } from '../../config/alert-rules.js';

export type RoutingAnnotations = Pick<AlertEvent['annotations'], 'notify' | 'channels' | 'respondWithin'>;

/** Lists are joined with ", " (annotation values are strings, as in Alertmanager); an empty list is left out. */
export function routingAnnotations(
  deps: { escalation: readonly EscalationLevel[]; routing?: AlertsConfig['routing'] },
  severity: Severity,
  level: number,
): RoutingAnnotations {
  const out: RoutingAnnotations = {};
  const route = deps.routing?.[severity];
  // The level's people first, then whom the severity escalates to (seed alert categories), each named once.
  const notify = new Set([...(deps.escalation.find((l) => l.level === level)?.notify ?? []), ...(route?.notify ?? [])]);
  if (notify.size > 0) out.notify = [...notify].join(', ');
  if (route !== undefined) {
    if (route.channels.length > 0) out.channels = route.channels.join(', ');
    out.respondWithin = durationText(route.respondWithinMs);
  }
  return out;
}
