/**
 * The MTTR processor's resolved incidents (whole state): those resolved in
 * the last 7 days (RETENTION_MS), in resolvedAt order (facts arrive in time
 * order), with their ids, to ignore a second resolution or a late opening of
 * an incident already counted, and the rolling figures kept in step as
 * incidents resolve and are pruned (same results as recomputing them,
 * mttr-rolling.ts).
 *
 * Split out of mttr.ts so that the list, its ids and its rolling figures,
 * which must change together (RollingRecoveries matches entries by
 * identity), change in one place; the processor decides when snapshots are
 * emitted. Nothing here runs for every fact: only for state incidents,
 * boundary crossings, departures and snapshots.
 */
import type { MttrSnapshot } from './facts.js';
import type { OpenStarts } from './mttr-open-starts.js';
import { RollingRecoveries } from './mttr-rolling.js';
import { RETENTION_MS, type Open, type Resolved } from './mttr-snapshots.js';

export class ResolvedIncidents {
  /** In resolvedAt order; pruned after 7 d. */
  private resolved: Resolved[] = [];
  private readonly ids = new Set<string>();
  /** The rolling figures, kept up to date as incidents resolve and are pruned (same results as recomputing them). */
  private readonly rolling = new RollingRecoveries();

  /** Incidents kept (resolved within 7 d of the last prune). */
  get size(): number {
    return this.resolved.length;
  }

  /** Whether incident `id` resolved (and is still kept). */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** A resolution, the latest so far. */
  add(r: Resolved): void {
    this.resolved.push(r);
    this.rolling.add(r);
    this.ids.add(r.incidentId);
  }

  /** Forgets the incidents resolved at or before `asOf` − 7 d: they no longer count in any window. */
  prune(asOf: number): void {
    const horizon = asOf - RETENTION_MS;
    let drop = 0;
    while (drop < this.resolved.length && this.resolved[drop]!.resolvedAt <= horizon) {
      this.ids.delete(this.resolved[drop]!.incidentId);
      this.rolling.drop(this.resolved[drop]!);
      drop++;
    }
    if (drop > 0) this.resolved = this.resolved.slice(drop);
  }

  /** The first departure (resolvedAt + `windowMs`) after t, or Infinity (none; no window: no departures). */
  departureAfter(t: number, windowMs: number | undefined): number {
    if (windowMs === undefined) return Infinity;
    let lo = 0;
    let hi = this.resolved.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.resolved[mid]!.resolvedAt + windowMs > t) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.resolved.length ? this.resolved[lo]!.resolvedAt + windowMs : Infinity;
  }

  /** Rolling MTTR at `asOf` of these and the `open` incidents (their starts by scope: `openStarts`). */
  snapshots(asOf: number, openStarts: OpenStarts, open: Iterable<Open>): MttrSnapshot[] {
    return this.rolling.snapshots(asOf, this.resolved, openStarts, open);
  }

  /** Plain JSON form (copies). */
  snapshot(): Resolved[] {
    return this.resolved.map((r) => ({ ...r }));
  }

  /** Replaces them all with copies of `resolved` (in resolvedAt order). */
  restore(resolved: readonly Resolved[]): void {
    this.resolved = resolved.map((r) => ({ ...r }));
    this.ids.clear();
    for (const r of this.resolved) this.ids.add(r.incidentId);
    this.rolling.reset(this.resolved);
  }
}
