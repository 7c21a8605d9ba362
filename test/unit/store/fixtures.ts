/** Hand-built facts for the store tests (times are hand-picked epoch ms). */
import type { Envelope, Fact, Incident } from '../../../processors/facts.js';
import type { HydrationEvent, IndexEvent, PromotionEvent } from '../../../schemas/input-events.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';

/** 2026-11-27T12:00:00.000Z */
export const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
export const MIN = 60_000;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function envelope<E extends PromotionEvent | HydrationEvent | IndexEvent>(event: E, line?: number): Envelope {
  return { event, at: Date.parse(event.occurredAt), key: `${event.env}/${event.artifact}`, source: line === undefined ? undefined : { line } };
}

export function promotionStarted(at: number, id = 'p-1'): Fact {
  const event: PromotionEvent = {
    type: 'promotion',
    eventId: `${id}-started`,
    occurredAt: iso(at),
    env: 'prod',
    artifact: 'catalog',
    correlationId: 'corr-1',
    promotionId: id,
    phase: 'started',
    version: '1.2.0',
    digest: 'sha256:aaa',
    fromEnv: 'staging',
    actor: 'alice',
  };
  return { kind: 'event', at, envelope: envelope(event, 1) };
}

export function promotionGate(at: number): Fact {
  const event: PromotionEvent = {
    type: 'promotion',
    eventId: 'p-1-gate',
    occurredAt: iso(at),
    env: 'prod',
    artifact: 'catalog',
    promotionId: 'p-1',
    phase: 'gate',
    gate: { name: 'smoke', result: 'failed', durationMs: 1500 },
  };
  return { kind: 'event', at, envelope: envelope(event, 2) };
}

export function hydration(at: number, eventId = 'h-1', outputDigest = 'sha256:out1'): Fact {
  const event: HydrationEvent = {
    type: 'hydration',
    eventId,
    occurredAt: iso(at),
    env: 'prod',
    artifact: 'catalog',
    ruleId: 'rule-7',
    instance: 'hyd-0',
    inputDigest: 'sha256:aaa',
    outputDigest,
    durationMs: 42.5,
    status: 'ok',
  };
  return { kind: 'event', at, envelope: { ...envelope(event), source: { topic: 'driftwatch.hydration.v1', partition: 2, offset: '1234' } } };
}

export function lateIndex(at: number, frontier: number): Fact {
  const event: IndexEvent = {
    type: 'index',
    eventId: 'i-late',
    occurredAt: iso(at),
    env: 'prod',
    artifact: 'catalog',
    op: 'read',
    instance: 'idx-1',
    servedDigest: 'sha256:old',
    latencyMs: 7,
    status: 'error',
    shard: 's3',
  };
  return { kind: 'late', at: frontier, envelope: envelope(event, 9), frontier };
}

export function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    incidentId: 'inc-1',
    kind: 'state',
    env: 'prod',
    artifact: 'catalog',
    severity: 'high',
    startedAt: T0,
    detectedAt: T0 + 30_000,
    resolvedAt: null,
    expectedDigest: 'sha256:aaa',
    divergentDigests: ['sha256:bad'],
    correlationId: 'corr-1',
    desiredFrom: 'promotion',
    ...overrides,
  };
}

export function alert(at: number, overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    alertId: 'alert-random-1',
    fingerprint: 'fp-drift-prod-catalog',
    rule: 'drift_detected',
    status: 'firing',
    severity: 'high',
    escalationLevel: 1,
    labels: { env: 'prod', artifact: 'catalog', kind: 'state' },
    annotations: { summary: 'prod/catalog drifted', description: 'serving sha256:bad, expected sha256:aaa' },
    startsAt: iso(T0),
    incidentId: 'inc-1',
    correlationId: 'corr-1',
    emittedAt: iso(at + 5),
    ...overrides,
  };
}

/** One fact of every stored kind (plus an advance and an observation, which are not stored). */
export function oneOfEachKind(): Fact[] {
  const w = { windowStart: T0, windowEnd: T0 + 5 * MIN };
  return [
    promotionStarted(T0),
    promotionGate(T0 + 1000),
    hydration(T0 + 2000),
    lateIndex(T0 - 10 * MIN, T0 + 2000),
    {
      kind: 'observation',
      at: T0 + 2000,
      observation: { key: 'prod/catalog', env: 'prod', artifact: 'catalog', sourceId: 'hydration:hyd-0', digest: 'sha256:aaa', managed: true, divergent: false },
    },
    { kind: 'incident', at: T0 + 30_000, change: 'opened', incident: incident() },
    { kind: 'alert', at: T0 + 30_000, alert: alert(T0 + 30_000) },
    {
      kind: 'audit',
      at: T0 + 30_000,
      record: { at: T0 + 30_000, category: 'drift', action: 'incident_opened', env: 'prod', artifact: 'catalog', subjectId: 'inc-1', correlationId: 'corr-1', details: { divergent: ['sha256:bad'] } },
    },
    {
      kind: 'drift-window',
      at: T0 + 5 * MIN,
      row: {
        ...w, env: 'prod', artifact: 'catalog', observations: 10, divergentObservations: 3, sources: 2, divergentSources: 1,
        hydrations: 6, hydrationErrors: 1, indexOps: 4, indexErrors: 0, indexLatencyP50: 5, indexLatencyP90: null, lateEvents: 1,
      },
    },
    {
      kind: 'env-window',
      at: T0 + 5 * MIN,
      row: { ...w, env: 'prod', observations: 10, divergentObservations: 3, hydrations: 6, hydrationErrors: 1, indexOps: 4, indexErrors: 0, lateEvents: 1 },
    },
    {
      kind: 'promotion-window',
      at: T0 + 5 * MIN,
      row: {
        ...w, env: 'prod', started: 2, succeeded: 1, failed: 1, rolledBack: 0, rolledBackAfterSuccess: 0, promotionsEnded: 2, endedSucceeded: 1, successChanges: [], durationCount: 2, durationSumMs: 90_000,
        durationP50Ms: 30_000, durationP90Ms: 60_000, durationMaxMs: 60_000, snapshotsVerified: 1, snapshotsUnverified: 0,
        gates: [
          { gate: 'smoke', passed: 1, failed: 1, durationP50Ms: 1500, durationP90Ms: 1500 },
          { gate: 'perf', passed: 2, failed: 0, durationP50Ms: null, durationP90Ms: null },
        ],
      },
    },
    {
      kind: 'mttr',
      at: T0 + 5 * MIN,
      snapshots: [
        { asOf: T0 + 5 * MIN, scope: 'prod', window: '1h', resolvedCount: 2, meanMs: 120_000, p50Ms: 100_000, p90Ms: 140_000, openIncidents: 1, oldestOpenMs: 270_000 },
        { asOf: T0 + 5 * MIN, scope: '*', window: '24h', resolvedCount: 0, meanMs: null, p50Ms: null, p90Ms: null, openIncidents: 0, oldestOpenMs: null },
      ],
    },
    { kind: 'incident', at: T0 + 10 * MIN, change: 'resolved', incident: incident({ resolvedAt: T0 + 10 * MIN, reason: 'converged', recoveryMs: 10 * MIN }) },
    { kind: 'advance', at: T0 + 10 * MIN },
  ];
}
