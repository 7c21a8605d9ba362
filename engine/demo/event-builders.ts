/**
 * Builds the input events of SPEC §3 for the synthetic scenario, and the
 * malformed lines it mixes in. Field order follows the SPEC tables so the
 * NDJSON reads like what a real producer sends. Digests are derived from the
 * artifact and version (so the same version has the same digest in every
 * environment, as after a real promotion dev → staging → prod).
 */
import { createHash } from 'node:crypto';
import type { HydrationEvent, IndexEvent, PromotionEvent } from '../../schemas/input-events.js';
import type { Prng } from './prng.js';

function hex(...parts: Array<string | number>): string {
  return createHash('sha1').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

/** Content digest of one artifact version. */
export function artifactDigest(artifact: string, version: string): string {
  return `sha256:${hex('artifact', artifact, version)}`;
}

/** A digest no promotion ever names: what a rogue index instance serves. */
export function rogueDigest(artifact: string, n: number): string {
  return `sha256:${hex('rogue', artifact, n)}`;
}

/** The output a deterministic rule produces for an input digest. */
export function ruleOutputDigest(ruleId: string, inputDigest: string): string {
  return `sha256:${hex('out', ruleId, inputDigest)}`;
}

/** A stray output of a nondeterministic rule. */
export function strayOutputDigest(ruleId: string, n: number, k: number): string {
  return `sha256:${hex('stray', ruleId, n, k)}`;
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * RFC 3339 UTC with ms, like lib/time formatTimestamp, but reusing the text
 * of the current second: the generator formats a million nearly ordered
 * times, and Date#toISOString is a visible share of that.
 */
export function formatEventTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const frac = ms - second * 1000;
  return cachedPrefix + (frac < 10 ? '00' : frac < 100 ? '0' : '') + frac + 'Z';
}

export interface EventHead {
  eventId: string;
  at: number;
  env: string;
  artifact: string;
  correlationId?: string;
}

export type PromotionFields = Omit<PromotionEvent, 'type' | 'eventId' | 'occurredAt' | 'env' | 'artifact' | 'correlationId'>;

// The builders write each object literally (no spreads): a million of them must stay cheap to build and to stringify.

export function promotionEvent(h: EventHead, fields: PromotionFields): PromotionEvent {
  const e = { type: 'promotion' as const, eventId: h.eventId, occurredAt: formatEventTime(h.at), env: h.env, artifact: h.artifact } as PromotionEvent;
  if (h.correlationId !== undefined) e.correlationId = h.correlationId;
  return Object.assign(e, fields);
}

export function hydrationEvent(
  h: EventHead,
  f: { ruleId: string; instance: string; inputDigest: string; outputDigest: string; durationMs: number; error?: string },
): HydrationEvent {
  const e: HydrationEvent = {
    type: 'hydration',
    eventId: h.eventId,
    occurredAt: formatEventTime(h.at),
    env: h.env,
    artifact: h.artifact,
    ruleId: f.ruleId,
    instance: f.instance,
    inputDigest: f.inputDigest,
    // Required even on errors (SPEC §3); an error is not an observation, so its value is never compared.
    outputDigest: f.outputDigest,
    durationMs: f.durationMs,
    status: f.error === undefined ? 'ok' : 'error',
  };
  if (f.error !== undefined) e.error = f.error;
  if (h.correlationId !== undefined) e.correlationId = h.correlationId;
  return e;
}

export function indexEvent(
  h: EventHead,
  f: { op: 'read' | 'write'; instance: string; servedDigest: string; latencyMs: number; ok: boolean; shard: string },
): IndexEvent {
  const e: IndexEvent = {
    type: 'index',
    eventId: h.eventId,
    occurredAt: formatEventTime(h.at),
    env: h.env,
    artifact: h.artifact,
    op: f.op,
    instance: f.instance,
    servedDigest: f.servedDigest,
    latencyMs: f.latencyMs,
    status: f.ok ? 'ok' : 'error',
    shard: f.shard,
  };
  if (h.correlationId !== undefined) e.correlationId = h.correlationId;
  return e;
}

/**
 * A line the engine must reject (and dead-letter) without stopping: broken
 * JSON, a missing required field, an unknown event type, or a timestamp that
 * is not RFC 3339 — the mistakes real producers make.
 */
export function malformedLine(rng: Prng, event: { [k: string]: unknown }, eventId: string): string {
  const copy: { [k: string]: unknown } = { ...event, eventId };
  switch (rng.int(0, 3)) {
    case 0: {
      const text = JSON.stringify(copy);
      return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    }
    case 1:
      delete copy[copy.type === 'promotion' ? 'promotionId' : copy.type === 'hydration' ? 'inputDigest' : 'servedDigest'];
      return JSON.stringify(copy);
    case 2:
      return JSON.stringify({ ...copy, type: 'deploy' });
    default:
      return JSON.stringify({ ...copy, occurredAt: 'yesterday' });
  }
}
