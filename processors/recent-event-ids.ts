/**
 * The newest eventIds of each key, kept as keyed state so that duplicate
 * detection survives a restart, a crash or a rebalance in live mode.
 *
 * The deduplicator's memory (dedup.ts) is per process. Recovery itself never
 * needs it — processor state and input offsets are committed together — but
 * a producer that retries a send it believes failed appends the same event
 * again, usually right behind the original; when the original was processed
 * and committed before a restart (or by the instance that owned the
 * partition before a rebalance), the new engine would see the retry as a
 * first. Duplicates of an event share its key, so the ids travel with the
 * key's state: each key remembers its last `perKey` ids in its changelog
 * record, and restoring the key hands them back to the deduplicator. Each
 * id keeps its event's content digest (event-digest.ts), so that another
 * event under it is still told from a retry; an id of a record an older
 * release wrote has none, and any event under it is taken for a retry, as
 * then.
 *
 * Bounded by keys: `perKey` ids per key, and a key whose newest id fell
 * behind the dedup horizon is forgotten at the next commit (a tombstone for
 * its ids, like the deduplicator expiring them).
 */
import { DirtyKeys, type DirtyHolder, type KeyedStateStore } from './stateful.js';
import { ValidationError } from '../lib/errors.js';
import { UNKNOWN_DIGEST } from './event-digest.js';

/** One key's ids as a ring (oldest first once unrolled). */
class KeyIds implements DirtyHolder {
  dirtyEpoch?: number;
  ids: string[] = [];
  ats: number[] = [];
  digests: number[] = [];
  /** Where the next id goes once the ring is full. */
  next = 0;
  newest = Number.NEGATIVE_INFINITY;
}

/** Oldest first; the digest is left out where not known (UNKNOWN_DIGEST), as records of older releases hold none. */
export type RecentIdsSnapshot = Array<[eventId: string, at: number, digest?: number]>;

export class RecentEventIds implements KeyedStateStore {
  readonly name = 'recent-ids';
  private readonly byKey = new Map<string, KeyIds>();
  private readonly dirty = new DirtyKeys();
  private maxSeen = Number.NEGATIVE_INFINITY;
  /** maxSeen at the last sweep for keys past the horizon. */
  private sweptAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly perKey: number,
    private readonly horizonMs: number,
    /** Called with each restored id (the deduplicator remembers it); `digest` UNKNOWN_DIGEST where the record holds none. */
    private readonly onRestore: (eventId: string, at: number, digest: number) => void,
  ) {
    if (!(perKey >= 1)) throw new RangeError('perKey must be at least 1');
  }

  /** Remembers a first-seen event of `key`, with its content digest. */
  record(key: string, eventId: string, at: number, digest: number): void {
    let k = this.byKey.get(key);
    if (k === undefined) this.byKey.set(key, (k = new KeyIds()));
    if (k.ids.length < this.perKey) {
      k.ids.push(eventId);
      k.ats.push(at);
      k.digests.push(digest);
    } else {
      k.ids[k.next] = eventId;
      k.ats[k.next] = at;
      k.digests[k.next] = digest;
      k.next = (k.next + 1) % this.perKey;
    }
    if (at > k.newest) k.newest = at;
    if (at > this.maxSeen) this.maxSeen = at;
    this.dirty.markVia(k, key);
  }

  /** Dirty keys, plus keys forgotten because their newest id fell behind the horizon (swept about four times per horizon). */
  drainDirtyKeys(): string[] {
    if (this.maxSeen - this.sweptAt > this.horizonMs / 4) {
      this.sweptAt = this.maxSeen;
      const cutoff = this.maxSeen - this.horizonMs;
      for (const [key, k] of this.byKey) {
        if (k.newest >= cutoff) continue;
        this.byKey.delete(key);
        this.dirty.mark(key);
      }
    }
    return this.dirty.drain();
  }

  snapshotKey(key: string): RecentIdsSnapshot | undefined {
    const k = this.byKey.get(key);
    if (k === undefined) return undefined;
    const out: RecentIdsSnapshot = [];
    const n = k.ids.length;
    for (let i = 0; i < n; i++) {
      const j = (k.next + i) % n;
      const digest = k.digests[j]!;
      out.push(digest === UNKNOWN_DIGEST ? [k.ids[j]!, k.ats[j]!] : [k.ids[j]!, k.ats[j]!, digest]);
    }
    return out;
  }

  restoreKey(key: string, state: unknown): void {
    const entry = (e: unknown) =>
      Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number' && (e.length === 2 || (e.length === 3 && Number.isInteger(e[2])));
    if (!Array.isArray(state) || !state.every(entry)) {
      throw new ValidationError(`changelog key ${key}: ${this.name}`, 'expected an array of [eventId, time] pairs, each with its content digest (an integer) or, written by an older release, without');
    }
    this.byKey.delete(key);
    // The newest perKey, oldest first: the order they were recorded in.
    for (const [id, at, digest = UNKNOWN_DIGEST] of (state as RecentIdsSnapshot).slice(-this.perKey)) {
      this.record(key, id, at, digest);
      this.onRestore(id, at, digest);
    }
    // Restored is not changed: nothing to write back until the key sees a new event.
    this.dirty.forget(key);
  }

  dropKey(key: string): void {
    this.byKey.delete(key);
    this.dirty.forget(key);
  }

  /** Keys with remembered ids. */
  get size(): number {
    return this.byKey.size;
  }
}
