/** The pipeline's engine stage: what happens to a decoded record (see engineStage). */
import { Observable, type OperatorFunction } from 'rxjs';
import type { DeadLetter, Fact } from '../processors/facts.js';
import type { DecodeResult } from '../processors/decode.js';
import { reusedEventIdLetter } from '../processors/reused-event-id.js';
import type { EventDeduplicator } from '../processors/dedup.js';
import type { RecentEventIds } from '../processors/recent-event-ids.js';
import type { EventTimeOrderer, FactSink } from '../processors/event-time.js';
import { ProcessorChain } from '../processors/processor-chain.js';
import type { Topology } from './topology.js';
import type { PipelineCounters, PipelineOptions } from './pipeline.js';

export interface StageContext extends PipelineOptions {
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
export function engineStage(ctx: StageContext): { operator: OperatorFunction<DecodeResult, never>; advanceTo(frontier: number): void } {
  const { orderer, dedup, counters, writer, recentIds, holdRows } = ctx;
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
          if (!holdRows?.(fact)) writer?.write(fact);
          ctx.onFact?.(fact);
        } catch (err) {
          deliverError = { err };
        }
      };
      const chain = new ProcessorChain(ctx.topology.processors, deliver);
      // Also called by `advanceTo` between records: failures become the stream's, never the caller's.
      const ordered: FactSink = (fact) => {
        if (stopped) return;
        if (fact.kind === 'advance') dedup.expireBehind(fact.at);
        else if (fact.kind === 'event' || fact.kind === 'late') {
          if (fact.kind === 'event') counters.events++;
          else counters.late++;
          // Remembered for restarts once processed, not when first seen: an event still held by the orderer at a
          // commit is not covered by the committed offsets and comes again after a restart, as a first.
          // Its digest as the deduplicator remembers it (a look-up in live mode only, not a second digest of the event).
          if (recentIds) recentIds.record(fact.envelope.key, fact.envelope.event.eventId, fact.envelope.at, dedup.digestOf(fact.envelope.event.eventId));
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

/**
 * One decoded record: a dead letter, a duplicate, another event under an
 * eventId already seen (a dead letter too: processors/reused-event-id.ts),
 * or an envelope for the event-time orderer.
 */
function accept(ctx: StageContext, result: DecodeResult, ordered: FactSink): void {
  if (!result.ok) {
    deadLetter(ctx, result.deadLetter);
    return;
  }
  const envelope = result.envelope;
  const verdict = ctx.dedup.classify(envelope);
  ctx.onEnvelope?.(envelope, verdict !== 'first');
  if (verdict === 'duplicate') {
    ctx.counters.duplicates++;
    ctx.onDuplicate?.(envelope);
    return;
  }
  if (verdict === 'conflict') {
    deadLetter(ctx, reusedEventIdLetter(result.record, envelope.event.eventId, ctx.dedup.conflictFirstAt));
    return;
  }
  ctx.orderer.push(envelope, ordered);
  ctx.orderer.flush(ordered);
}

function deadLetter(ctx: StageContext, dl: DeadLetter): void {
  ctx.counters.deadLetters++;
  ctx.writer?.writeDeadLetter(dl);
  ctx.onDeadLetter?.(dl);
}
