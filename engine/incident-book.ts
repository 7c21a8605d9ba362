/**
 * Keeps the latest state of every incident seen on the fact stream, and turns
 * it into the incidents.ndjson line of SPEC §7.1 (RFC 3339 times, null while
 * open).
 */
import type { Fact, Incident } from '../processors/facts.js';
import type { IncidentRecord } from '../schemas/incident-record.js';
import { formatTimestamp } from '../lib/time.js';

export function toIncidentRecord(incident: Incident): IncidentRecord & { correlationId?: string; inputDigest?: string } {
  return {
    incidentId: incident.incidentId,
    kind: incident.kind,
    env: incident.env,
    artifact: incident.artifact,
    ...(incident.ruleId !== undefined ? { ruleId: incident.ruleId } : {}),
    severity: incident.severity,
    startedAt: formatTimestamp(incident.startedAt),
    detectedAt: formatTimestamp(incident.detectedAt),
    resolvedAt: incident.resolvedAt === null ? null : formatTimestamp(incident.resolvedAt),
    ...(incident.reason !== undefined ? { reason: incident.reason } : {}),
    ...(incident.expectedDigest !== undefined ? { expectedDigest: incident.expectedDigest } : {}),
    divergentDigests: incident.divergentDigests,
    ...(incident.divergentDigestsOmitted !== undefined ? { divergentDigestsOmitted: incident.divergentDigestsOmitted } : {}),
    ...(incident.recoveryMs !== undefined ? { recoveryMs: incident.recoveryMs } : {}),
    ...(incident.inputDigest !== undefined ? { inputDigest: incident.inputDigest } : {}),
    ...(incident.correlationId !== undefined ? { correlationId: incident.correlationId } : {}),
  };
}

export class IncidentBook {
  private readonly latest = new Map<string, Incident>();

  observe(fact: Fact): void {
    if (fact.kind === 'incident') this.latest.set(fact.incident.incidentId, fact.incident);
  }

  get size(): number {
    return this.latest.size;
  }

  /** Final state of every incident, ordered by start time then id (stable across runs). */
  incidents(): Incident[] {
    return [...this.latest.values()].sort((a, b) => a.startedAt - b.startedAt || (a.incidentId < b.incidentId ? -1 : a.incidentId > b.incidentId ? 1 : 0));
  }

  records(): ReturnType<typeof toIncidentRecord>[] {
    return this.incidents().map(toIncidentRecord);
  }
}
