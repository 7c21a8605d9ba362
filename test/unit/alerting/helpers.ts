/** Fact builders and a deterministic alerting processor for the alerting tests. */
import type { AlertsConfig, SeverityClassifier } from '../../../config/alert-rules.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import type { Envelope, Fact, Incident, MttrSnapshot, EnvWindowRow } from '../../../processors/facts.js';
import type { PromotionWindowRow, GateWindowRow } from '../../../processors/promotion-facts.js';
import { AlertingProcessor } from '../../../processors/alerting/alerting-processor.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import type { PromotionEvent } from '../../../schemas/input-events.js';

export const T0 = Date.parse('2026-11-27T12:00:00.000Z');
export const SEC = 1000;
export const MIN = 60 * SEC;
export const iso = (ms: number) => new Date(ms).toISOString();

/** A fixed wall clock and sequential alert ids, so every emitted field is predictable. */
export const WALL = Date.parse('2030-01-01T00:00:00.000Z');

export function makeProcessor(
  mutate: (c: AlertsConfig) => void = () => {},
  classify?: SeverityClassifier,
): { processor: AlertingProcessor; run: (...facts: Fact[]) => Array<{ at: number; alert: AlertEvent }> } {
  const config = defaultAlertsConfig();
  mutate(config);
  let n = 0;
  const processor = new AlertingProcessor(config, classify, { now: () => WALL, newAlertId: () => `alert-${++n}` });
  const run = (...facts: Fact[]) => {
    const out: Array<{ at: number; alert: AlertEvent }> = [];
    for (const f of facts) {
      processor.handle(f, (d) => {
        if (d.kind !== 'alert') throw new Error(`unexpected fact ${d.kind}`);
        out.push({ at: d.at, alert: d.alert });
      });
    }
    return out;
  };
  return { processor, run };
}

/** Only the rules named stay enabled, so a test sees one rule's alerts. */
export function only(...rules: string[]) {
  return (c: AlertsConfig) => {
    for (const [name, rule] of Object.entries(c.rules)) rule.enabled = rules.includes(name);
  };
}

export const advance = (at: number): Fact => ({ kind: 'advance', at });

export function stateIncident(over: Partial<Incident> = {}): Incident {
  return {
    incidentId: 'inc-1',
    kind: 'state',
    env: 'staging',
    artifact: 'web',
    severity: 'medium',
    startedAt: T0,
    detectedAt: T0 + 10 * SEC,
    resolvedAt: null,
    expectedDigest: 'sha256:aaa',
    divergentDigests: ['sha256:bbb'],
    desiredFrom: 'promotion',
    correlationId: 'corr-1',
    ...over,
  };
}

export const incidentFact = (at: number, change: 'opened' | 'updated' | 'resolved', incident: Incident): Fact => ({
  kind: 'incident',
  at,
  change,
  incident,
});

/**
 * A promotion window; `promotionsEnded` defaults to what its counts give when
 * no rollback followed a failure, `endedSucceeded` to `succeeded` (no retries).
 */
export function promotionRow(windowEnd: number, over: Partial<PromotionWindowRow> = {}): Fact {
  const counts: Omit<PromotionWindowRow, 'promotionsEnded' | 'endedSucceeded'> = {
    windowStart: windowEnd - 5 * MIN,
    windowEnd,
    env: 'prod',
    started: 0,
    succeeded: 0,
    failed: 0,
    rolledBack: 0,
    rolledBackAfterSuccess: 0,
    successChanges: [],
    durationCount: 0,
    durationSumMs: 0,
    durationP50Ms: null,
    durationP90Ms: null,
    durationMaxMs: null,
    snapshotsVerified: 0,
    snapshotsUnverified: 0,
    gates: [],
    ...over,
  };
  const promotionsEnded = over.promotionsEnded ?? counts.succeeded + counts.failed + counts.rolledBack - counts.rolledBackAfterSuccess;
  return { kind: 'promotion-window', at: windowEnd, row: { ...counts, promotionsEnded, endedSucceeded: over.endedSucceeded ?? counts.succeeded } };
}

export const gate = (name: string, passed: number, failed: number): GateWindowRow => ({
  gate: name,
  passed,
  failed,
  durationP50Ms: null,
  durationP90Ms: null,
});

export function envRow(windowEnd: number, indexOps: number, indexErrors: number, env = 'prod'): Fact {
  const row: EnvWindowRow = {
    windowStart: windowEnd - 5 * MIN,
    windowEnd,
    env,
    observations: 0,
    divergentObservations: 0,
    hydrations: 0,
    hydrationErrors: 0,
    indexOps,
    indexErrors,
    lateEvents: 0,
  };
  return { kind: 'env-window', at: windowEnd, row };
}

export function mttrFact(at: number, env: string, over: Partial<MttrSnapshot> = {}): Fact {
  const snap: MttrSnapshot = {
    asOf: at,
    scope: env,
    window: '1h',
    resolvedCount: 0,
    meanMs: null,
    p50Ms: null,
    p90Ms: null,
    openIncidents: 0,
    oldestOpenMs: null,
    ...over,
  };
  return { kind: 'mttr', at, snapshots: [snap] };
}

export function snapshotEvent(at: number, verified: boolean, snapshotId = 'snap-1', env = 'prod', artifact = 'web'): Fact {
  const event: PromotionEvent = {
    type: 'promotion',
    eventId: `ev-${snapshotId}-${at}`,
    occurredAt: iso(at),
    env,
    artifact,
    promotionId: 'promo-1',
    phase: 'snapshot',
    snapshot: { snapshotId, verified },
    correlationId: 'corr-snap',
  };
  const envelope: Envelope = { event, at, key: `${env}/${artifact}` };
  return { kind: 'event', at, envelope };
}

/** [status, level, severity, at] per emitted alert: the compact shape most assertions need. */
export const brief = (out: Array<{ at: number; alert: AlertEvent }>) =>
  out.map(({ at, alert }) => [alert.rule, alert.status, alert.escalationLevel, alert.severity, at - T0]);
