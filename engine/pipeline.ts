/**
 * One pipeline, used by replay, demo and live mode alike:
 *
 *   raw records ─▶ decode+validate ─┬─▶ dedup ─▶ event-time order ─▶ topology ─▶ store ─▶ sinks
 *                                   └─▶ dead letters (with reason)
 *
 * The driver pushes records with `push` (synchronously, for JSON) and applies
 * backpressure between chunks with `waitForCapacity` (the store's pending
 * rows, and the records still waiting to be decoded: an Avro record waits
 * for its schema, through a registry outage if need be, and every record
 * pushed after it waits behind it to keep the order); `end` completes the
 * input, lets the watermark advance past every window and timer, and resolves
 * once every derived row is stored.
 *
 * This file wires the stages and holds the pipeline's contract; what happens
 * after decoding is engine-stage.ts, the count of records waiting to be
 * decoded decode-queue.ts.
 */
import { Observable, type Subscriber, type Subscription } from 'rxjs';
import type { DeadLetter, Envelope, Fact } from '../processors/facts.js';
import { decodeRecords, jsonDecoder, type Decoder, type RawRecord } from '../processors/decode.js';
import { EventDeduplicator } from '../processors/dedup.js';
import { RecentEventIds } from '../processors/recent-event-ids.js';
import { EventTimeOrderer } from '../processors/event-time.js';
import { buildTopology, type Topology, type TopologyOptions } from './topology.js';
import type { StoreWriter } from '../store/store-writer.js';
import { DecodeQueue } from './decode-queue.js';
import { engineStage } from './engine-stage.js';

export interface PipelineOptions extends TopologyOptions {
  decoder?: Decoder;
  /** Null: no store (tests, dry runs). */
  writer: StoreWriter | null;
  /** Every fact after the chain and the store, in order. */
  onFact?: (fact: Fact) => void;
  /**
   * Live mode: true for a fact whose rows the caller keeps from the writer
   * for now (env-level rows wait for their commit, engine/live/held-share-rows.ts).
   * Unset: every fact goes to the writer as it comes.
   */
  holdRows?: (fact: Fact) => boolean;
  onDeadLetter?: (deadLetter: DeadLetter) => void;
  onDuplicate?: (envelope: Envelope) => void;
  /**
   * Every valid envelope right after decoding, and whether it is a duplicate
   * (live mode tracks per-partition watermarks with the others).
   */
  onEnvelope?: (envelope: Envelope, duplicate: boolean) => void;
  /**
   * Called once, at once, when the pipeline stops on an error (a processor
   * invariant, a store write that throws, an `onFact` that throws): from then
   * on it drops every record. `end()` rejects with the error too, but only
   * once the rows already accepted are stored, and live mode never calls
   * `end()`: without this it would go on consuming records that are never
   * processed, and could commit state a failed fact left half applied.
   */
  onFailure?: (err: unknown) => void;
  /**
   * Live mode: the frontier is set by the runner (`advanceTo`) from the
   * per-partition watermarks instead of from the newest event seen.
   */
  externalFrontier?: boolean;
  /**
   * Live mode: remember each key's newest this-many eventIds as keyed state
   * (changelog), so a duplicate is still caught after a restart or a
   * rebalance (processors/recent-event-ids.ts). Unset: dedup is in memory only.
   */
  recentIdsPerKey?: number;
  /** Wall clock for the future-skew bound on event time (processing.maxFutureSkewMs); default Date.now. */
  now?: () => number;
}

export interface PipelineCounters {
  records: number;
  deadLetters: number;
  duplicates: number;
  events: number;
  late: number;
}

export interface Pipeline {
  readonly topology: Topology;
  readonly orderer: EventTimeOrderer;
  readonly dedup: EventDeduplicator;
  readonly counters: PipelineCounters;
  push(record: RawRecord): void;
  /**
   * Records pushed and not decoded yet: they wait for an asynchronous decoder
   * (a schema look-up, or a registry outage waited out) or behind a record
   * that does. 0 whenever decoding is synchronous (JSON).
   */
  readonly undecoded: number;
  /** The part of `undecoded` that came from one input partition (`RawRecord.source`). */
  undecodedIn(topic: string, partition: number): number;
  /** Moves the frontier (live mode: the combined watermark − lateness); releases what it covers. */
  advanceTo(frontier: number): void;
  /**
   * Backpressure between chunks: resolves once at most `maxUndecoded`
   * records wait to be decoded and the store has at most `maxPendingRows`
   * pending rows. Rejects if the store fails meanwhile.
   */
  waitForCapacity(maxPendingRows: number, maxUndecoded?: number): Promise<void>;
  /** Ends the input; resolves when everything derived is stored. */
  end(): Promise<void>;
  /**
   * Drops the pipeline without ending it (live mode: an engine replaced after
   * a rebalance or a failed commit): it stops listening to the store writer,
   * which outlives it. The writer held every replaced engine through that
   * listener — its whole keyed state — for as long as the process ran.
   */
  dispose(): void;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  // Its horizon runs behind the frontier (the engine stage tells it of each advance): see dedup.ts.
  const dedup = new EventDeduplicator(options.processing, 'frontier');
  const recentIds =
    options.recentIdsPerKey === undefined
      ? undefined
      : new RecentEventIds(options.recentIdsPerKey, options.processing.dedupHorizonMs, (id, at, digest) => dedup.rememberId(id, at, digest));
  const topology = buildTopology(recentIds ? { ...options, stateStores: [...(options.stateStores ?? []), recentIds] } : options);
  // Advances are coalesced to one per second of event time: processors fire
  // their timers on every fact anyway, so finer advances only cost time.
  const orderer = new EventTimeOrderer({
    allowedLatenessMs: options.processing.allowedLatenessMs,
    advanceGranularityMs: 1000,
    externalFrontier: options.externalFrontier ?? false,
  });
  const counters: PipelineCounters = { records: 0, deadLetters: 0, duplicates: 0, events: 0, late: 0 };
  // The input: an Observable whose one subscriber `push` feeds directly. A
  // Subject would do the same, but its `next` allocates a closure and an
  // iterator over its observers per record (measured: a replay made ~230
  // bytes of garbage per event more with it, 10 % of its allocation), and
  // there is only ever one subscriber.
  // Like a Subject's, records pushed after the end, a failure or a dispose go
  // nowhere: the subscriber is stopped then.
  let input: Subscriber<RawRecord> | undefined;
  const source = new Observable<RawRecord>((subscriber) => {
    input = subscriber;
  });
  const stage = engineStage({ ...options, topology, orderer, dedup, recentIds, counters });
  const waiting = new DecodeQueue();
  let subscription: Subscription | undefined;
  const done = new Promise<void>((resolve, reject) => {
    const bound = { maxAheadMs: options.processing.maxFutureSkewMs, now: options.now ?? Date.now };
    subscription = source.pipe(decodeRecords(options.decoder ?? jsonDecoder, bound, waiting), stage.operator).subscribe({ error: reject, complete: resolve });
  }).then(async () => {
    await options.writer?.flush();
  });
  // Surface failures through end(); keep an early failure from being unhandled.
  done.catch(() => undefined);

  return {
    topology,
    orderer,
    dedup,
    counters,
    push(record) {
      counters.records++;
      input?.next(record);
    },
    get undecoded() {
      return waiting.total;
    },
    undecodedIn(topic, partition) {
      return waiting.in(topic, partition);
    },
    advanceTo(frontier) {
      stage.advanceTo(frontier);
    },
    async waitForCapacity(maxPendingRows, maxUndecoded = Number.POSITIVE_INFINITY) {
      // Decoded records make rows: the store's room is looked at after the decoder's.
      await waiting.roomFor(maxUndecoded);
      const writer = options.writer;
      if (writer && writer.pendingRows > maxPendingRows) await writer.waitForCapacity(maxPendingRows);
    },
    async end() {
      input?.complete();
      await done;
    },
    dispose() {
      subscription?.unsubscribe();
    },
  };
}
