import { createHash, randomUUID } from 'node:crypto';

/**
 * Deterministic ids: the same inputs give the same id, so a replay or a
 * restart re-derives identical incident ids and fingerprints (idempotent sinks).
 */
export function stableId(prefix: string, ...parts: Array<string | number | undefined>): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(String(p ?? '')).update('\u0000');
  return `${prefix}-${h.digest('hex').slice(0, 20)}`;
}

/** Unique per call (run ids). */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
