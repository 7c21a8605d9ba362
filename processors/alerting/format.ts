/** Human-readable numbers for alert annotations. */
import { formatTimestamp } from '../../lib/time.js';

/** 0.8 → "80%", 0.0512 → "5.1%" (one decimal, trailing ".0" dropped). */
export function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(1))}%`;
}

/** 450000 → "7m 30s", 3600000 → "1h", 1500 → "1.5s". */
export function duration(ms: number): string {
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.join(' ');
}

/**
 * `ms` where it is shown against a target it exceeds: rounded to the second, a
 * value just over its threshold reads as the threshold itself ("take 5m on
 * average (target < 5m)"), so it says "just over 5m" then.
 */
export function durationOver(ms: number, threshold: number): string {
  const text = duration(ms);
  return ms > threshold && text === duration(threshold) ? `just over ${text}` : text;
}

export function timestamp(ms: number): string {
  return formatTimestamp(ms);
}

/** Most items an alert text lists: a description stays short however many digests a key sees. */
export const MAX_LISTED_ITEMS = 10;

/**
 * ["a", "b", "c"] → "a, b, c"; past MAX_LISTED_ITEMS "a, …, j and 5 more"; empty → "(none reported)".
 * `total`: how many there are when `items` names only some of them (a bounded sample), for "and N more".
 */
export function list(items: readonly string[], total = items.length): string {
  if (items.length === 0) return '(none reported)';
  const shown = items.slice(0, MAX_LISTED_ITEMS);
  const more = total > shown.length ? ` and ${total - shown.length} more` : '';
  return shown.join(', ') + more;
}
