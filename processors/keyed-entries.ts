/**
 * Entries by id that live under a key `<env>/<artifact>`, for processors
 * whose other state is whole (per env) but some of whose entries belong to
 * one key and must move with its partition (KeyedStateStore): the MTTR
 * processor's open incidents, the promotion windows' start times.
 *
 * Changes through `set` and `delete` mark the key dirty (its changelog record
 * is rewritten); `restoreKey` and `dropKey` do not (the record is what was
 * read, or the key is no longer this member's). Timers stay with the caller,
 * who cancels them for what `delete`, `restoreKey` and `dropKey` remove.
 */
import { DirtyKeys } from './stateful.js';

/** Told of every value that enters or leaves the entries (an index kept beside them). */
export interface KeyedEntriesListener<V> {
  added(value: V): void;
  removed(value: V): void;
}

/** [id, time] entries oldest first, ties by id: the order KeyedEntries.oldestOf picks in. */
export function byTimeThenId(a: readonly [string, number], b: readonly [string, number]): number {
  return a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

export class KeyedEntries<V> {
  private readonly byId = new Map<string, { key: string; value: V }>();
  private readonly byKey = new Map<string, Set<string>>();
  private readonly dirty = new DirtyKeys();

  constructor(private readonly listener?: KeyedEntriesListener<V>) {}

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): V | undefined {
    return this.byId.get(id)?.value;
  }

  *values(): IterableIterator<V> {
    for (const e of this.byId.values()) yield e.value;
  }

  /** Every entry with its id and key. */
  *entries(): IterableIterator<[id: string, key: string, value: V]> {
    for (const [id, e] of this.byId) yield [id, e.key, e.value];
  }

  /** Adds or replaces the entry `id` under `key`. */
  set(id: string, key: string, value: V): void {
    this.remove(id, true);
    this.add(id, key, value);
    this.dirty.mark(key);
  }

  /** Removes the entry `id`; false when there was none. */
  delete(id: string): boolean {
    return this.remove(id, true);
  }

  /** How many entries are under `key`. */
  countOf(key: string): number {
    return this.byKey.get(key)?.size ?? 0;
  }

  /**
   * The id under `key` whose value is the oldest by `timeOf`, ties to the
   * smallest id (if any): an order of what the entries hold, not of when they
   * were set, so it is the same after a restore (which sets them in another
   * order) as in a run that was not interrupted. A scan of the key's entries.
   */
  oldestOf(key: string, timeOf: (value: V) => number): string | undefined {
    const ids = this.byKey.get(key);
    if (ids === undefined) return undefined;
    let oldest: string | undefined;
    let oldestAt = Infinity;
    for (const id of ids) {
      const at = timeOf(this.byId.get(id)!.value);
      if (oldest === undefined || at < oldestAt || (at === oldestAt && id < oldest)) {
        oldest = id;
        oldestAt = at;
      }
    }
    return oldest;
  }

  /** The ids under `key`, sorted (stable changelog records). */
  idsOf(key: string): string[] {
    return [...(this.byKey.get(key) ?? [])].sort();
  }

  /** Replaces the entries under `key` with `entries`; returns the ids it removed. */
  restoreKey(key: string, entries: Iterable<readonly [string, V]>): string[] {
    const removed = this.removeKey(key);
    for (const [id, value] of entries) {
      this.remove(id, false);
      this.add(id, key, value);
    }
    return removed;
  }

  /** Forgets the entries under `key` (its partition was revoked); returns their ids. */
  dropKey(key: string): string[] {
    const removed = this.removeKey(key);
    this.dirty.forget(key);
    return removed;
  }

  drainDirtyKeys(): string[] {
    return this.dirty.drain();
  }

  private add(id: string, key: string, value: V): void {
    this.byId.set(id, { key, value });
    this.listener?.added(value);
    let ids = this.byKey.get(key);
    if (!ids) this.byKey.set(key, (ids = new Set()));
    ids.add(id);
  }

  private remove(id: string, markDirty: boolean): boolean {
    const e = this.byId.get(id);
    if (!e) return false;
    this.byId.delete(id);
    this.listener?.removed(e.value);
    const ids = this.byKey.get(e.key);
    ids?.delete(id);
    if (ids?.size === 0) this.byKey.delete(e.key);
    if (markDirty) this.dirty.mark(e.key);
    return true;
  }

  private removeKey(key: string): string[] {
    const ids = [...(this.byKey.get(key) ?? [])];
    for (const id of ids) {
      const e = this.byId.get(id);
      this.byId.delete(id);
      if (e) this.listener?.removed(e.value);
    }
    this.byKey.delete(key);
    return ids;
  }
}
