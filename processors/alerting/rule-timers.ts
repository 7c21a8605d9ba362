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
