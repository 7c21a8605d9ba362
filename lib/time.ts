/** Event time is carried internally as epoch milliseconds (UTC). */

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp; returns NaN when it is not one. */
export function parseTimestamp(text: string): number {
  if (!RFC3339.test(text)) return Number.NaN;
  return Date.parse(text);
}

/** Formats epoch ms as RFC 3339 UTC with millisecond precision, like the input. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Start of the epoch-aligned tumbling window of `size` ms holding `at`. */
export function windowStart(at: number, size: number): number {
  return Math.floor(at / size) * size;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT: Record<string, number> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY };

/** Parses durations such as `500ms`, `30s`, `5m`, `1h`, `7d`; returns NaN otherwise. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) return Number.NaN;
  return Number(m[1]) * UNIT[m[2]!]!;
}
