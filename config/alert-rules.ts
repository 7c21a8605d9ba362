/**
 * Types of the alert configuration (alerts.yaml, SPEC §6). The loader and
 * validator live in config/alerts-config.ts; defaults follow the seed's KPIs.
 */
import type { Severity } from '../schemas/alert-event.js';

export const ruleNames = [
  'drift_detected',
  'mttr_breach',
  'promotion_success_rate_low',
  'promotion_duration_high',
  'gate_failure_rate_high',
  'snapshot_not_verified',
  'rollback_failed',
  'hydration_nondeterminism',
  'index_error_rate_high',
] as const;
export type RuleName = (typeof ruleNames)[number];

/** Severity rule: when every label pattern matches (glob, `*` wildcard), apply `severity` or raise to at least `minSeverity`. */
export interface SeverityOverride {
  match: Record<string, string>;
  severity?: Severity;
  minSeverity?: Severity;
}

export interface RuleConfig {
  enabled: boolean;
  severity: Severity;
  overrides: SeverityOverride[];
  /** Rule-specific threshold: a ratio (0.95, 0.05) or a duration in ms (mttr, promotion duration). */
  threshold?: number;
  /** Rolling window in ms for rate rules; for snapshot_not_verified, how long a key may report no snapshot before its alert resolves. */
  windowMs?: number;
  /** Minimum samples in the window before a rate rule may fire. */
  minSamples?: number;
  summary?: string;
  runbookUrl?: string;
}

export interface EscalationLevel {
  level: 1 | 2 | 3 | 4;
  /** Age of the firing alert (event time) at which this level starts. */
  afterMs: number;
  /** Who is notified at this level (seed escalation matrix); informational. */
  notify: string[];
}

/** How an alert of one severity reaches people (seed alert categories); carried in the alert's annotations, informational. */
export interface SeverityRoute {
  /** Notification channels, e.g. pagerduty, slack, email. */
  channels: string[];
  /** The response target for the severity (ms). */
  respondWithinMs: number;
  /** Who an alert of the severity escalates to (seed alert categories), named after its level's people; informational. */
  notify: string[];
}

export interface AlertsConfig {
  escalation: EscalationLevel[];
  /** Per severity: channels, response target and who it escalates to. */
  routing: Record<Severity, SeverityRoute>;
  rules: Record<RuleName, RuleConfig>;
}

/** Classifies severity for a rule and labels; implemented by config/alerts-config.ts. */
export type SeverityClassifier = (rule: RuleName, labels: Record<string, string>) => Severity;
