/**
 * The rolling MTTR figures of one moment (SPEC §4.6), computed from the
 * incidents the MTTR processor keeps: per scope ('*' and each env) and
 * trailing window, mean/p50/p90 recovery time of the incidents resolved in
 * (asOf − window, asOf], plus the open incidents and the age of the oldest.
 */
import { mean, quantileOfSorted, sortedCopy } from '../lib/quantiles.js';
import { DAY, HOUR } from '../lib/time.js';
import type { MttrSnapshot } from './facts.js';

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

/** Rolling MTTR at `asOf`: snapshots for '*' and every env with a resolution in the trailing 7 d or an open incident. */
export function rollingSnapshots(asOf: number, resolvedIncidents: Iterable<Resolved>, openIncidents: Iterable<Open>): MttrSnapshot[] {
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
  const envs = new Set([...resolvedBy.keys(), ...openBy.keys()]);
  envs.delete('*');
  const out: MttrSnapshot[] = [];
  for (const scope of ['*', ...[...envs].sort()]) {
    const resolved = resolvedBy.get(scope) ?? [];
    const open = openBy.get(scope) ?? [];
    let oldest = Infinity;
    for (const o of open) oldest = Math.min(oldest, o.startedAt);
    for (const [window, size] of mttrWindows) {
      const recoveries = resolved.filter((r) => r.resolvedAt > asOf - size).map((r) => r.recoveryMs);
      const sorted = sortedCopy(recoveries); // one sort for both quantiles
      out.push({
        asOf,
        scope,
        window,
        resolvedCount: recoveries.length,
        meanMs: mean(recoveries) ?? null,
        p50Ms: quantileOfSorted(sorted, 0.5) ?? null,
        p90Ms: quantileOfSorted(sorted, 0.9) ?? null,
        openIncidents: open.length,
        oldestOpenMs: open.length > 0 ? asOf - oldest : null,
      });
    }
  }
  return out;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
