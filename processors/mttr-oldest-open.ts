/** The open incidents an mttr_breach alert names (mttr.ts emits them with its snapshots). */
import type { MttrSnapshot, OldestOpenIncident } from './facts.js';
import type { KeyedEntries } from './keyed-entries.js';
import type { Open } from './mttr-snapshots.js';

/**
 * The oldest open incident of each env whose snapshot says one is past the
 * breach age (`breachAfterMs`), so mttr_breach can name it (ties: the lowest
 * incident id), by env. A walk over the open incidents, but only when some env
 * breaches (rare): ordinary snapshots cost nothing more.
 */
export function oldestOpenPastBreach(asOf: number, snapshots: readonly MttrSnapshot[], breachAfterMs: number, openIncidents: KeyedEntries<Open>): OldestOpenIncident[] | undefined {
  const envs = new Set<string>();
  for (const s of snapshots) if (s.scope !== '*' && s.oldestOpenMs !== null && s.oldestOpenMs > breachAfterMs) envs.add(s.scope);
  if (envs.size === 0) return undefined;
  const oldest = new Map<string, OldestOpenIncident>();
  for (const [incidentId, key, open] of openIncidents.entries()) {
    if (!envs.has(open.env) || open.startedAt > asOf) continue;
    const best = oldest.get(open.env);
    if (best !== undefined && (best.startedAt < open.startedAt || (best.startedAt === open.startedAt && best.incidentId < incidentId))) continue;
    oldest.set(open.env, { env: open.env, incidentId, artifact: key.slice(open.env.length + 1), startedAt: open.startedAt });
  }
  // By env, not by when the incidents were opened or restored: a restart restores them in its changelog's order.
  return [...oldest.values()].sort((a, b) => (a.env < b.env ? -1 : a.env > b.env ? 1 : 0));
}
