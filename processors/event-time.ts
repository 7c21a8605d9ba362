/**
 * The event-time operator (SPEC §4.7): buffers validated, deduplicated
 * envelopes and releases them in event-time order once they are final.
 *
 *   maxSeen   = largest occurredAt seen (each capped as Envelope.watermarkAt
 *               says: no further than the wall clock at arrival while the
 *               future-skew bound is on; the event keeps its own `at`)
 *   watermark = maxSeen − allowedLateness
 *   frontier  = watermark − allowedLateness
 *
 * State machine, per envelope:
 *   at <  frontier → late: emitted at once as `{kind:'late', at: frontier}`
 *                    (counted, stored in history by the sinks, never dropped,
 *                    never reopening a closed window);
 *   at >= frontier → buffered, released once at < frontier.
 * Release is strict (at < frontier) because an event exactly at the frontier
 * is not late and may still arrive; releasing its ties early would make the
 * tie order depend on arrival order. For the same reason an instant's events
 * are released together, each but the last marked `tied`. After releasing, `{kind:'advance', at:
 * frontier}` says no event older than the frontier follows. At end of input
 * `finish` releases everything and advances to +Infinity.
 *
 * Release order: at, then promotions before hydrations before index ops, then
 * eventId (string order), then arrival; so the output does not depend on
 * arrival order within the lateness bound.
 *
 * Per-partition watermarks (live mode, not implemented here): each owned
 * partition keeps its own maxSeen; the combined frontier is the minimum of the
 * partitions' frontiers, and an idle partition is excluded from the minimum
 * (or pushed forward with `advanceTo`) after the idle timeout, like Flink's
 * `withIdleness`. A single orderer fed with the combined value through
 * `advanceTo` then releases as here.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { TimeBuckets } from './time-buckets.js';
import type { Envelope, Fact } from './facts.js';

export interface EventTimeOptions {
  /** SPEC §4.7, default 30 s. */
  allowedLatenessMs: number;
  /**
   * Emit an `advance` only when the frontier moved at least this far since the
   * last one (0 = every move). Released events and late facts are the same
   * either way; coarser advances only mean fewer facts on the hot path, since
   * processors fire their timers on every fact, not only on advances.
   */
  advanceGranularityMs?: number;
  /**
   * Live mode: the frontier moves only through `advanceTo`, with the value the
   * runner combines over its owned partitions (minimum of per-partition
   * watermarks, idle partitions excluded). Lateness is still judged against
   * that frontier.
   */
  externalFrontier?: boolean;
}

export type FactSink = (fact: Fact) => void;

/** Ties at one time: promotions, then hydrations, then index ops (then any other type). */
function typeRank(type: string): number {
  return type === 'promotion' ? 0 : type === 'hydration' ? 1 : type === 'index' ? 2 : 3;
}

/**
 * An envelope's place among the events of its instant, as a string that sorts like `less` does at one `at`: type
 * rank, then eventId (state-drift/instant-judgements.ts judges an instant's keys in this order).
 */
export function releaseOrder(envelope: Envelope): string {
  return `${typeRank(envelope.event.type)}${envelope.event.eventId}`;
}

function envelopeTime(envelope: Envelope): number {
  return envelope.at;
}

/**
 * Release order: at, then type rank, then eventId. Envelopes equal in all
 * three (copies of one event: the orderer does not deduplicate) are not
 * ordered here; the buffer keeps them in arrival order (TimeBuckets).
 */
function less(a: Envelope, b: Envelope): boolean {
  if (a.at !== b.at) return a.at < b.at;
  const ra = typeRank(a.event.type);
  const rb = typeRank(b.event.type);
  if (ra !== rb) return ra < rb;
  return a.event.eventId < b.event.eventId;
}

export class EventTimeOrderer {
  private readonly latenessMs: number;
  private readonly granularityMs: number;
  private readonly externalFrontier: boolean;
  /**
   * Buffered events. Arrivals are nearly sorted (out of order by at most the
   * lateness bound), so a calendar queue of 1 s buckets, each sorted once when
   * it comes up for release, costs a few comparisons per event where a heap
   * costs ~2 log n. It holds the envelopes themselves, with no wrapper per
   * event: a buffered event lives for twice the allowed lateness, long
   * enough to be copied by the young-generation collector and often promoted,
   * and every object held per event is copied with it.
   */
  private readonly buffer = new TimeBuckets<Envelope>(less, envelopeTime, 1000);
  private maxSeen = -Infinity;
  private frontierAt = -Infinity;
  private advancedTo = -Infinity;
  private lateCount = 0;
  private releasedCount = 0;

  constructor(options: EventTimeOptions) {
    if (!(options.allowedLatenessMs >= 0)) throw new RangeError('allowedLatenessMs must be >= 0');
    this.latenessMs = options.allowedLatenessMs;
    this.granularityMs = options.advanceGranularityMs ?? 0;
    this.externalFrontier = options.externalFrontier ?? false;
  }

  /** Buffers the envelope, or emits a `late` fact when it is older than the frontier. */
  push(envelope: Envelope, out: FactSink): void {
    const at = envelope.at;
    if (at < this.frontierAt) {
      // Release what the frontier already covers first, so facts stay in nondecreasing `at`.
      this.release(out);
      this.lateCount++;
      out({ kind: 'late', at: this.frontierAt, envelope, frontier: this.frontierAt });
      return;
    }
    const seen = envelope.watermarkAt ?? at;
    if (seen > this.maxSeen) {
      this.maxSeen = seen;
      const f = seen - 2 * this.latenessMs;
      if (f > this.frontierAt && !this.externalFrontier) this.frontierAt = f;
    }
    this.buffer.push(envelope);
  }

  /** Releases every buffered event older than the frontier, then emits `advance` if the frontier moved. */
  flush(out: FactSink): void {
    this.release(out);
    if (this.frontierAt > this.advancedTo && this.frontierAt - this.advancedTo >= this.granularityMs) {
      this.emitAdvance(out);
    }
  }

  /** Forces the frontier forward without an event (live mode's idle-partition timeout). */
  advanceTo(time: number, out: FactSink): void {
    if (time > this.frontierAt) this.frontierAt = time;
    this.release(out);
    if (this.frontierAt > this.advancedTo) this.emitAdvance(out);
  }

  /** End of input: releases everything and advances to +Infinity so every timer and window fires. */
  finish(out: FactSink): void {
    this.advanceTo(Number.POSITIVE_INFINITY, out);
  }

  private emitAdvance(out: FactSink): void {
    this.advancedTo = this.frontierAt;
    out({ kind: 'advance', at: this.frontierAt });
  }

  private release(out: FactSink): void {
    const f = this.frontierAt;
    const buffer = this.buffer;
    for (let next = buffer.peek(); next !== undefined && next.at < f; ) {
      buffer.pop();
      this.releasedCount++;
      const after = buffer.peek();
      // Every on-time event of an instant is released in this one loop (one arriving once the frontier passed it is
      // late), so `tied` marks all of the instant's events but its last.
      out({ kind: 'event', at: next.at, envelope: next, tied: after !== undefined && after.at === next.at });
      next = after;
    }
  }

  /** maxSeen − allowedLateness (or frontier + allowedLateness after `advanceTo`); -Infinity before the first event. */
  get watermark(): number {
    return this.frontierAt + this.latenessMs;
  }

  /** Events older than this are late; everything older has been or is being released. */
  get frontier(): number {
    return this.frontierAt;
  }

  /** Largest event time seen (as it moves the watermark: Envelope.watermarkAt). */
  get maxEventTime(): number {
    return this.maxSeen;
  }

  /** Events waiting for the frontier. */
  get buffered(): number {
    return this.buffer.size;
  }

  /** Late events so far. */
  get late(): number {
    return this.lateCount;
  }

  /** Events released in order so far. */
  get released(): number {
    return this.releasedCount;
  }
}

function orderWith(options: EventTimeOptions | EventTimeOrderer): EventTimeOrderer {
  return options instanceof EventTimeOrderer ? options : new EventTimeOrderer(options);
}

/**
 * RxJS operator: envelopes in, facts (`event`, `late`, `advance`) out in
 * nondecreasing `at`. Releases after every envelope (the check is one
 * comparison when nothing is due); calls `finish` when the source completes.
 * Pass an orderer instance to read its counters.
 */
export function orderByEventTime(
  options: EventTimeOptions | EventTimeOrderer,
  /** Receives the operator's fact sink, so a live runner can call `orderer.advanceTo(t, out)` between records. */
  exposeSink?: (out: FactSink) => void,
): OperatorFunction<Envelope, Fact> {
  return (source) =>
    new Observable<Fact>((subscriber) => {
      const orderer = orderWith(options);
      const out: FactSink = (fact) => subscriber.next(fact);
      exposeSink?.(out);
      return source.subscribe({
        next: (envelope) => {
          orderer.push(envelope, out);
          orderer.flush(out);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          orderer.finish(out);
          subscriber.complete();
        },
      });
    });
}

/** Same, for sources that deliver chunks (a Kafka batch, a block of file lines): one release per chunk. */
export function orderChunksByEventTime(
  options: EventTimeOptions | EventTimeOrderer,
): OperatorFunction<readonly Envelope[], Fact> {
  return (source) =>
    new Observable<Fact>((subscriber) => {
      const orderer = orderWith(options);
      const out: FactSink = (fact) => subscriber.next(fact);
      return source.subscribe({
        next: (chunk) => {
          for (let i = 0; i < chunk.length; i++) orderer.push(chunk[i]!, out);
          orderer.flush(out);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          orderer.finish(out);
          subscriber.complete();
        },
      });
    });
}
