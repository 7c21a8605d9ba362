/**
 * Binary min-heap ordered by a comparator. Used for the event-time reorder
 * buffer, the timer queues and the demo generator, where pushes and pops are
 * O(log n) and run once or more per event.
 *
 * Sifting moves a hole instead of swapping pairs: each level costs one write
 * instead of two (and no destructuring temporaries), which matters on the
 * hot path. The comparisons are the same as a swapping heap's, so the pop
 * order is too (unique for a total order; ties are broken by the caller's
 * comparator, e.g. a sequence number).
 */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    const less = this.less;
    let i = a.length;
    a.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent]!;
      if (!less(item, p)) break;
      a[i] = p;
      i = parent;
    }
    a[i] = item;
  }

  pop(): T | undefined {
    const a = this.items;
    const n = a.length;
    if (n === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (n === 1) return top;
    const less = this.less;
    const size = n - 1;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && less(a[c + 1]!, a[c]!)) c++;
      if (!less(a[c]!, last)) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}
