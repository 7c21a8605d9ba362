/**
 * alertId (SPEC §6: unique per emission), derived from what the emission is
 * rather than drawn at random. The engine decides an alert again whenever it
 * reads the same records again — a second replay of a file, a live instance
 * rebuilding from its changelog after an aborted transaction, the next owner
 * of a partition after a handover — and each time it decides the same
 * emission at the same event time. With a derived id those emissions carry
 * the same alertId, so a consumer can deduplicate on it (README "Consuming
 * alerts"), as the `alerts` table already does on the same parts (its ORDER
 * BY: fingerprint, event time, status, severity, level).
 */
import { stableId } from '../../lib/ids.js';
import type { AlertEvent } from '../../schemas/alert-event.js';

/** What tells one emission from every other one. */
export interface AlertEmission {
  fingerprint: string;
  /** Event time the instance began (ms): tells apart the instances of one fingerprint. */
  startsAt: number;
  /** Event time of the decision (ms): the fact's, or the escalation step's. */
  at: number;
  status: AlertEvent['status'];
  severity: AlertEvent['severity'];
  escalationLevel: number;
  /**
   * 0, but for a later instance of the fingerprint begun in the same
   * millisecond as an earlier one (a condition that ended and began again
   * within it: producers stamping whole seconds), which the other parts do
   * not tell apart: 1, 2, … (AlertBook counts them).
   */
  instantOrdinal: number;
}

export function alertId(e: AlertEmission): string {
  const parts = [e.fingerprint, e.startsAt, e.at, e.status, e.severity, e.escalationLevel];
  // Left out at 0 so the ids of every other emission do not depend on it.
  return e.instantOrdinal === 0 ? stableId('alert', ...parts) : stableId('alert', ...parts, e.instantOrdinal);
}
