/**
 * The rolling MTTR figures of one moment (SPEC §4.6), computed from the
 * incidents the MTTR processor keeps: per scope ('*' and each env) and
 * trailing window, mean/p50/p90 recovery time of the incidents resolved in
 * (asOf − window, asOf], plus the open incidents and the age of the oldest.
 */
import { quantileWithHistogram } from '../lib/log-histogram.js';
import { sortedCopy } from '../lib/quantiles.js';
import { DAY, HOUR } from '../lib/time.js';
import type { MttrSnapshot } from './facts.js';
import type { FoldedFigures, FoldedRecoveries } from './mttr-folded.js';

export const mttrWindows: ReadonlyArray<readonly [MttrSnapshot['window'], number]> = [
  ['1h', HOUR],
  ['24h', DAY],
  ['7d', 7 * DAY],
];
/** Resolved incidents older than the largest window no longer count anywhere. */
export const RETENTION_MS = 7 * DAY;

export interface Resolved {
  incidentId: string;
  env: string;
  resolvedAt: number;
  recoveryMs: number;
}

export interface Open {
  env: string;
  startedAt: number;
}

/**
 * Rolling MTTR at `asOf`: snapshots for '*' and every env with a resolution
 * in the trailing 7 d or an open incident; `folded`: the incidents no longer
 * kept one by one (mttr-folded.ts), counted too.
 */
export function rollingSnapshots(asOf: number, resolvedIncidents: Iterable<Resolved>, openIncidents: Iterable<Open>, folded?: FoldedRecoveries): MttrSnapshot[] {
  const resolvedBy = new Map<string, Resolved[]>([['*', []]]);
  const openBy = new Map<string, Open[]>([['*', []]]);
  for (const r of resolvedIncidents) {
    if (r.resolvedAt > asOf) continue;
    resolvedBy.get('*')!.push(r);
    push(resolvedBy, r.env, r);
  }
  for (const o of openIncidents) {
    if (o.startedAt > asOf) continue;
    openBy.get('*')!.push(o);
    push(openBy, o.env, o);
  }
  const envs = new Set([...resolvedBy.keys(), ...openBy.keys(), ...(folded?.envsAt(asOf) ?? [])]);
  envs.delete('*');
  const out: MttrSnapshot[] = [];
  for (const scope of ['*', ...[...envs].sort()]) {
    const resolved = resolvedBy.get(scope) ?? [];
    const open = openBy.get(scope) ?? [];
    let oldest = Infinity;
    for (const o of open) oldest = Math.min(oldest, o.startedAt);
    for (const [w, [window, size]] of mttrWindows.entries()) {
      const recoveries = resolved.filter((r) => r.resolvedAt > asOf - size).map((r) => r.recoveryMs);
      let sum = 0;
      for (const v of recoveries) sum += v;
      out.push({
        asOf,
        scope,
        window,
        ...recoveryFigures(sortedCopy(recoveries), sum, folded?.figures(scope, w, asOf)),
        openIncidents: open.length,
        oldestOpenMs: open.length > 0 ? asOf - oldest : null,
      });
    }
  }
  return out;
}

/**
 * Count, mean, p50 and p90 of the recoveries `sorted` (ascending; `sum` in
 * their order) and of those `folded` adds: without it, exactly those of the
 * list (nearest rank, lib/quantiles.ts).
 */
export function recoveryFigures(sorted: readonly number[], sum: number, folded: FoldedFigures | undefined): Pick<MttrSnapshot, 'resolvedCount' | 'meanMs' | 'p50Ms' | 'p90Ms'> {
  const n = sorted.length + (folded?.count ?? 0);
  if (n === 0) return { resolvedCount: 0, meanMs: null, p50Ms: null, p90Ms: null };
  return {
    resolvedCount: n,
    meanMs: (folded === undefined ? sum : sum + folded.sum) / n,
    p50Ms: quantileWithHistogram(sorted, folded?.histogram, 0.5)!,
    p90Ms: quantileWithHistogram(sorted, folded?.histogram, 0.9)!,
  };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
