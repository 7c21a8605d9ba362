/**
 * The severity of a state-drift incident: drift_detected's classification of
 * its key, raised to rollback_failed's while the desired state comes from a
 * rollback. A drift that outlives a rollback is the seed's "critical drift"
 * (rollback_failed is the default critical rule), and the incident — what
 * the Drift Detection dashboard classifies by severity — says so, as its
 * alert does. Rule-driven like every severity (SPEC §6): set
 * rules.rollback_failed.severity lower and the incident follows.
 */
import type { SeverityClassifier } from '../../config/alert-rules.js';
import { severityRank, type Severity } from '../../schemas/alert-event.js';
import type { Incident } from '../facts.js';

export function driftSeverity(classify: SeverityClassifier, labels: { env: string; artifact: string }, desiredFrom: Incident['desiredFrom']): Severity {
  const drift = classify('drift_detected', labels);
  if (desiredFrom !== 'rollback') return drift;
  return higherSeverity(drift, classify('rollback_failed', labels));
}

export function higherSeverity(a: Severity, b: Severity): Severity {
  return severityRank[b] > severityRank[a] ? b : a;
}
