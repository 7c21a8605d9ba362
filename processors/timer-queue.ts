/**
 * Event-time timers for one processor. Timers are (time, key) pairs; firing
 * is driven by facts, never by the wall clock: before a processor handles a
 * fact at time T it calls `fireDue(T, cb)`, which pops every timer due at or
 * before T in time order, ties in key order. Ties go by key, not by when the
 * timers were scheduled, so the firing order depends only on the timers that
 * exist: a processor whose state (and timers) was restored from a changelog in
 * any order fires exactly like the one that never stopped.
 *
 * Cancelling is lazy: re-scheduling a key replaces its due time and the stale
 * heap entry is skipped when popped, so each key has at most one live timer.
 * Stale entries of far timers (a day-long expiry cancelled or moved) would
 * otherwise stay until their time: once they outnumber the live timers the
 * heap is rebuilt from the live ones (amortised O(log n) per schedule), so
 * its size is bounded by the live timers, not by how often they moved.
 */
import { MinHeap } from '../lib/min-heap.js';

interface Entry {
  time: number;
  seq: number;
  key: string;
}

/** Stale heap entries tolerated beyond the live timers before a rebuild (a small queue is never rebuilt). */
const COMPACT_SLACK = 1024;

function newHeap(): MinHeap<Entry> {
  return new MinHeap<Entry>((a, b) => a.time < b.time || (a.time === b.time && (a.key < b.key || (a.key === b.key && a.seq < b.seq))));
}

export class TimerQueue {
  private heap = newHeap();
  private readonly due = new Map<string, number>();
  private seq = 0;

  /** Schedules (or moves) the single timer of `key` to `time`. */
  schedule(key: string, time: number): void {
    if (this.due.get(key) === time) return;
    this.due.set(key, time);
    this.heap.push({ time, seq: this.seq++, key });
    if (this.heap.size > 2 * this.due.size + COMPACT_SLACK) this.compact();
  }

  /** Keeps the earlier of the current and the proposed time. */
  scheduleNoLaterThan(key: string, time: number): void {
    const current = this.due.get(key);
    if (current === undefined || time < current) this.schedule(key, time);
  }

  cancel(key: string): void {
    this.due.delete(key);
  }

  dueTime(key: string): number | undefined {
    return this.due.get(key);
  }

  get size(): number {
    return this.due.size;
  }

  /** Heap entries, stale ones included (tests: bounded by the live timers). */
  get heapEntries(): number {
    return this.heap.size;
  }

  /** Rebuilds the heap from the live timers: the firing order is the same (one live entry per key, ordered by time then key). */
  private compact(): void {
    const heap = newHeap();
    for (const [key, time] of this.due) heap.push({ time, seq: this.seq++, key });
    this.heap = heap;
  }

  /** The time of the earliest timer entry, possibly a stale one (firing it then pops it), Infinity when none. */
  get nextTime(): number {
    return this.heap.peek()?.time ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Whether a timer entry (possibly a stale one) is due at or before `now`.
   * Processors call this on every fact before `fireDue`, so the common case
   * (nothing due) costs one comparison and no callback closure.
   */
  hasDue(now: number): boolean {
    const top = this.heap.peek();
    return top !== undefined && top.time <= now;
  }

  /** Pops and reports every live timer due at or before `now`, in time then key order. Callbacks may schedule new timers. */
  fireDue(now: number, onFire: (key: string, time: number) => void): void {
    for (;;) {
      const top = this.heap.peek();
      if (!top || top.time > now) return;
      this.heap.pop();
      if (this.due.get(top.key) !== top.time) continue; // cancelled or moved
      this.due.delete(top.key);
      onFire(top.key, top.time);
    }
  }
}
