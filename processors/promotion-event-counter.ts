/**
 * What one lifecycle event of a promotion (started, succeeded, failed,
 * rolled_back) counts in its promotion window, and the promotion-outcome it
 * gives: whether it ends the promotion, its first end, its attempt's
 * duration, what a retry or a rollback changes — in event-time order, also
 * when a late event comes after others of its window (counted again in that
 * order) or after a restart or a rebalance (countAfterRestore). The SPEC
 * decisions of the windows (start times, durations, late events) are in
 * promotion-windows.ts; these are those of ends and outcomes.
 *
 * Decisions where the SPEC is silent:
 * - Each promotion ends once (`promotionsEnded`, in the window of its first
 *   terminal event), even when a rollback follows its `succeeded` or
 *   `failed`: CD tools commonly roll a failed canary back, and counting that
 *   promotion twice would lower the success rate and reach the success-rate
 *   rule's minimum of promotions early. `rolledBack` still counts every
 *   rollback event (the rollback panels show them all).
 * - A promotion that succeeded and was later rolled back did not succeed: the
 *   rollback also counts in `rolledBackAfterSuccess` (in the rollback's
 *   window; a column kept for compatibility) and in `successChanges` (−1)
 *   under the window of the promotion's first end, which is where the
 *   success rate counts it (`endedSucceeded` of `promotionsEnded`):
 *   sum(succeeded − rolledBackAfterSuccess) / sum(promotionsEnded) over a
 *   range mixed promotions of different windows (a rollback in a later
 *   window than its success took a success from promotions that ended in
 *   that later window: rates of 0, below 0 or above 1).
 * - A `succeeded` or `failed` under an id that already ended (and is still
 *   remembered) is a retry — after a failure, a success or a rollback: the
 *   promotion keeps its first end, and its outcome is the retry's. It ends
 *   nothing again (`succeeded` / `failed` still count the event); when it
 *   changes the outcome, `successChanges` carries +1 (a failure or a
 *   rollback retried into a success) or −1 (a success re-run and failed)
 *   under the window of the first end, which may have closed
 *   long before: the rule amends it there. started → failed → started →
 *   succeeded is one successful promotion, as in promotion_outcomes; so is
 *   started → succeeded → rolled_back → started → succeeded (a rollback
 *   forgot its promotion once, so the retry ended it a second time, in its
 *   own window: promotion_windows counted the promotion twice, the rule
 *   judged one success of two, and promotion_outcomes one of one).
 * - Each promotion's outcome is also emitted as a `promotion-outcome` fact
 *   (table promotion_outcomes, what the dashboards and sql/ compute the
 *   success rate from): when it first ends, attributed to that time, and
 *   again, same first end, when a rollback follows its success
 *   (succeeded_then_rolled_back) or failure (failed, rolledBackAt set), or a
 *   retry changes it (its outcome; the first end stays while remembered).
 *   Counted outcomes (succeeded, failed, or taken by a rollback) are
 *   remembered per (env, promotionId), under the first end, for
 *   `startedTtlMs` after it; a rollback or retry later than that, or of a
 *   promotion whose outcome was late (not counted), ends its promotion anew
 *   (a new first end for promotion_outcomes, and a second end in
 *   promotion_windows: state is bounded). A rollback takes the outcome it
 *   follows, once: a second rollback with no retry between takes nothing
 *   and gives no outcome (a rollback of a promotion nothing ended ends it).
 *
 * Split out of promotion-windows.ts so that the processor keeps to routing
 * facts, its windows and their timers, and the counting rules of the
 * lifecycle events (the intricate part) are read in one place. Methods, not
 * callbacks: the in-order path calls `count` directly, as before.
 */
import type { PromotionEvent } from '../schemas/input-events.js';
import type { PromotionOutcome } from './promotion-facts.js';
import type { Emit } from './processor.js';
import type { PromotionLifecycles } from './promotion-lifecycles.js';
import { addDifference, changeSuccess, countDuration, emptyEnvWindow, noteDecided, noteEndedBeforeRollback, recountDuration, type EnvWindow } from './promotion-window-counts.js';
import type { LoggedEvent, PromotionWindowLog } from './promotion-window-logs.js';

/** What a promotion-outcome says of its promotion beyond its identity (the deciding event gives that). */
export type OutcomeOf = Pick<PromotionOutcome, 'firstEndedAt' | 'outcome' | 'decidedAt' | 'rolledBackAt'>;

export class PromotionEventCounter {
  constructor(
    private readonly lifecycles: PromotionLifecycles,
    private readonly windowMs: number,
  ) {}

  /**
   * `logged`, learnt late, goes at `place` (before the end) among its
   * promotion's events of the window already counted in `w`: they are
   * counted again in event-time order and `w` takes the difference; when the
   * promotion's outcome is no longer the one last emitted, it is emitted again.
   */
  insertLate(w: EnvWindow, id: string, log: PromotionWindowLog, place: number, logged: LoggedEvent, at: number, emit: Emit): void {
    // Counted in windows of their own that end where `w` does (its notes tell a success counted in it from an earlier one's).
    const end = w.decided.windowEnd;
    const before = this.recount(id, log, end);
    log.events.splice(place, 0, logged);
    const after = this.recount(id, log, end);
    addDifference(w, before.counts, after.counts);
    const decided = after.outcome;
    if (decided && !sameOutcome(decided.o, before.outcome?.o)) emitOutcome(emit, decided.event, at, decided.o);
  }

  /**
   * What one promotion's logged events of the window give in event-time
   * order, from what was remembered before the first: their counts (in a
   * window of their own) and the outcome they leave. Leaves the promotion's
   * remembered state as those events leave it.
   */
  private recount(id: string, log: PromotionWindowLog, windowEnd: number): { counts: EnvWindow; outcome: { event: PromotionEvent; o: OutcomeOf } | undefined } {
    this.lifecycles.setState(id, log.key, log.base);
    const counts = emptyEnvWindow(windowEnd);
    let outcome: { event: PromotionEvent; o: OutcomeOf } | undefined;
    for (const { at, event } of log.events) {
      this.count(counts, id, event, at, this.lifecycles.trackDuration(id, event, at), (o) => (outcome = { event, o }));
    }
    return { counts, outcome };
  }

  /**
   * A late event of the window in progress none of whose promotion's events
   * of that window are known here, though the promotion's remembered state
   * shows some (they came before a restart or a rebalance, and logs are not
   * kept): a start of an attempt that already ended at or after it gives
   * that attempt its duration, first end − start, and is not left waiting;
   * a success or failure from before the rollback that ended its promotion
   * becomes its first end (endBeforeRollback). True when it was one of
   * those (counted); false for any other (nothing done: counted as in order).
   */
  countAfterRestore(w: EnvWindow, id: string, event: PromotionEvent, eventAt: number, at: number, emit: Emit): boolean {
    const lifecycles = this.lifecycles;
    const ended = lifecycles.endedOf(id);
    if (!ended || ended.firstEndedAt < eventAt) return false;
    if (event.phase === 'started') {
      w.started++;
      countDuration(w, event, ended.firstEndedAt - eventAt, ended.firstEndedAt);
      return true;
    }
    if (event.phase !== 'succeeded' && event.phase !== 'failed') return false;
    const byRollback = lifecycles.endedByRollbackOf(id);
    if (ended.outcome !== 'rolled_back' || ended.firstEndedAt === eventAt || !byRollback) return false;
    const duration = lifecycles.trackDuration(id, event, eventAt);
    if (duration !== undefined) countDuration(w, event, duration, eventAt);
    w[event.phase]++;
    this.endBeforeRollback(w, id, event, eventAt, ended.firstEndedAt, byRollback.durationMs, at, emit);
    return true;
  }

  /**
   * Counts in `w` one lifecycle event (started, succeeded, failed,
   * rolled_back) of promotion `id`, at `eventAt`, with the `duration` of the
   * attempt it ended, as in event-time order; `decide` gets the outcome it
   * gives its promotion, if any.
   */
  count(w: EnvWindow, id: string, event: PromotionEvent, eventAt: number, duration: number | undefined, decide: (o: OutcomeOf) => void): void {
    const lifecycles = this.lifecycles;
    if (duration !== undefined) countDuration(w, event, duration, eventAt);
    // What the event decides is noted in the window too, for the success rate alert's text (PromotionWindowRow.decided).
    const decideIn = (o: OutcomeOf) => {
      noteDecided(w, event, o, this.windowMs);
      decide(o);
    };
    switch (event.phase) {
      case 'started':
        w.started++;
        break;
      case 'succeeded':
      case 'failed': {
        const success = event.phase === 'succeeded';
        if (success) w.succeeded++;
        else w.failed++;
        const ended = lifecycles.endedOf(id);
        if (!ended) {
          w.promotionsEnded++;
          if (success) w.endedSucceeded++;
          lifecycles.rememberOutcome(id, event, event.phase, eventAt);
          decideIn({ firstEndedAt: eventAt, outcome: event.phase, decidedAt: eventAt });
          break;
        }
        // A retry under the same id (after a failure, a success or a rollback): the promotion stays counted once,
        // at its first end, now with this outcome.
        if ((ended.outcome === 'succeeded') !== success) changeSuccess(w, ended.firstEndedAt, success ? 1 : -1, this.windowMs);
        if (ended.outcome !== event.phase) lifecycles.rememberOutcome(id, event, event.phase, ended.firstEndedAt);
        decideIn({ firstEndedAt: ended.firstEndedAt, outcome: event.phase, decidedAt: eventAt });
        break;
      }
      case 'rolled_back': {
        w.rolledBack++;
        const ended = lifecycles.endedOf(id);
        // Rolled back already, and not retried since: nothing is left to take back, and nothing ends again.
        if (ended?.outcome === 'rolled_back') break;
        const firstEndedAt = ended?.firstEndedAt ?? eventAt;
        lifecycles.rememberOutcome(id, event, 'rolled_back', firstEndedAt);
        if (ended?.outcome === 'succeeded') {
          w.rolledBackAfterSuccess++;
          changeSuccess(w, firstEndedAt, -1, this.windowMs);
          decideIn({ firstEndedAt, outcome: 'succeeded_then_rolled_back', decidedAt: eventAt, rolledBackAt: eventAt });
        } else if (ended) {
          decideIn({ firstEndedAt, outcome: 'failed', decidedAt: eventAt, rolledBackAt: eventAt });
        } else {
          w.promotionsEnded++;
          lifecycles.rememberEndedByRollback(id, event, duration);
          decideIn({ firstEndedAt, outcome: 'rolled_back', decidedAt: eventAt, rolledBackAt: eventAt });
        }
        break;
      }
    }
  }

  /**
   * A success or failure (`event`, at `eventAt`, counted in `w`), learnt
   * late, of a promotion its rollback at `rolledBackAt` (later) ended itself,
   * having counted `rollbackMs` (null: no duration), when that rollback was
   * counted before a restart or a rebalance (countAfterRestore): in event-time order
   * it ended the promotion and the rollback followed (promotion-windows.ts). Gives
   * the counts and the outcome those events give in order.
   *
   * The rollback's window is `w`: facts come in `at` order, so the frontier
   * (`at`) is at or after the rollback, which is after this event, and this
   * event's window is the frontier's (it is open). The promotion's one end
   * stays in it; only the success, the duration and the first end change.
   */
  private endBeforeRollback(w: EnvWindow, id: string, event: PromotionEvent, eventAt: number, rolledBackAt: number, rollbackMs: number | null, at: number, emit: Emit): void {
    // The rollback's duration ran from the start to the rollback; in order that start is this end's, and the rollback has
    // none. (Not found: another member counted it, before a rebalance, and its row keeps it. A start after this end
    // was, in order, the rollback's.)
    if (rollbackMs !== null) {
      const toThisEnd = rollbackMs - (rolledBackAt - eventAt);
      if (toThisEnd >= 0) recountDuration(w, event, rollbackMs, toThisEnd, eventAt);
    }
    this.lifecycles.rememberOutcome(id, event, 'rolled_back', eventAt);
    if (event.phase === 'succeeded') {
      w.endedSucceeded++;
      w.rolledBackAfterSuccess++;
      changeSuccess(w, eventAt, -1, this.windowMs);
    }
    const outcome = event.phase === 'succeeded' ? 'succeeded_then_rolled_back' : 'failed';
    const o: OutcomeOf & { rolledBackAt: number } = { firstEndedAt: eventAt, outcome, decidedAt: rolledBackAt, rolledBackAt };
    noteEndedBeforeRollback(w, event, o, this.windowMs);
    emitOutcome(emit, event, at, o);
  }
}

/** Emits what became of the promotion of `event` (at the event's time: facts stay in `at` order). */
export function emitOutcome(emit: Emit, event: PromotionEvent, at: number, o: OutcomeOf): void {
  const outcome: PromotionOutcome = { env: event.env, artifact: event.artifact, promotionId: event.promotionId, ...o };
  if (event.correlationId !== undefined) outcome.correlationId = event.correlationId;
  emit({ kind: 'promotion-outcome', at, outcome });
}

function sameOutcome(a: OutcomeOf, b: OutcomeOf | undefined): boolean {
  return b !== undefined && a.firstEndedAt === b.firstEndedAt && a.outcome === b.outcome && a.decidedAt === b.decidedAt && a.rolledBackAt === b.rolledBackAt;
}
