/**
 * A key's grace entries (desired-state.ts): at most one per digest (null =
 * any digest), each making its digest acceptable while t < until.
 *
 * Kept by digest, with the earliest end, because a key may hold many: one per
 * distinct digest of a promotion that failed, was rolled back or superseded
 * within one DRIFTWATCH_CONVERGENCE_GRACE, and none may be forgotten before
 * its end (README, memory). Every observation asks whether its digest is
 * acceptable, and every evaluation prunes and asks for the next boundary; a
 * list scanned each time made a flood of failed promotions cost its key's
 * every observation once per entry. Now a lookup is two Map gets, and pruning
 * and the next boundary look at the entries only once the earliest has ended.
 */
export interface GraceEntry {
  /** null = any digest (first desired state, see desired-state.ts). */
  digest: string | null;
  /** Acceptable while t < until. */
  until: number;
  cause: 'superseded' | 'failed' | 'rolled_back' | 'initial';
}

export class GraceEntries {
  /** Insertion order is the order entries were first added (the snapshot order of the list this replaced). */
  private readonly byDigest = new Map<string | null, GraceEntry>();
  /** The earliest `until` of the entries, exactly (+Infinity when none). */
  private earliest = Number.POSITIVE_INFINITY;

  get size(): number {
    return this.byDigest.size;
  }

  /** One entry per digest, keeping the later end (and that end's cause). */
  add(digest: string | null, until: number, cause: GraceEntry['cause']): void {
    const existing = this.byDigest.get(digest);
    if (existing === undefined) {
      this.byDigest.set(digest, { digest, until, cause });
      if (until < this.earliest) this.earliest = until;
      return;
    }
    if (until <= existing.until) return;
    const wasEarliest = existing.until === this.earliest;
    existing.until = until;
    existing.cause = cause;
    if (wasEarliest) this.earliest = this.minUntil(); // rare: re-adding the digest whose grace ends first
  }

  /** Whether an entry makes `digest` acceptable at t: its own, or the any-digest one. */
  accepts(digest: string, t: number): boolean {
    if (this.byDigest.size === 0) return false;
    const own = this.byDigest.get(digest);
    if (own !== undefined && t < own.until) return true;
    const any = this.byDigest.get(null);
    return any !== undefined && t < any.until;
  }

  /** Earliest end after t, if any. */
  nextEndAfter(t: number): number | undefined {
    if (this.earliest > t) return this.earliest === Number.POSITIVE_INFINITY ? undefined : this.earliest;
    let next = Number.POSITIVE_INFINITY; // not pruned up to t: look past the ended ones
    for (const g of this.byDigest.values()) if (g.until > t && g.until < next) next = g.until;
    return next === Number.POSITIVE_INFINITY ? undefined : next;
  }

  /** Drops the entries ended at or before t (they make nothing acceptable at or after it). */
  prune(t: number): void {
    if (this.earliest > t) return;
    for (const [digest, g] of this.byDigest) if (g.until <= t) this.byDigest.delete(digest);
    this.earliest = this.minUntil();
  }

  snapshot(): GraceEntry[] {
    return [...this.byDigest.values()].map((g) => ({ ...g }));
  }

  /** From a snapshot's list (copied; a repeated digest keeps its later end, as `add` would have). */
  static restore(entries: readonly GraceEntry[]): GraceEntries {
    const restored = new GraceEntries();
    for (const g of entries) restored.add(g.digest, g.until, g.cause);
    return restored;
  }

  private minUntil(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const g of this.byDigest.values()) if (g.until < min) min = g.until;
    return min;
  }
}
