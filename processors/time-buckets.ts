/**
 * A priority queue for near-sorted items with a time (a calendar queue): the
 * event-time orderer's buffer.
 *
 * Items go into buckets of `widthMs` of event time, unsorted. A bucket is
 * sorted (TimSort, which is close to linear on the nearly sorted runs an
 * event stream arrives in) only when it becomes the lowest one, i.e. when
 * its items are about to be released. Compared with a binary heap that is a
 * few comparisons per item instead of ~2 log n, and no sifting at all.
 *
 * Pops come out in the order `less` defines (a strict weak order), and
 * items it does not order (neither is less than the other) in the order they
 * were pushed, so the order is unique without a sequence number in each
 * item: bucket order agrees with time order, a bucket keeps its items in
 * push order until it is sorted by `less` with a stable sort, and an item
 * pushed into the lowest bucket after it was sorted is inserted by binary
 * search after the items it does not precede.
 */
import { MinHeap } from '../lib/min-heap.js';

interface Bucket<T> {
  items: T[];
  /** Items before `head` were popped. */
  head: number;
  /** Whether items[head..] are in `less` order. */
  sorted: boolean;
}

export class TimeBuckets<T> {
  private readonly buckets = new Map<number, Bucket<T>>();
  /** Indexes of the non-empty buckets (each once). */
  private readonly order = new MinHeap<number>((a, b) => a < b);
  /** The lowest bucket, cached between pops (undefined: look it up). */
  private low: Bucket<T> | undefined;
  private lowIndex = Number.NaN;
  private count = 0;
  /** The bucket of the last push: consecutive items mostly share one, found then without a map lookup. */
  private lastIndex = Number.NaN;
  private lastBucket: Bucket<T> | undefined;
  private readonly compare: (a: T, b: T) => number;

  constructor(
    private readonly less: (a: T, b: T) => boolean,
    private readonly timeOf: (item: T) => number,
    private readonly widthMs = 1000,
  ) {
    // 0 for items `less` does not order: Array.prototype.sort is stable, so they keep their push order.
    this.compare = (a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    const index = Math.floor(this.timeOf(item) / this.widthMs);
    let bucket = index === this.lastIndex ? this.lastBucket : this.buckets.get(index);
    if (bucket === undefined) {
      bucket = { items: [item], head: 0, sorted: true };
      this.buckets.set(index, bucket);
      this.order.push(index);
      if (index < this.lowIndex) this.low = undefined;
    } else if (bucket.sorted && bucket === this.low) {
      insertSorted(bucket, item, this.less);
    } else {
      const items = bucket.items;
      // Appending in order keeps a bucket sorted (the common in-order case).
      if (bucket.sorted && !this.less(item, items[items.length - 1]!)) items.push(item);
      else {
        items.push(item);
        bucket.sorted = false;
      }
    }
    this.count++;
    this.lastIndex = index;
    this.lastBucket = bucket;
  }

  /** The smallest item, without removing it. */
  peek(): T | undefined {
    const bucket = this.lowest();
    return bucket?.items[bucket.head];
  }

  pop(): T | undefined {
    const bucket = this.lowest();
    if (bucket === undefined) return undefined;
    const item = bucket.items[bucket.head]!;
    bucket.items[bucket.head] = undefined as T; // let it be collected
    bucket.head++;
    this.count--;
    if (bucket.head === bucket.items.length) {
      this.buckets.delete(this.lowIndex);
      if (bucket === this.lastBucket) {
        this.lastBucket = undefined;
        this.lastIndex = Number.NaN;
      }
      this.order.pop();
      this.low = undefined;
      this.lowIndex = Number.NaN;
    }
    return item;
  }

  private lowest(): Bucket<T> | undefined {
    if (this.low !== undefined) return this.low;
    const index = this.order.peek();
    if (index === undefined) return undefined;
    const bucket = this.buckets.get(index)!;
    if (!bucket.sorted) {
      // A bucket popped from, then overtaken by a lower one, may have grown unsorted: drop its popped slots first.
      if (bucket.head > 0) {
        bucket.items = bucket.items.slice(bucket.head);
        bucket.head = 0;
      }
      bucket.items.sort(this.compare);
      bucket.sorted = true;
    }
    this.low = bucket;
    this.lowIndex = index;
    return bucket;
  }
}

/** Binary-search insertion into the unpopped, sorted part of a bucket, after every item that `item` does not precede (pushed before it). */
function insertSorted<T>(bucket: Bucket<T>, item: T, less: (a: T, b: T) => boolean): void {
  const items = bucket.items;
  let lo = bucket.head;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (less(item, items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  items.splice(lo, 0, item);
}
