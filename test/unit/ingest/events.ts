/** Builders for input events and envelopes used by the ingest tests. */
import type { Envelope } from '../../../processors/facts.js';
import type { InputEvent } from '../../../schemas/input-events.js';

export const T0 = Date.parse('2026-11-27T12:00:00.000Z');

export function promotion(eventId: string, at: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'promotion',
    eventId,
    occurredAt: new Date(at).toISOString(),
    env: 'prod',
    artifact: 'search-index',
    promotionId: 'p-1',
    phase: 'started',
    version: '1.2.3',
    digest: 'sha256:aaa',
    ...extra,
  };
}

export function hydration(eventId: string, at: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'hydration',
    eventId,
    occurredAt: new Date(at).toISOString(),
    env: 'prod',
    artifact: 'search-index',
    ruleId: 'r-1',
    instance: 'hyd-0',
    inputDigest: 'sha256:aaa',
    outputDigest: 'sha256:out',
    durationMs: 12,
    status: 'ok',
    ...extra,
  };
}

export function indexOp(eventId: string, at: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'index',
    eventId,
    occurredAt: new Date(at).toISOString(),
    env: 'prod',
    artifact: 'search-index',
    op: 'read',
    instance: 'idx-0',
    servedDigest: 'sha256:aaa',
    latencyMs: 3,
    status: 'ok',
    ...extra,
  };
}

/** An envelope without going through the decoder (the orderer and dedup only read type, eventId and at). */
export function envelope(event: Record<string, unknown>): Envelope {
  const e = event as unknown as InputEvent;
  return { event: e, at: Date.parse(e.occurredAt), key: `${e.env}/${e.artifact}` };
}
