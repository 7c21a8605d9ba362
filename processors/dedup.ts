/**
 * Deduplication by eventId (SPEC §3: duplicates are processed once), with
 * bounded memory. An id seen again is a duplicate when its event is the same
 * (a producer's retry), or a conflict when it is another event
 * (event-digest.ts says what "the same" is): a producer reusing ids, whose
 * second event the pipeline dead-letters (engine/engine-stage.ts) rather
 * than drop without a word; the first stays the one processed. Each
 * remembered id keeps a 32-bit digest of its event's content, not the event.
 * Ids are remembered with their event time in insertion order
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
 * ids, with their digests) for tools and tests. Live mode does not persist the whole set: in
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
import { UNKNOWN_DIGEST, eventDigest } from './event-digest.js';
import { Int32Queue } from './int32-queue.js';

/** At most this many ids (the newest inserted) go into a snapshot; see the module comment. */
export const DEDUP_SNAPSHOT_MAX_ENTRIES = 20_000;

export type DedupOptions = Pick<ProcessingOptions, 'dedupHorizonMs' | 'dedupMaxEntries'>;

/**
 * [eventId, event time in epoch ms, content digest], oldest-inserted first. An
 * entry without a digest (a snapshot of an older release) takes any content
 * under its id for a duplicate, as every id seen again was then.
 */
export type DedupEntry = [eventId: string, at: number, digest?: number];

/**
 * What an envelope is to the deduplicator: the first of its eventId, a
 * duplicate (the same event again), or a conflict (another event under an
 * eventId already seen).
 */
export type DedupVerdict = 'first' | 'duplicate' | 'conflict';

export class EventDeduplicator implements WholeStateStore {
  /**
   * Remembered eventIds: a hash table over positions in the queue below
   * (see id-set.ts for why not a Set<string>; it is the hot path).
   */
  private readonly seen = new IdSet((position) => this.ids[position]!);
  /**
   * Insertion order as a queue (ids, times, id hashes and digests in parallel
   * columns, live part from `head`; the 32-bit ones in Int32Queues, 4 bytes
   * an id rather than a number[]'s 8). Not Map iteration: V8 keeps deleted Map entries
   * as holes until it rehashes, so scanning a Map from its oldest end after
   * many deletions costs O(deleted) per scan.
   */
  private ids: string[] = [];
  private ats: number[] = [];
  private hashes = new Int32Queue();
  /** Content digests (event-digest.ts), UNKNOWN_DIGEST for an id restored without one. */
  private digests = new Int32Queue();
  private head = 0;
  private readonly horizonMs: number;
  private readonly maxEntries: number;
  private maxSeen = -Infinity;
  private duplicateCount = 0;
  private conflictCount = 0;
  private lastConflictFirstAt = Number.NaN;
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

  /**
   * Whether the envelope's eventId is new (then remembered), or was seen (and
   * is still remembered) with the same event or another one (see
   * `conflictFirstAt`). A conflict leaves the first event's entry as it was.
   */
  classify(envelope: Envelope): DedupVerdict {
    const id = envelope.event.eventId;
    const hash = hashId(id);
    const digest = eventDigest(envelope.event, envelope.at);
    // One probe for both the test and the insert; the id goes at the end of the queue.
    const seenAt = this.seen.addOrFind(id, hash, this.ids.length);
    if (seenAt < 0) {
      this.remember(id, hash, envelope.at, digest);
      return 'first';
    }
    const known = this.digests.at(seenAt);
    if (known === digest || known === UNKNOWN_DIGEST) {
      this.duplicateCount++;
      return 'duplicate';
    }
    this.conflictCount++;
    this.lastConflictFirstAt = this.ats[seenAt]!;
    return 'conflict';
  }

  /** True when the envelope's eventId was seen (and is still remembered), with the same event or not; otherwise remembers it and returns false. */
  isDuplicate(envelope: Envelope): boolean {
    return this.classify(envelope) !== 'first';
  }

  /** The event time of the first event under the eventId of the last conflict (for its dead letter's reason). */
  get conflictFirstAt(): number {
    return this.lastConflictFirstAt;
  }

  /** The content digest remembered for `eventId`, or UNKNOWN_DIGEST (not remembered, or remembered without one). */
  digestOf(eventId: string): number {
    const at = this.seen.find(eventId, hashId(eventId));
    return at < 0 ? UNKNOWN_DIGEST : this.digests.at(at);
  }

  /** Queues an id already added to `seen` (at the queue's end), then applies the horizon and size bounds. */
  private remember(id: string, hash: number, at: number, digest: number): void {
    this.ids.push(id);
    this.ats.push(at);
    this.hashes.push(hash);
    this.digests.push(digest);
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
    this.seen.delete(this.hashes.at(this.head), this.head);
    this.ids[this.head] = undefined as unknown as string; // the string can go now, not at the next compaction
    this.head++;
  }

  /** Drops the forgotten prefix of the queue once it is most of it; amortised O(1) per id. */
  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.ids.length) {
      this.ids = this.ids.slice(this.head);
      this.ats = this.ats.slice(this.head);
      this.hashes.dropFront(this.head);
      this.digests.dropFront(this.head);
      this.seen.rebase(this.head);
      this.head = 0;
    }
  }

  /** Duplicates dropped so far. */
  get duplicates(): number {
    return this.duplicateCount;
  }

  /** Other events found under an eventId already seen, so far. */
  get conflicts(): number {
    return this.conflictCount;
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

  /** The newest `limit` remembered ids with their event times and digests (none where not known), oldest-inserted first. */
  snapshot(limit: number = DEDUP_SNAPSHOT_MAX_ENTRIES): DedupEntry[] {
    const out: DedupEntry[] = [];
    for (let i = Math.max(this.head, this.ids.length - limit); i < this.ids.length; i++) {
      const digest = this.digests.at(i);
      out.push(digest === UNKNOWN_DIGEST ? [this.ids[i]!, this.ats[i]!] : [this.ids[i]!, this.ats[i]!, digest]);
    }
    return out;
  }

  /** Replaces the remembered ids with a snapshot (counters are kept: they describe this process). */
  restore(entries: Iterable<readonly [string, number, number?]>): void {
    this.seen.clear();
    this.ids = [];
    this.ats = [];
    this.hashes = new Int32Queue();
    this.digests = new Int32Queue();
    this.head = 0;
    this.maxSeen = -Infinity;
    for (const [id, at, digest] of entries) this.rememberId(id, at, digest);
  }

  /**
   * Remembers an id seen before this process (live mode restores a key's recent ids, see recent-event-ids.ts), with
   * its event's digest when known; not counted.
   */
  rememberId(eventId: string, at: number, digest: number = UNKNOWN_DIGEST): void {
    const hash = hashId(eventId);
    if (this.seen.addOrFind(eventId, hash, this.ids.length) < 0) this.remember(eventId, hash, at, digest);
  }
}

/**
 * Drops envelopes whose eventId was already seen (tests and tools; the
 * pipeline dead-letters conflicts, engine/engine-stage.ts). Pass options for
 * a fresh deduplicator per subscription, or an instance to read its counters
 * (metrics) or snapshot it. `onDuplicate` sees each dropped envelope, a
 * duplicate or a conflict.
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
