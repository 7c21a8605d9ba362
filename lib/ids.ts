import { hash, randomUUID } from 'node:crypto';

/**
 * What ends each part of a stable id. Input fields joined into ids refuse it
 * (schemas/input-events.ts), so that no two sets of parts give one text.
 */
export const ID_PART_SEPARATOR = '\u0000';

/**
 * Deterministic ids: the same inputs give the same id, so a replay or a
 * restart re-derives identical incident ids and fingerprints (idempotent sinks).
 *
 * The SHA-1 of each part followed by NUL, as UTF-8. Hashed in one call over
 * the joined text: the same bytes as a Hash object fed part by part (which
 * it was), at a fraction of the cost of making one per id (every alert
 * emission and incident derives one).
 */
export function stableId(prefix: string, ...parts: Array<string | number | undefined>): string {
  let text = '';
  for (const p of parts) text += `${p ?? ''}${ID_PART_SEPARATOR}`;
  return `${prefix}-${hash('sha1', text, 'hex').slice(0, 20)}`;
}

/** Unique per call (run ids). */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
