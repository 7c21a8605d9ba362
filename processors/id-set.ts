/**
 * A set of strings for the deduplicator's hot path: one lookup-and-insert per
 * input event into a set of hundreds of thousands of event ids.
 *
 * Why not a `Set<string>`: each event brings a fresh id string, and V8's Set
 * then computes its hash in a runtime call, probes a bucket array and a
 * separate entry table, and reads the stored string to compare (several cache
 * misses into a table of many megabytes). Here the table is open addressing
 * with linear probing over one Int32Array of (hash, position) pairs: an
 * insert of a new id touches one cache line, and the stored string is only
 * read when the full 32-bit hash matches (a real duplicate, or a rare
 * collision, which the string comparison then settles exactly).
 *
 * The strings themselves live in the caller's queue (position → string via
 * `idAt`), which is where the deduplicator keeps them anyway, in insertion
 * order for expiry. Removal uses backward-shift deletion, so no tombstones
 * accumulate however many ids expire.
 */
import { fmix32 } from '../lib/fmix32.js';

export class IdSet {
  /** [hash, position + 1] per slot; position + 1 = 0 marks an empty slot. */
  private table: Int32Array;
  private mask: number;
  private count = 0;

  /** `idAt(position)` must return the string stored at `position` (the caller's queue). */
  constructor(private readonly idAt: (position: number) => string, initialCapacity = 1 << 12) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.table = new Int32Array(cap * 2);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Adds `id` (stored at `position`) unless present; returns -1 when it was added, else the position it is stored at. */
  addOrFind(id: string, hash: number, position: number): number {
    const t = this.table;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const p = t[2 * i + 1]!;
      if (p === 0) {
        t[2 * i] = hash;
        t[2 * i + 1] = position + 1;
        if (++this.count * 2 > mask + 1) this.grow();
        return -1;
      }
      if (t[2 * i] === hash && this.idAt(p - 1) === id) return p - 1;
    }
  }

  /** The position `id` is stored at, or -1. */
  find(id: string, hash: number): number {
    const t = this.table;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const p = t[2 * i + 1]!;
      if (p === 0) return -1;
      if (t[2 * i] === hash && this.idAt(p - 1) === id) return p - 1;
    }
  }

  /** Removes the entry of `id` stored at `position` (present by contract; absent is a no-op). */
  delete(hash: number, position: number): void {
    const t = this.table;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const p = t[2 * i + 1]!;
      if (p === 0) return;
      if (p === position + 1) break;
      i = (i + 1) & mask;
    }
    // Backward shift: pull later entries of the probe run into the hole when their home slot allows it.
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const p = t[2 * j + 1]!;
      if (p === 0) break;
      const home = t[2 * j]! & mask;
      // Keep j where it is when its home lies cyclically in (i, j].
      if (i <= j ? i < home && home <= j : i < home || home <= j) continue;
      t[2 * i] = t[2 * j]!;
      t[2 * i + 1] = p;
      i = j;
    }
    t[2 * i] = 0;
    t[2 * i + 1] = 0;
    this.count--;
  }

  /** Renumbers every position by `-shift` (the caller dropped `shift` entries from the front of its queue). */
  rebase(shift: number): void {
    const t = this.table;
    for (let i = 1; i < t.length; i += 2) if (t[i] !== 0) t[i] = t[i]! - shift;
  }

  clear(): void {
    this.table.fill(0);
    this.count = 0;
  }

  private grow(): void {
    const old = this.table;
    const cap = (this.mask + 1) * 2;
    const t = new Int32Array(cap * 2);
    const mask = cap - 1;
    for (let k = 0; k < old.length; k += 2) {
      const p = old[k + 1]!;
      if (p === 0) continue;
      let i = old[k]! & mask;
      while (t[2 * i + 1] !== 0) i = (i + 1) & mask;
      t[2 * i] = old[k]!;
      t[2 * i + 1] = p;
    }
    this.table = t;
    this.mask = mask;
  }
}

/** 32-bit FNV-1a of the string's UTF-16 code units, with a final avalanche so the low bits (the table index) mix well. */
export function hashId(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}
