/**
 * The problem list and the shape checks of config/alerts-validation.ts: a
 * collector that gathers every problem with the path of the bad entry and
 * throws them as one ConfigError naming the first, the "is it a map" and
 * "unknown key (did you mean …?)" checks, and how a bad value is described
 * in a message.
 *
 * Split out of alerts-validation.ts, which keeps what alerts.yaml may say
 * (rules, their parameters, escalation, routing, limits); these know nothing
 * of alerts and are the same for every section.
 */
import { ConfigError } from '../lib/errors.js';

/** A YAML map as parsed. */
export type Raw = Record<string, unknown>;

/** Every problem found, each with the path of its entry; `throwIfAny` throws them as one error. */
export class Problems {
  readonly list: Array<{ path: string; message: string }> = [];
  add(path: string, message: string): undefined {
    this.list.push({ path, message });
    return undefined;
  }
  throwIfAny(source: string): void {
    if (this.list.length === 0) return;
    const line = (p: { path: string; message: string }) => (p.path ? `${source}: ${p.path}: ${p.message}` : `${source}: ${p.message}`);
    const [first, ...rest] = this.list;
    const option = first!.path ? `${source}: ${first!.path}` : source;
    throw new ConfigError(option, [first!.message, ...rest.map(line)].join('\n'));
  }
}

/** `raw` as a map, or a problem at `path` ("expected `what`"). */
export function asMap(raw: unknown, path: string, p: Problems, what = 'a map'): Raw | undefined {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return raw as Raw;
  return p.add(path, `expected ${what}, got ${describe(raw)}`);
}

/** A problem for each key of `map` not in `allowed`, with the nearest allowed one as a hint. */
export function checkKeys(map: Raw, allowed: readonly string[], path: string, p: Problems, what = 'key'): void {
  for (const key of Object.keys(map)) {
    if (allowed.includes(key)) continue;
    const guess = closest(key, allowed);
    const hint = guess ? `did you mean "${guess}"? ` : '';
    p.add(path ? `${path}.${key}` : key, `unknown ${what}; ${hint}(expected one of ${allowed.join(', ')})`);
  }
}

/** The allowed name within edit distance 2 of a typo, if any (case aside). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** Edits (insert, delete, replace, or swap two adjacent characters: LEVLE for LEVEL is one typo) from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) next[j] = Math.min(next[j]!, before[j - 2]! + 1);
    }
    [before, row] = [row, next];
  }
  return row[b.length]!;
}

/** How a message names a bad value: a string quoted, a list or a map by its kind, not its contents. */
export function describe(v: unknown): string {
  if (v === undefined || v === null) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a map';
  return String(v);
}
