/**
 * One pipeline, used by replay, demo and live mode alike:
 *
 *   raw records ─▶ decode+validate ─┬─▶ dedup ─▶ event-time order ─▶ topology ─▶ store ─▶ sinks
 *                                   └─▶ dead letters (with reason)
 *
 * The driver pushes records with `push` (synchronously, for JSON) and applies
 * backpressure between chunks with `waitForCapacity`; `end` completes the
 * input, lets the watermark advance past every window and timer, and resolves
 * once every derived row is stored.
 */
import { Observable, Subject, type OperatorFunction } from 'rxjs';
import type { DeadLetter, Envelope, Fact } from '../processors/facts.js';
import { decodeRecords, jsonDecoder, type DecodeResult, type Decoder, type RawRecord } from '../processors/decode.js';
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
  /** Moves the frontier (live mode: the combined watermark − lateness); releases what it covers. */
  advanceTo(frontier: number): void;
  /** Resolves when the store has room for more rows (backpressure between chunks). */
  waitForCapacity(maxPendingRows: number): Promise<void>;
  /** Ends the input; resolves when everything derived is stored. */
  end(): Promise<void>;
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
  const input = new Subject<RawRecord>();
  const stage = engineStage({ ...options, topology, orderer, dedup, recentIds, counters });
  const done = new Promise<void>((resolve, reject) => {
    const bound = { maxAheadMs: options.processing.maxFutureSkewMs, now: options.now ?? Date.now };
    input.pipe(decodeRecords(options.decoder ?? jsonDecoder, bound), stage.operator).subscribe({ error: reject, complete: resolve });
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
      input.next(record);
    },
    advanceTo(frontier) {
      stage.advanceTo(frontier);
    },
    async waitForCapacity(maxPendingRows) {
      const writer = options.writer;
      if (writer && writer.pendingRows > maxPendingRows) await writer.waitForCapacity(maxPendingRows);
    },
    async end() {
      input.complete();
      await done;
    },
  };
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
