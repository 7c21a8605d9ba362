/**
 * How many instances of each fingerprint began at an instant event time has
 * not passed yet, for AlertEmission.instantOrdinal (alert-id.ts): a second
 * instance of a fingerprint begun in the same millisecond as an earlier one
 * (a condition that ended and began again within it) gets 1, so its ids
 * differ from the first's. A count goes once event time has passed its
 * instant (facts come in nondecreasing time: no instance begins then any
 * more), and its key's record changes then (`onPassed`).
 *
 * Part of the live-mode state, with the key the fingerprint belongs to (its
 * keyed rule's input key; undefined: a per-env rule's, the instance's own
 * share). Kept in memory only, as it was, a restart between two such
 * instances — a commit between two late snapshots judged at one frontier that
 * has not moved, then a crash — numbered the second 0 again: the first's ids,
 * which a consumer deduplicating on alertId dropped and the alerts table
 * collapsed with the first's row (test/unit/live/same-instant-alert-restart).
 * Written as `instantStarts` in the alerting part of the key's record (or of
 * the whole state) only while there are counts: other records are as earlier
 * releases wrote them, and those releases ignore the field.
 */

/** [fingerprint, instant (ms), instances begun then], in fingerprint order. */
export type InstantStartsSnapshot = Array<[string, number, number]>;

interface Starts {
  at: number;
  count: number;
  key: string | undefined;
}

export class InstantStarts {
  private readonly starts = new Map<string, Starts>();
  /** The earliest instant counted (+Infinity: none), so `passed` costs one comparison per fact. */
  private earliest = Number.POSITIVE_INFINITY;

  /** `onPassed`: told of the key of each count `passed` drops (its live-mode record changed). */
  constructor(private readonly onPassed: (key: string | undefined) => void = () => {}) {}

  /**
   * Event time reached `at`: no instance can begin before it any more, so the
   * counts of earlier instants go. (The processor calls this once the timers
   * due before a fact have fired, at their own times.)
   */
  passed(at: number): void {
    if (at <= this.earliest) return;
    this.earliest = Number.POSITIVE_INFINITY;
    for (const [fp, s] of this.starts) {
      if (s.at < at) {
        this.starts.delete(fp);
        this.onPassed(s.key);
      } else this.earliest = Math.min(this.earliest, s.at);
    }
  }

  /** The ordinal of an instance of `fingerprint` (of `key`) beginning at `at`: how many began then before it. */
  next(at: number, fingerprint: string, key: string | undefined): number {
    this.passed(at);
    const ordinal = this.starts.get(fingerprint)?.count ?? 0;
    this.set(fingerprint, { at, count: ordinal + 1, key });
    return ordinal;
  }

  /** The counts of `key`'s fingerprints (undefined: the per-env ones); undefined when there are none. */
  snapshot(key: string | undefined): InstantStartsSnapshot | undefined {
    const out: InstantStartsSnapshot = [];
    for (const [fp, s] of this.starts) if (s.key === key) out.push([fp, s.at, s.count]);
    return out.length === 0 ? undefined : out.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  }

  /** Puts back what `snapshot(key)` gave (none: nothing). */
  restore(key: string | undefined, snapshot: InstantStartsSnapshot | undefined): void {
    for (const [fp, at, count] of snapshot ?? []) this.set(fp, { at, count, key });
  }

  /** Forgets the counts of `key`'s fingerprints (its state moved away, or is about to be restored). */
  drop(key: string | undefined): void {
    for (const [fp, s] of this.starts) if (s.key === key) this.starts.delete(fp);
  }

  private set(fingerprint: string, starts: Starts): void {
    this.starts.set(fingerprint, starts);
    this.earliest = Math.min(this.earliest, starts.at);
  }
}
