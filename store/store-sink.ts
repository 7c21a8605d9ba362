/**
 * The store as a stage of the fact pipeline. Every fact is handed to the
 * writer (which keeps the kinds it stores: input events and late events as
 * raw history, incidents, windows, MTTR snapshots, alerts, audit records) and
 * passed on unchanged, so other sinks can follow it. On completion the
 * writer is flushed before completion is passed on, so "complete" means
 * "stored". A writer failure — even one detected asynchronously, between
 * facts — errors the stream.
 *
 * Backpressure: the sink itself cannot pause a push-based source; the
 * consumer feeding the pipeline checks `writer.pendingRows` or awaits
 * `writer.waitForCapacity(limit)` before pulling more input.
 */
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { Fact } from '../processors/facts.js';
import type { StoreWriter } from './store-writer.js';

export function storeSink(writer: StoreWriter): MonoTypeOperatorFunction<Fact> {
  return (source) =>
    new Observable<Fact>((subscriber) => {
      const stopListening = writer.onFailure((err) => subscriber.error(err));
      const subscription = source.subscribe({
        next: (fact) => {
          try {
            writer.write(fact);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.next(fact);
        },
        // Rows already accepted are still stored (they are valid, and the
        // tables are idempotent for the restart that follows); the upstream
        // error is what the subscriber hears.
        error: (err) => {
          writer.flush().then(
            () => subscriber.error(err),
            () => subscriber.error(err),
          );
        },
        complete: () => {
          writer.flush().then(
            () => subscriber.complete(),
            (err) => subscriber.error(err),
          );
        },
      });
      return () => {
        stopListening();
        subscription.unsubscribe();
      };
    });
}
