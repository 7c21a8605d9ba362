/**
 * A multiset of times that keeps its earliest at hand: each time is added
 * once per thing that has it (a rolling-window sample's departure) and
 * removed when that thing goes. Adding and removing cost O(log d), d the
 * number of distinct times held; finding the earliest after its last
 * holder went costs the same per distinct time dropped. The callers held
 * many things at few distinct times (every env's sample of one 5-minute
 * window departs at the same instant), and scanning all of them after each
 * change made a window's close quadratic in the number of envs.
 */
import { MinHeap } from './min-heap.js';

export class EarliestTimes {
  /** How many holders each time has; a time at 0 is still in the heap until it comes to the top. */
  private readonly counts = new Map<number, number>();
  /** Each time of `counts` once. */
  private readonly heap = new MinHeap<number>((a, b) => a < b);

  add(time: number): void {
    const count = this.counts.get(time);
    if (count === undefined) this.heap.push(time);
    this.counts.set(time, (count ?? 0) + 1);
  }

  /** Removes one holder of `time`; it must have been added (more often than removed). */
  remove(time: number): void {
    const count = this.counts.get(time);
    if (count === undefined || count === 0) throw new Error(`EarliestTimes.remove(${time}): no such time held`);
    this.counts.set(time, count - 1);
  }

  /** The earliest time held, Infinity when none. */
  get earliest(): number {
    for (;;) {
      const top = this.heap.peek();
      if (top === undefined) return Number.POSITIVE_INFINITY;
      if (this.counts.get(top)! > 0) return top;
      this.heap.pop();
      this.counts.delete(top);
    }
  }

  /**
   * Forgets the earliest time, whatever its holders: for a caller that knows nothing holds it any more but its
   * count says otherwise (its bookkeeping out of step: a bug it recovers from rather than being stuck on that time).
   */
  discardEarliest(): void {
    const top = this.earliest;
    if (top === Number.POSITIVE_INFINITY) return;
    this.heap.pop();
    this.counts.delete(top);
  }

  clear(): void {
    this.counts.clear();
    while (this.heap.size > 0) this.heap.pop();
  }
}
