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
 */
import { Observable, type OperatorFunction, type Subscriber, type Subscription } from 'rxjs';
import type { DeadLetter, Envelope, Fact } from '../processors/facts.js';
import { decodeRecords, jsonDecoder, type DecodeQueueListener, type DecodeResult, type Decoder, type RawRecord } from '../processors/decode.js';
import { EventDeduplicator } from '../processors/dedup.js';
import { RecentEventIds } from '../processors/recent-event-ids.js';
import { EventTimeOrderer, type FactSink } from '../processors/event-time.js';
import { ProcessorChain } from '../processors/processor-chain.js';
import { buildTopology, type Topology, type TopologyOptions } from './topology.js';
import type { StoreWriter } from '../store/store-writer.js';

export interface PipelineOptions extends TopologyOptions {
  decoder?: Decoder;
  /** Null: no store (tests, dry runs). */
  writer: StoreWriter | null;
  /** Every fact after the chain and the store, in order. */
  onFact?: (fact: Fact) => void;
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
  const dedup = new EventDeduplicator(options.processing);
  const recentIds =
    options.recentIdsPerKey === undefined
      ? undefined
      : new RecentEventIds(options.recentIdsPerKey, options.processing.dedupHorizonMs, (id, at) => dedup.rememberId(id, at));
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

/**
 * The records waiting in the decode queue (decodeRecords reports them): how
 * many in all and per input partition, and who waits for the count to drop.
 * Only records that wait are counted, so synchronous (JSON) decoding costs
 * nothing here.
 */
class DecodeQueue implements DecodeQueueListener {
  total = 0;
  private readonly byPartition = new Map<string, Map<number, number>>();
  private readonly waiters: Array<{ max: number; resolve: () => void }> = [];

  in(topic: string, partition: number): number {
    return this.total === 0 ? 0 : (this.byPartition.get(topic)?.get(partition) ?? 0);
  }

  queued(record: RawRecord): void {
    this.total++;
    this.count(record, 1);
  }

  released(record: RawRecord): void {
    this.total--;
    this.count(record, -1);
    if (this.waiters.length === 0) return;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (this.total <= w.max) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Resolves once at most `max` records wait. */
  roomFor(max: number): Promise<void> | undefined {
    if (this.total <= max) return undefined;
    return new Promise((resolve) => this.waiters.push({ max, resolve }));
  }

  private count(record: RawRecord, by: number): void {
    const { topic, partition } = record.source ?? {};
    if (topic === undefined || partition === undefined) return;
    let partitions = this.byPartition.get(topic);
    if (partitions === undefined) this.byPartition.set(topic, (partitions = new Map()));
    const n = (partitions.get(partition) ?? 0) + by;
    if (n === 0) partitions.delete(partition);
    else partitions.set(partition, n);
  }
}

interface StageContext extends PipelineOptions {
  topology: Topology;
  orderer: EventTimeOrderer;
  dedup: EventDeduplicator;
  recentIds: RecentEventIds | undefined;
  counters: PipelineCounters;
}

/**
 * Everything after decoding, as one RxJS operator (it emits nothing; it
 * completes once every fact is stored): dead letters, dedup, event-time
 * order, the processor chain, the store and `onFact`, called directly rather
 * than through an operator per step, since this runs several times per event.
 *
 * Failures behave as the operator-per-step pipeline did: an error before the
 * store (decode sinks, ordering, a processor) stops the input, lets the rows
 * already accepted be written, then errors; a store failure (a write that
 * throws, or a batch failing between facts) or an `onFact` error errors at once.
 */
function engineStage(ctx: StageContext): { operator: OperatorFunction<DecodeResult, never>; advanceTo(frontier: number): void } {
  const { orderer, dedup, counters, writer, recentIds } = ctx;
  let orderedOut: FactSink | null = null;
  const operator: OperatorFunction<DecodeResult, never> = (source) =>
    new Observable<never>((subscriber) => {
      let stopped = false;
      const stop = (err: unknown) => {
        if (stopped) return;
        stopped = true;
        ctx.onFailure?.(err);
      };
      const failNow = (err: unknown) => {
        stop(err);
        subscriber.error(err);
      };
      const failAfterFlush = (err: unknown) => {
        if (stopped) return;
        stop(err);
        if (!writer) subscriber.error(err);
        else writer.flush().then(() => subscriber.error(err), () => subscriber.error(err));
      };
      const stopListening = writer ? writer.onFailure(failNow) : () => {};
      // End of the chain: the store, then the caller's sink.
      let deliverError: { err: unknown } | undefined;
      const deliver = (fact: Fact) => {
        if (stopped || deliverError) return;
        try {
          writer?.write(fact);
          ctx.onFact?.(fact);
        } catch (err) {
          deliverError = { err };
        }
      };
      const chain = new ProcessorChain(ctx.topology.processors, deliver);
      // Also called by `advanceTo` between records: failures become the stream's, never the caller's.
      const ordered: FactSink = (fact) => {
        if (stopped) return;
        if (fact.kind === 'event' || fact.kind === 'late') {
          if (fact.kind === 'event') counters.events++;
          else counters.late++;
          // Remembered for restarts once processed, not when first seen: an event still held by the orderer at a
          // commit is not covered by the committed offsets and comes again after a restart, as a first.
          recentIds?.record(fact.envelope.key, fact.envelope.event.eventId, fact.envelope.at);
        }
        try {
          chain.push(fact);
        } catch (err) {
          failAfterFlush(err);
          return;
        }
        // A store or onFact failure stops everything at once, like the store operator did.
        if (deliverError) failNow(deliverError.err);
      };
      orderedOut = ordered;
      const subscription = source.subscribe({
        next: (result) => {
          if (stopped) return;
          try {
            accept(ctx, result, ordered);
          } catch (err) {
            failAfterFlush(err);
          }
        },
        error: (err) => failAfterFlush(err),
        complete: () => {
          try {
            orderer.finish(ordered);
          } catch (err) {
            failAfterFlush(err);
          }
          if (stopped) return;
          stopped = true;
          if (!writer) subscriber.complete();
          else writer.flush().then(() => subscriber.complete(), (err: unknown) => subscriber.error(err));
        },
      });
      return () => {
        stopListening();
        subscription.unsubscribe();
        orderedOut = null; // an advance after the end (or a dispose) releases nothing
      };
    });
  return {
    operator,
    advanceTo(frontier) {
      if (orderedOut) orderer.advanceTo(frontier, orderedOut);
    },
  };
}

/** One decoded record: a dead letter, a duplicate, or an envelope for the event-time orderer. */
function accept(ctx: StageContext, result: DecodeResult, ordered: FactSink): void {
  if (!result.ok) {
    ctx.counters.deadLetters++;
    ctx.writer?.writeDeadLetter(result.deadLetter);
    ctx.onDeadLetter?.(result.deadLetter);
    return;
  }
  const envelope = result.envelope;
  const duplicate = ctx.dedup.isDuplicate(envelope);
  ctx.onEnvelope?.(envelope, duplicate);
  if (duplicate) {
    ctx.counters.duplicates++;
    ctx.onDuplicate?.(envelope);
    return;
  }
  ctx.orderer.push(envelope, ordered);
  ctx.orderer.flush(ordered);
}
