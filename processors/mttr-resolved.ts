/**
 * The MTTR processor's resolved incidents (whole state): those resolved in
 * the last 7 days (RETENTION_MS), in resolvedAt order (facts arrive in time
 * order), with their ids, to ignore a second resolution or a late opening of
 * an incident already counted, and the rolling figures kept in step as
 * incidents resolve and are pruned (same results as recomputing them,
 * mttr-rolling.ts).
 *
 * Bounded: at most `exactKept` (EXACT_RESOLVED_KEPT) are kept one by one —
 * then the figures are exact — and the older ones past that are folded into
 * time bins (mttr-folded.ts: what that gives up is said there), a batch at a
 * time (an eighth of the bound), so the list is not copied at every
 * resolution.
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
import { FoldedRecoveries, type FoldedSnapshot } from './mttr-folded.js';
import { RETENTION_MS, type Open, type Resolved } from './mttr-snapshots.js';

/**
 * Resolved incidents kept one by one (the last 7 days' on an instance): far
 * above what a fleet resolves in a week (hundreds), so the figures of real
 * incidents are exact.
 */
export const EXACT_RESOLVED_KEPT = 10_000;

export class ResolvedIncidents {
  /** In resolvedAt order; pruned after 7 d, the oldest folded past `exactKept` + a batch. */
  private resolved: Resolved[] = [];
  private readonly ids = new Set<string>();
  /** The rolling figures, kept up to date as incidents resolve and are pruned (same results as recomputing them). */
  private readonly rolling = new RollingRecoveries();
  /** Those no longer kept one by one. */
  private readonly folded = new FoldedRecoveries();
  private readonly foldAbove: number;

  constructor(private readonly exactKept = EXACT_RESOLVED_KEPT) {
    this.foldAbove = exactKept + Math.ceil(exactKept / 8);
  }

  /** Incidents kept one by one (resolved within 7 d of the last prune). */
  get size(): number {
    return this.resolved.length;
  }

  /** Time bins of folded incidents held (tests, metrics: the bound). */
  get foldedBins(): number {
    return this.folded.binCount;
  }

  /** Whether any incident resolved in the 7 days up to `asOf` is kept, one by one or folded. */
  holdsAt(asOf: number): boolean {
    this.prune(asOf);
    return this.resolved.length > 0 || this.folded.holdsAt(asOf);
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
    if (this.resolved.length > this.foldAbove) this.fold(this.resolved.length - this.exactKept);
  }

  /** Folds the `count` oldest: their recoveries go into bins, their ids are forgotten. */
  private fold(count: number): void {
    for (let i = 0; i < count; i++) {
      const r = this.resolved[i]!;
      this.ids.delete(r.incidentId);
      this.rolling.drop(r);
      this.folded.add(r);
    }
    this.resolved = this.resolved.slice(count);
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
    return this.rolling.snapshots(asOf, this.resolved, openStarts, open, this.folded);
  }

  /** Plain JSON form (copies) of those kept one by one. */
  snapshot(): Resolved[] {
    return this.resolved.map((r) => ({ ...r }));
  }

  /** Plain JSON form of the folded ones; undefined when there are none. */
  foldedSnapshot(): FoldedSnapshot | undefined {
    return this.folded.isEmpty ? undefined : this.folded.snapshot();
  }

  /**
   * Replaces them all with copies of `resolved` (in resolvedAt order) and the
   * `folded` ones (none in a snapshot from before they were folded: one that
   * holds more than the bound folds the oldest at once).
   */
  restore(resolved: readonly Resolved[], folded: FoldedSnapshot = []): void {
    this.resolved = resolved.map((r) => ({ ...r }));
    this.ids.clear();
    for (const r of this.resolved) this.ids.add(r.incidentId);
    this.rolling.reset(this.resolved);
    this.folded.restore(folded);
    if (this.resolved.length > this.foldAbove) this.fold(this.resolved.length - this.exactKept);
  }
}
