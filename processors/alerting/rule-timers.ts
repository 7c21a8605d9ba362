/**
 * Fires the rules' own event-time timers (RuleTimer) due strictly before a
 * fact's time, earliest first, on the main thread with every fact.
 *
 * Each round must make progress: a timer fired at `time` has judged
 * everything due by then, so its next due time is later. One still due at
 * or before `time` afterwards (its rule's state out of step with the due
 * time it derives from it: a bug) would otherwise be fired at that same time
 * again and again, and the loop would never return. It is fired once per
 * call and then left alone until the next fact's call: firing it again at
 * the same time would judge the same state again.
 */
import type { RuleTimer } from './rule-context.js';

/**
 * The enabled rules' timers with their earliest due time, read once after
 * each call into the rules (RuleTimer) rather than from every timer with
 * every fact: most facts find nothing due, and that check is then one
 * comparison.
 */
export class RuleTimers {
  /** The earliest `due` of the timers as of the last `refresh` (Infinity: none). */
  private earliest = Number.POSITIVE_INFINITY;

  constructor(private readonly timers: readonly RuleTimer[]) {
    this.refresh();
  }

  /** Whether a timer is due strictly before `at`. */
  dueBefore(at: number): boolean {
    return this.earliest < at;
  }

  /** Fires the timers due strictly before `at` (fireTimersBefore). */
  fireBefore(at: number, before: (time: number) => void): void {
    if (!(this.earliest < at)) return;
    fireTimersBefore(this.timers, at, before);
    this.refresh();
  }

  /** Reads the timers' due times again: after every call that may have changed a rule's state. */
  refresh(): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const timer of this.timers) if (timer.due < earliest) earliest = timer.due;
    this.earliest = earliest;
  }
}

/** Fires the timers due strictly before `at`, earliest first; `before(time)` runs before each (the escalations due before it). */
export function fireTimersBefore(timers: readonly RuleTimer[], at: number, before: (time: number) => void): void {
  /** Timers that did not move when fired in this call (rarely any). */
  let stuck: RuleTimer[] | undefined;
  for (;;) {
    let next: RuleTimer | undefined;
    for (const timer of timers) {
      if (timer.due < at && (next === undefined || timer.due < next.due) && !stuck?.includes(timer)) next = timer;
    }
    if (next === undefined) return;
    const time = next.due;
    before(time);
    next.fire(time);
    if (!(next.due > time)) (stuck ??= []).push(next);
  }
}
