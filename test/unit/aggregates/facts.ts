/** Fact builders for the aggregate processor tests. */
import type { Envelope, Fact, FactOf, Incident, Observation } from '../../../processors/facts.js';
import type { HydrationEvent, IndexEvent, InputEvent, PromotionEvent } from '../../../schemas/input-events.js';

/** 2026-11-27T12:00:00.000Z, aligned to 5-minute (and hour) windows. */
export const T0 = Date.parse('2026-11-27T12:00:00.000Z');
export const SEC = 1000;
export const MIN = 60 * SEC;

let seq = 0;

function envelope<E extends InputEvent>(at: number, event: E): Envelope<E> {
  return { event, at, key: `${event.env}/${event.artifact}` };
}

export function hydration(at: number, over: Partial<HydrationEvent> = {}): FactOf<'event'> {
  const e: HydrationEvent = {
    type: 'hydration',
    eventId: `h-${++seq}`,
    occurredAt: new Date(at).toISOString(),
    env: 'prod',
    artifact: 'app',
    ruleId: 'r1',
    instance: 'i1',
    inputDigest: 'd1',
    outputDigest: 'o1',
    durationMs: 5,
    status: 'ok',
    ...over,
  };
  return { kind: 'event', at, envelope: envelope(at, e) };
}

export function indexOp(at: number, over: Partial<IndexEvent> = {}): FactOf<'event'> {
  const e: IndexEvent = {
    type: 'index',
    eventId: `x-${++seq}`,
    occurredAt: new Date(at).toISOString(),
    env: 'prod',
    artifact: 'app',
    op: 'read',
    instance: 'ix1',
    servedDigest: 'd1',
    latencyMs: 10,
    status: 'ok',
    ...over,
  };
  return { kind: 'event', at, envelope: envelope(at, e) };
}

export function promotion(at: number, promotionId: string, phase: PromotionEvent['phase'], over: Partial<PromotionEvent> = {}): FactOf<'event'> {
  const e: PromotionEvent = {
    type: 'promotion',
    eventId: `p-${++seq}`,
    occurredAt: new Date(at).toISOString(),
    env: 'prod',
    artifact: 'app',
    promotionId,
    phase,
    ...(phase === 'started' || phase === 'succeeded' ? { version: '1.2.3', digest: 'd2' } : {}),
    ...over,
  };
  return { kind: 'event', at, envelope: envelope(at, e) };
}

/** The event of `fact`, arriving late at `frontier`. */
export function late(fact: FactOf<'event'>, frontier: number): FactOf<'late'> {
  return { kind: 'late', at: frontier, envelope: fact.envelope, frontier };
}

export function observation(at: number, sourceId: string, divergent: boolean, over: Partial<Observation> = {}): FactOf<'observation'> {
  const env = over.env ?? 'prod';
  const artifact = over.artifact ?? 'app';
  return {
    kind: 'observation',
    at,
    observation: { key: `${env}/${artifact}`, env, artifact, sourceId, digest: divergent ? 'bad' : 'd1', managed: true, divergent, ...over },
  };
}

export function advance(at: number): Fact {
  return { kind: 'advance', at };
}

export function incident(at: number, change: 'opened' | 'updated' | 'resolved', over: Partial<Incident> & { incidentId: string; startedAt: number }): FactOf<'incident'> {
  const resolvedAt = change === 'resolved' ? (over.resolvedAt ?? at) : null;
  return {
    kind: 'incident',
    at,
    change,
    incident: {
      kind: 'state',
      env: 'prod',
      artifact: 'app',
      severity: 'high',
      detectedAt: over.startedAt,
      divergentDigests: ['bad'],
      ...over,
      resolvedAt,
      ...(resolvedAt !== null ? { recoveryMs: resolvedAt - over.startedAt } : {}),
    },
  };
}

export function ofKind<K extends Fact['kind']>(facts: Fact[], kind: K): FactOf<K>[] {
  return facts.filter((f): f is FactOf<K> => f.kind === kind);
}
