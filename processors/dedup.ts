/**
 * Deduplication by eventId (SPEC §3: duplicates are processed once), with
 * bounded memory. Ids are remembered with their event time in insertion order
 * (a queue beside the id set), which gives two cheap bounds:
 *
 * - horizon: an id is forgotten once its event time is more than
 *   `dedupHorizonMs` behind the largest event time seen — or, for the
 *   pipeline's deduplicator (`horizonFrom: 'frontier'`), behind the
 *   event-time frontier it is told of (`expireBehind`). Live mode reads
 *   partitions at different event times (a backlog, a sparse topic beside a
 *   dense one), and the newest event of one partition says nothing about
 *   another's: a producer retry right behind its original in a partition an
 *   hour behind the newest was forgotten and processed twice, where one
 *   replay of the same events drops it. The frontier is the minimum over the
 *   partitions, so a lagging partition's ids live as long as its events are
 *   not late. Expiry scans from the
 *   oldest-inserted end and stops at the first id still inside the horizon, so
 *   an id that arrived out of order may be kept a little longer than the
 *   horizon (until the ids inserted before it expire) but never less: a
 *   duplicate within the horizon is always caught.
 * - size: never more than `dedupMaxEntries` ids; the oldest-inserted go first
 *   and are counted as `evicted` (a metric worth alerting on: if it grows, the
 *   horizon is too long for the traffic and duplicates may slip through).
 *
 * `snapshot()`/`restore()` expose the whole set (newest `DEDUP_SNAPSHOT_MAX_ENTRIES`
 * ids) for tools and tests. Live mode does not persist the whole set: in
 * live mode crash recovery does not rely on dedup — processor state and
 * input offsets are committed together, so a restarted engine resumes
 * exactly after what its state covers and never re-processes a committed
 * record. What dedup still guards against after a restart or a rebalance is
 * a producer retrying a send, whose duplicate arrives close behind the
 * original; live mode keeps each key's newest ids with the key's state
 * (recent-event-ids.ts), which moves with the key's partition, and hands
 * them back through `rememberId` when the key is restored.
 */
import { defer, filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { ProcessingOptions } from '../config/processing-options.js';
import type { Envelope } from './facts.js';
import type { WholeStateStore } from './stateful.js';
import { IdSet, hashId } from './id-set.js';

/** At most this many ids (the newest inserted) go into a snapshot; see the module comment. */
export const DEDUP_SNAPSHOT_MAX_ENTRIES = 20_000;

export type DedupOptions = Pick<ProcessingOptions, 'dedupHorizonMs' | 'dedupMaxEntries'>;

/** [eventId, event time in epoch ms], oldest-inserted first. */
export type DedupEntry = [eventId: string, at: number];

export class EventDeduplicator implements WholeStateStore {
  /**
   * Remembered eventIds: a hash table over positions in the queue below
   * (see id-set.ts for why not a Set<string>; it is the hot path).
   */
  private readonly seen = new IdSet((position) => this.ids[position]!);
  /**
   * Insertion order as a queue (ids, times and id hashes in parallel arrays,
   * live part from `head`). Not Map iteration: V8 keeps deleted Map entries
   * as holes until it rehashes, so scanning a Map from its oldest end after
   * many deletions costs O(deleted) per scan.
   */
  private ids: string[] = [];
  private ats: number[] = [];
  private hashes: number[] = [];
  private head = 0;
  private readonly horizonMs: number;
  private readonly maxEntries: number;
  private maxSeen = -Infinity;
  private duplicateCount = 0;
  private evictedCount = 0;
  private expiredCount = 0;

  /** What the horizon is measured from: the newest event time seen, or the frontier given to `expireBehind`. */
  private readonly horizonFrom: 'newest' | 'frontier';

  constructor(options: DedupOptions, horizonFrom: 'newest' | 'frontier' = 'newest') {
    if (!(options.dedupMaxEntries >= 1)) throw new RangeError('dedupMaxEntries must be at least 1');
    if (!(options.dedupHorizonMs >= 0)) throw new RangeError('dedupHorizonMs must be >= 0');
    this.horizonMs = options.dedupHorizonMs;
    this.maxEntries = options.dedupMaxEntries;
    this.horizonFrom = horizonFrom;
  }

  /** Event time has reached `frontier` (`horizonFrom: 'frontier'`): forgets the ids more than the horizon behind it. */
  expireBehind(frontier: number): void {
    // The end of input (+Infinity) forgets nothing: a copy read after it is still the same event.
    if (this.horizonFrom !== 'frontier' || !Number.isFinite(frontier)) return;
    this.expireBefore(frontier - this.horizonMs);
  }

  /** Forgets from the oldest-inserted end; stops at the first id inside the horizon. */
  private expireBefore(cutoff: number): void {
    while (this.head < this.ids.length && this.ats[this.head]! < cutoff) {
      this.forgetOldest();
      this.expiredCount++;
    }
    this.compact();
  }

  /** True when the envelope's eventId was seen (and is still remembered); otherwise remembers it and returns false. */
  isDuplicate(envelope: Envelope): boolean {
    const id = envelope.event.eventId;
    const hash = hashId(id);
    // One probe for both the test and the insert; the id goes at the end of the queue.
    if (!this.seen.add(id, hash, this.ids.length)) {
      this.duplicateCount++;
      return true;
    }
    this.remember(id, hash, envelope.at);
    return false;
  }

  /** Queues an id already added to `seen` (at the queue's end), then applies the horizon and size bounds. */
  private remember(id: string, hash: number, at: number): void {
    this.ids.push(id);
    this.ats.push(at);
    this.hashes.push(hash);
    if (at > this.maxSeen) {
      this.maxSeen = at;
      if (this.horizonFrom === 'newest') this.expireBefore(at - this.horizonMs);
    }
    if (this.seen.size > this.maxEntries) {
      this.forgetOldest();
      this.evictedCount++;
    }
    this.compact();
  }

  private forgetOldest(): void {
    this.seen.delete(this.hashes[this.head]!, this.head);
    this.ids[this.head] = undefined as unknown as string; // the string can go now, not at the next compaction
    this.head++;
  }

  /** Drops the forgotten prefix of the queue once it is most of it; amortised O(1) per id. */
  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.ids.length) {
      this.ids = this.ids.slice(this.head);
      this.ats = this.ats.slice(this.head);
      this.hashes = this.hashes.slice(this.head);
      this.seen.rebase(this.head);
      this.head = 0;
    }
  }

  /** Duplicates dropped so far. */
  get duplicates(): number {
    return this.duplicateCount;
  }

  /** Ids forgotten early because of the size bound. */
  get evicted(): number {
    return this.evictedCount;
  }

  /** Ids forgotten because they fell behind the horizon. */
  get expired(): number {
    return this.expiredCount;
  }

  /** Ids currently remembered. */
  get size(): number {
    return this.seen.size;
  }

  /** The newest `limit` remembered ids with their event times, oldest-inserted first. */
  snapshot(limit: number = DEDUP_SNAPSHOT_MAX_ENTRIES): DedupEntry[] {
    const out: DedupEntry[] = [];
    for (let i = Math.max(this.head, this.ids.length - limit); i < this.ids.length; i++) out.push([this.ids[i]!, this.ats[i]!]);
    return out;
  }

  /** Replaces the remembered ids with a snapshot (counters are kept: they describe this process). */
  restore(entries: Iterable<readonly [string, number]>): void {
    this.seen.clear();
    this.ids = [];
    this.ats = [];
    this.hashes = [];
    this.head = 0;
    this.maxSeen = -Infinity;
    for (const [id, at] of entries) this.rememberId(id, at);
  }

  /** Remembers an id seen before this process (live mode restores a key's recent ids, see recent-event-ids.ts); not counted. */
  rememberId(eventId: string, at: number): void {
    const hash = hashId(eventId);
    if (this.seen.add(eventId, hash, this.ids.length)) this.remember(eventId, hash, at);
  }
}

/**
 * Drops envelopes whose eventId was already seen. Pass options for a fresh
 * deduplicator per subscription, or an instance to read its counters (metrics)
 * or snapshot it. `onDuplicate` sees each dropped envelope (metrics, audit).
 */
export function dedupByEventId(
  options: DedupOptions | EventDeduplicator,
  onDuplicate?: (envelope: Envelope) => void,
): MonoTypeOperatorFunction<Envelope> {
  return (source) =>
    defer(() => {
      const dedup = options instanceof EventDeduplicator ? options : new EventDeduplicator(options);
      return source.pipe(
        filter((envelope) => {
          if (!dedup.isDuplicate(envelope)) return true;
          onDuplicate?.(envelope);
          return false;
        }),
      );
    });
}
