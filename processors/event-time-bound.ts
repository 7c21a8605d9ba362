/**
 * Which event times the engine accepts, and how far an accepted one moves
 * the watermark (decode.ts `toEnvelope`): nothing before the Unix epoch,
 * nothing further ahead of the wall clock than DRIFTWATCH_MAX_FUTURE_SKEW.
 */
import { durationText } from '../lib/time.js';
import type { DeadLetterCategory } from './facts.js';

/**
 * How far ahead of the wall clock an event may claim to have happened
 * (ProcessingOptions.maxFutureSkewMs). The watermark follows the newest event
 * time: one event from a producer whose clock is a day ahead, or with a
 * corrupted year 9999, would fire every timer up to then (false drift
 * incidents as grace periods end) and leave every later event late — the
 * engine blind until real time caught up. Such an event is dead-lettered
 * instead, before anything sees its time. One dated ahead by less is
 * processed, but moves the watermark no further than the wall clock
 * (`watermarkTime`).
 */
export interface FutureBound {
  maxAheadMs: number;
  /** Wall clock, epoch ms (injected in tests). */
  now: () => number;
}

/** The wall clock as the module was loaded: a stand-in installed later (a test's fake timers) is read every time. */
const wallClock = Date.now;
/** The latest reading of `wallClock` taken by `clockFor`. */
let wallClockSeen = Number.NEGATIVE_INFINITY;

/**
 * The clock reading that judges an event at `at` (NaN without a bound).
 * Date.now took 0.14–0.29 µs a call on the 2-core VM of bench/README.md
 * (V8's C++ builtin, then kvm-clock), read for every event; but an event
 * no later than a reading already taken is within the bound and moves the
 * watermark to its own time (`eventTimeProblem`, `watermarkTime`) whatever
 * later reading is taken, so that earlier reading stands in for a new one.
 * A replay of past events, or a live backlog, then reads the clock once.
 * Only the real wall clock, which does not run backwards, is read so: an
 * injected clock (tests') may be set back, and is read every time. Should
 * the wall clock step back (NTP), events no later than the last reading are
 * judged as they were a moment before.
 */
export function clockFor(at: number, bound: FutureBound | undefined): number {
  if (bound === undefined) return Number.NaN;
  if (bound.now !== wallClock) return bound.now();
  if (at <= wallClockSeen && bound.maxAheadMs >= 0) return wallClockSeen;
  const now = wallClock();
  if (now > wallClockSeen) wallClockSeen = now;
  return now;
}

/**
 * Why an event's time cannot be processed, or undefined. Before the Unix
 * epoch: no event of this domain is, and the store cannot keep it (the
 * retention TTL works in 32-bit DateTime, where a 1969 time wraps around and
 * the row was deleted as it was inserted: silent loss). Too far ahead: see
 * FutureBound. The reason names the bound, not the clock's reading: the same
 * input gets the same reason in every run.
 */
export function eventTimeProblem(at: number, bound: FutureBound | undefined, now: number): { reason: string; category: DeadLetterCategory } | undefined {
  if (at < 0) {
    return {
      reason: `occurredAt: ${new Date(at).toISOString()} is before 1970-01-01T00:00:00.000Z (the Unix epoch): a corrupted or unset timestamp; not processed`,
      category: 'before_epoch',
    };
  }
  if (bound === undefined || at - now <= bound.maxAheadMs) return undefined;
  return {
    reason:
      `occurredAt: ${new Date(at).toISOString()} is more than ${durationText(bound.maxAheadMs)} (DRIFTWATCH_MAX_FUTURE_SKEW) ahead of ` +
      "this instance's clock: a wrong producer clock or a corrupted timestamp; not processed, so it cannot move the watermark",
    category: 'future_time',
  };
}

/**
 * The event time an accepted event moves the watermark to (Envelope.watermarkAt).
 * While the future-skew bound is on, no further than the wall clock: a
 * producer whose clock is fast by less than the bound (2 min, say) would
 * otherwise carry its partitions' watermark that far past real time, and
 * every honest producer's events there would arrive behind it — late, their
 * windows closed. The event keeps its occurredAt: it waits in the orderer
 * until event time reaches it (at most its clock error later). With the
 * bound off (a replay of data dated ahead on purpose) the watermark follows
 * occurredAt as it is.
 */
export function watermarkTime(at: number, bound: FutureBound | undefined, now: number): number {
  return bound === undefined || bound.maxAheadMs === Number.POSITIVE_INFINITY || at <= now ? at : now;
}
