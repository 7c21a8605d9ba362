/**
 * The offsets of one input partition that the offset tracker keeps: consumed
 * and not yet processed ("pending"), and processed ("done"). Two flags per
 * offset in a byte array over the span that holds any (from the oldest kept
 * to the newest): every record sets and clears them, and two Sets of numbers
 * (one add and one delete per record each, tens of thousands of entries
 * between commits) cost about as much as the rest of the live bookkeeping.
 *
 * Memory: one byte per offset of the span — records between the oldest one
 * the orderer still holds and the newest consumed, and the offsets that never
 * come between them (transaction markers, a compacted stretch, a jump) — in
 * an array of up to twice the span, as it doubles when the span outgrows it.
 * So about 2N bytes for a span of N offsets, 1 KiB at least; a Set held only
 * the offsets present. The array is given back when a drop (at each
 * checkpoint) leaves the span at under a quarter of it: a span of millions
 * (a record held across a jump of the log) does not keep its megabytes once
 * that record is processed.
 */
const PENDING = 1;
const DONE = 2;
const INITIAL_CAPACITY = 1024;

export class OffsetWindow {
  /** Offset of flags[0]. */
  private base = 0;
  private flags = new Uint8Array(0);
  /** Offsets with a flag set are all within [base, base + end). */
  private end = 0;
  private pending = 0;

  get pendingCount(): number {
    return this.pending;
  }

  /** Bytes the window holds now (tests of its bound). */
  get bytes(): number {
    return this.flags.length;
  }

  /** Marks `offset` consumed, not processed (a Set add: once is enough). */
  addPending(offset: number): void {
    const i = this.cover(offset);
    const f = this.flags[i]!;
    if ((f & PENDING) === 0) {
      this.flags[i] = f | PENDING;
      this.pending++;
    }
  }

  /** If `offset` is pending: done instead (true). Otherwise nothing changes (false). */
  pendingToDone(offset: number): boolean {
    const i = offset - this.base;
    if (i < 0 || i >= this.end) return false;
    const f = this.flags[i]!;
    if ((f & PENDING) === 0) return false;
    this.flags[i] = (f & ~PENDING) | DONE;
    this.pending--;
    return true;
  }

  addDone(offset: number): void {
    const i = this.cover(offset);
    this.flags[i] = this.flags[i]! | DONE;
  }

  /** The lowest pending offset below `limit`, else `limit`. */
  firstPendingBelow(limit: number): number {
    if (this.pending === 0) return limit;
    const flags = this.flags;
    const stop = Math.min(this.end, limit - this.base);
    for (let i = 0; i < stop; i++) if ((flags[i]! & PENDING) !== 0) return this.base + i;
    return limit;
  }

  /** Forgets every done offset below `offset` (nothing pending may be below it). */
  dropDoneBelow(offset: number): void {
    const n = offset - this.base;
    if (n <= 0) return;
    if (n >= this.end) {
      this.flags.fill(0, 0, this.end);
      this.base = offset;
      this.end = 0;
    } else {
      this.flags.copyWithin(0, n, this.end);
      this.flags.fill(0, this.end - n, this.end);
      this.base = offset;
      this.end -= n;
    }
    // Room for twice the span again (see the module comment), not at every drop: only once it is a quarter of it.
    if (this.flags.length > INITIAL_CAPACITY && this.end * 4 < this.flags.length) {
      this.flags = this.flags.slice(0, Math.max(INITIAL_CAPACITY, this.end * 2));
    }
  }

  /** The done offsets, ascending. */
  done(): number[] {
    const out: number[] = [];
    const flags = this.flags;
    for (let i = 0; i < this.end; i++) if ((flags[i]! & DONE) !== 0) out.push(this.base + i);
    return out;
  }

  /** The index of `offset`, making room for it. */
  private cover(offset: number): number {
    let i = offset - this.base;
    if (i >= 0 && i < this.flags.length) {
      if (i >= this.end) this.end = i + 1;
      return i;
    }
    // Outside: first shrink the span to the offsets kept, so a gap in the log costs nothing once passed.
    const first = this.firstKept();
    if (first === -1) {
      this.base = offset;
      this.end = 0;
    } else if (first > 0) {
      this.flags.copyWithin(0, first, this.end);
      this.flags.fill(0, this.end - first, this.end);
      this.base += first;
      this.end -= first;
    }
    const low = Math.min(this.base, offset);
    const size = Math.max(this.base + this.end, offset + 1) - low;
    if (size > this.flags.length || low < this.base) {
      const flags = new Uint8Array(Math.max(INITIAL_CAPACITY, size * 2));
      flags.set(this.flags.subarray(0, this.end), this.base - low);
      this.flags = flags;
      this.end += this.base - low;
      this.base = low;
    }
    i = offset - this.base;
    if (i >= this.end) this.end = i + 1;
    return i;
  }

  /** Index of the first offset with a flag, -1 if none. */
  private firstKept(): number {
    const flags = this.flags;
    for (let i = 0; i < this.end; i++) if (flags[i] !== 0) return i;
    return -1;
  }
}
