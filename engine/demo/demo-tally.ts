/**
 * What the demo counts on the engine's fact stream, for the live progress
 * line and the closing summary: incidents (final state of each, open and
 * resolved counts) and alerts (per alert instance — rule + fingerprint +
 * start — its highest severity and whether it resolved, and the number of
 * alert events emitted).
 */
import type { Fact } from '../../processors/facts.js';
import type { Severity } from '../../schemas/alert-event.js';
import { IncidentBook } from '../incident-book.js';

export interface AlertInstance {
  rule: string;
  fingerprint: string;
  /** Its env and artifact labels ('' when the rule has none). */
  env: string;
  artifact: string;
  startsAt: string;
  /** Highest severity it reached. */
  severity: Severity;
  resolved: boolean;
}

const rank: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export class DemoTally {
  readonly incidents = new IncidentBook();
  opened = 0;
  resolved = 0;
  alertEmissions = 0;
  private readonly alerts = new Map<string, AlertInstance>();
  /** Event time of the last fact (the engine's clock). */
  clock = Number.NEGATIVE_INFINITY;

  readonly onFact = (fact: Fact): void => {
    if (Number.isFinite(fact.at) && fact.at > this.clock) this.clock = fact.at;
    if (fact.kind === 'incident') {
      this.incidents.observe(fact);
      if (fact.change === 'opened') this.opened++;
      else if (fact.change === 'resolved') this.resolved++;
    } else if (fact.kind === 'alert') {
      const a = fact.alert;
      this.alertEmissions++;
      const id = `${a.fingerprint}@${a.startsAt}`;
      const seen = this.alerts.get(id);
      if (!seen) {
        const env = a.labels.env ?? '';
        const artifact = a.labels.artifact ?? '';
        this.alerts.set(id, { rule: a.rule, fingerprint: a.fingerprint, env, artifact, startsAt: a.startsAt, severity: a.severity, resolved: a.status === 'resolved' });
        return;
      }
      if (rank[a.severity] > rank[seen.severity]) seen.severity = a.severity;
      if (a.status === 'resolved') seen.resolved = true;
    }
  };

  get openIncidents(): number {
    return this.opened - this.resolved;
  }

  alertInstances(): AlertInstance[] {
    return [...this.alerts.values()];
  }

  /** Alert instances firing now (not resolved), the highest severity first. */
  firingAlerts(): AlertInstance[] {
    return [...this.alerts.values()]
      .filter((a) => !a.resolved)
      .sort((a, b) => rank[b.severity] - rank[a.severity] || a.rule.localeCompare(b.rule) || a.env.localeCompare(b.env) || a.artifact.localeCompare(b.artifact));
  }

  /** Alert instances firing now, by severity. */
  firingBySeverity(): Record<Severity, number> {
    const out: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
    for (const a of this.alerts.values()) if (!a.resolved) out[a.severity]++;
    return out;
  }
}
