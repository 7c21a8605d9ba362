/**
 * The severity of a state-drift incident: drift_detected's classification of
 * its key, raised to rollback_failed's while the desired state comes from a
 * rollback. A drift that outlives a rollback is the seed's "critical drift"
 * (rollback_failed is the default critical rule), and the incident — what
 * the Drift Detection dashboard classifies by severity — says so, as its
 * alert does. Rule-driven like every severity (SPEC §6): set
 * rules.rollback_failed.severity lower and the incident follows; turn the
 * rule off and it raises nothing: the raise stands for the alert the rule
 * fires, and a critical incident turns Framework Health RED.
 */
import type { SeverityClassifier } from '../../config/alert-rules.js';
import { severityRank, type Severity } from '../../schemas/alert-event.js';
import type { Incident } from '../facts.js';

/** The severity of an incident of the key `labels` judged against a desired state from `desiredFrom`. */
export type DriftSeverity = (labels: { env: string; artifact: string }, desiredFrom: Incident['desiredFrom']) => Severity;

/** `rollbackFailedEnabled`: whether alerts.yaml's rules.rollback_failed is on (only then does a rollback raise). */
export function driftSeverity(classify: SeverityClassifier, rollbackFailedEnabled: boolean): DriftSeverity {
  return (labels, desiredFrom) => {
    const drift = classify('drift_detected', labels);
    if (desiredFrom !== 'rollback' || !rollbackFailedEnabled) return drift;
    return higherSeverity(drift, classify('rollback_failed', labels));
  };
}

export function higherSeverity(a: Severity, b: Severity): Severity {
  return severityRank[b] > severityRank[a] ? b : a;
}
