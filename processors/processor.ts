/**
 * The processor contract and its RxJS operator.
 *
 * A processor is a synchronous state machine over facts: `handle` sees every
 * fact in order and calls `emit` for facts it derives. `asOperator` turns it
 * into an RxJS operator that passes every incoming fact downstream, after the
 * facts the processor derived from it. (Derived facts go first because they
 * happened at or before the incoming fact's time: timers due by `at` and the
 * consequences of the fact itself.)
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { Fact, FactKind } from './facts.js';

export type Emit = (fact: Fact) => void;

export interface Processor {
  readonly name: string;
  /**
   * readsAtOnce: a `handle` reads `fact.at` into a local once. Facts come in
   * a dozen shapes, so a `fact.at` read in a processor is a megamorphic load,
   * and such a load of a number field allocates a fresh heap number each
   * time: measured, ~10 MB of garbage per processor per 300k-event replay.
   */
  handle(fact: Fact, emit: Emit): void;
  /**
   * The fact kinds `handle` does anything with beyond firing what is due
   * (timers), with `idleAt`. A fact of another kind only moves the
   * processor's time: while `idleAt(at)` says nothing is due by `at`, its
   * `handle` would do nothing, and ProcessorChain skips the call. Most facts
   * are observations and events that half the processors only pass on: the
   * calls skipped were ~3 % of a replay engine's instructions. Unset: every fact is
   * handled.
   */
  readonly reads?: ReadonlySet<FactKind>;
  /** Whether a fact at `at` of a kind not in `reads` would find nothing due (no timer fires, nothing is emitted or changed). */
  idleAt?(at: number): boolean;
}

/** `reads` of a processor that only reads input events (in order or late). */
export const inputEventKinds: ReadonlySet<FactKind> = new Set<FactKind>(['event', 'late']);

export function asOperator(processor: Processor): OperatorFunction<Fact, Fact> {
  return (source) =>
    new Observable<Fact>((subscriber) => {
      const emit: Emit = (f) => subscriber.next(f);
      return source.subscribe({
        next: (fact) => {
          try {
            processor.handle(fact, emit);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.next(fact);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/** Runs a processor over a list of facts and returns everything it emitted (tests, tools). */
export function runProcessor(processor: Processor, facts: Iterable<Fact>): Fact[] {
  const out: Fact[] = [];
  for (const f of facts) processor.handle(f, (d) => out.push(d));
  return out;
}
