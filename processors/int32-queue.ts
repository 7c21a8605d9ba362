/**
 * A growable column of 32-bit integers for the deduplicator's queue (dedup.ts:
 * id hashes and content digests, one per remembered id). A `number[]` holds
 * each as a tagged 8-byte slot; an Int32Array holds 4 bytes: at the default
 * bound of a million remembered ids the two columns take 8 MB less each
 * (with growth slack, more). Appends at the end, drops from the front when the
 * deduplicator compacts its queue.
 */
export class Int32Queue {
  private buf: Int32Array;
  private size = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Int32Array(initialCapacity);
  }

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.buf.length) {
      const grown = new Int32Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.size++] = value;
  }

  /** The value at `index` (< length). */
  at(index: number): number {
    return this.buf[index]!;
  }

  /** Drops the first `count` values; the others move to the front. */
  dropFront(count: number): void {
    this.buf.copyWithin(0, count, this.size);
    this.size -= count;
  }
}
