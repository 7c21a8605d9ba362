/**
 * Whether a late event still belongs to an open window (SPEC §4.7: late
 * events are counted, never silently lost, and do not reopen *closed*
 * windows) — the one rule every windowed processor applies to a `late` fact.
 *
 * A late fact is handled at the frontier (`fact.at`), older than its event
 * (`fact.envelope.at < fact.at`). The windowed processors (drift windows,
 * promotion windows, determinism) keep epoch-aligned tumbling windows of
 * `windowMs` and close each one (emit its row, fire its timer) on the first
 * fact with `at >= windowEnd`, before handling that fact. So, as a late fact
 * is handled, every window ending at or before the frontier has closed and
 * every later one is open: the event's own window is open exactly when the
 * frontier is still inside it. It then counts there, judged as of the
 * frontier (facts stay in `at` order) — what depends on the time it is
 * judged at, such as an observation's divergence, can differ from what it
 * would have been in order; otherwise its window has emitted its row and
 * nothing reopens it.
 */
import { windowStart } from '../lib/time.js';
import type { FactOf } from './facts.js';

export function lateEventWindowOpen(fact: FactOf<'late'>, windowMs: number): boolean {
  return windowOpenAt(fact.envelope.at, fact.at, windowMs);
}

/**
 * Whether the window of `time` (no later than the frontier) is still open at
 * the frontier: for what a late event changes in a window other than its
 * own (a late `started` gives its duration to the window of its promotion's
 * end, promotion-windows.ts).
 */
export function windowOpenAt(time: number, frontier: number, windowMs: number): boolean {
  return windowStart(time, windowMs) === windowStart(frontier, windowMs);
}
