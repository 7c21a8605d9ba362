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
import { Subject, filter, map, tap, lastValueFrom, defaultIfEmpty, type OperatorFunction } from 'rxjs';
import type { DeadLetter, Envelope, Fact } from '../processors/facts.js';
import { decodeRecords, jsonDecoder, type Decoder, type RawRecord } from '../processors/decode.js';
import { EventDeduplicator, dedupByEventId } from '../processors/dedup.js';
import { EventTimeOrderer, orderByEventTime, type FactSink } from '../processors/event-time.js';
import { buildTopology, type Topology, type TopologyOptions } from './topology.js';
import type { StoreWriter } from '../store/store-writer.js';
import { storeSink } from '../store/store-sink.js';

export interface PipelineOptions extends TopologyOptions {
  decoder?: Decoder;
  /** Null: no store (tests, dry runs). */
  writer: StoreWriter | null;
  /** Every fact after the chain and the store, in order. */
  onFact?: (fact: Fact) => void;
  onDeadLetter?: (deadLetter: DeadLetter) => void;
  onDuplicate?: (envelope: Envelope) => void;
  /** Every valid envelope right after decoding (live mode tracks per-partition watermarks with it). */
  onEnvelope?: (envelope: Envelope) => void;
  /**
   * Live mode: the frontier is set by the runner (`advanceTo`) from the
   * per-partition watermarks instead of from the newest event seen.
   */
  externalFrontier?: boolean;
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
  const topology = buildTopology(options);
  // Advances are coalesced to one per second of event time: processors fire
  // their timers on every fact anyway, so finer advances only cost time.
  const orderer = new EventTimeOrderer({
    allowedLatenessMs: options.processing.allowedLatenessMs,
    advanceGranularityMs: 1000,
    externalFrontier: options.externalFrontier ?? false,
  });
  let orderedOut: FactSink | null = null;
  const dedup = new EventDeduplicator(options.processing);
  const counters: PipelineCounters = { records: 0, deadLetters: 0, duplicates: 0, events: 0, late: 0 };
  const input = new Subject<RawRecord>();
  const writer = options.writer;

  const storeStage: OperatorFunction<Fact, Fact> = writer ? storeSink(writer) : (s) => s;
  const done = lastValueFrom(
    input.pipe(
      decodeRecords(options.decoder ?? jsonDecoder),
      tap((result) => {
        if (result.ok) return;
        counters.deadLetters++;
        writer?.writeDeadLetter(result.deadLetter);
        options.onDeadLetter?.(result.deadLetter);
      }),
      filter((result): result is Extract<typeof result, { ok: true }> => result.ok),
      map((result) => result.envelope),
      tap((envelope) => options.onEnvelope?.(envelope)),
      dedupByEventId(dedup, (envelope) => {
        counters.duplicates++;
        options.onDuplicate?.(envelope);
      }),
      orderByEventTime(orderer, (out) => {
        orderedOut = out;
      }),
      tap((fact) => {
        if (fact.kind === 'event') counters.events++;
        else if (fact.kind === 'late') counters.late++;
      }),
      topology.operator,
      storeStage,
      tap((fact) => options.onFact?.(fact)),
      defaultIfEmpty(null),
    ),
  ).then(async () => {
    await writer?.flush();
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
      if (orderedOut) orderer.advanceTo(frontier, orderedOut);
    },
    async waitForCapacity(maxPendingRows) {
      if (writer && writer.pendingRows > maxPendingRows) await writer.waitForCapacity(maxPendingRows);
    },
    async end() {
      input.complete();
      await done;
    },
  };
}

