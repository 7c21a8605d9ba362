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
  /** Event time of the emission that resolved it; null while it fires. */
  resolvedAt: number | null;
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
        const resolved = a.status === 'resolved';
        this.alerts.set(id, { rule: a.rule, fingerprint: a.fingerprint, env, artifact, startsAt: a.startsAt, severity: a.severity, resolved, resolvedAt: resolved ? fact.at : null });
        return;
      }
      if (rank[a.severity] > rank[seen.severity]) seen.severity = a.severity;
      if (a.status === 'resolved') {
        seen.resolved = true;
        seen.resolvedAt = fact.at;
      }
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

  /**
   * What was resolved at event times after `lastEventAt`: only the end of input gets there (it moves event time past
   * every window and timer), so these are what time alone ended once events stopped — alerts by rule, and incidents.
   */
  resolvedAfter(lastEventAt: number): { alerts: Array<{ rule: string; count: number }>; incidents: number } {
    const byRule = new Map<string, number>();
    for (const a of this.alerts.values()) if (a.resolvedAt !== null && a.resolvedAt > lastEventAt) byRule.set(a.rule, (byRule.get(a.rule) ?? 0) + 1);
    const incidents = this.incidents.incidents().filter((i) => i.resolvedAt !== null && i.resolvedAt > lastEventAt).length;
    return { alerts: [...byRule].sort(([a], [b]) => a.localeCompare(b)).map(([rule, count]) => ({ rule, count })), incidents };
  }

  /** Alert instances firing now, by severity. */
  firingBySeverity(): Record<Severity, number> {
    const out: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
    for (const a of this.alerts.values()) if (!a.resolved) out[a.severity]++;
    return out;
  }
}
