/**
 * 5-minute promotion windows per env (SPEC §5): lifecycle counts, promotion
 * duration quantiles, snapshot verification and per-gate pass/fail.
 *
 * Every promotion `event` counts in the epoch-aligned window of its own time;
 * terminal phases (succeeded, failed, rolled_back) count in the window of the
 * terminal event. A promotion's duration is terminal.at − started.at for the
 * same promotionId in the same env, so a promotion that starts in one window
 * and ends in a later one reports its duration in the later window. A window
 * closes (timer at windowEnd) on the first fact with `at >= windowEnd` and
 * emits one `promotion-window` row per env with activity, `at = windowEnd`.
 *
 * Decisions where the SPEC is silent:
 * - Start times are remembered per (env, promotionId) until the first terminal
 *   event or for `startedTtlMs` (default 24 h), whichever comes first, so state
 *   is bounded by the promotions started in a day. A second terminal event for
 *   the same promotion (e.g. rolled_back after succeeded) is counted, but has
 *   no duration: an attempt (a `started` and its terminal event) contributes
 *   one duration. A promotion retried under its id after a failure (started
 *   again) contributes one per attempt: each run took its time, and the time
 *   between the failure and the retry (often a person deciding) is no
 *   promotion's. Gate runs are per run too: a retried gate counts again.
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
 * - A `late` promotion event whose own window is still open (the frontier is
 *   in it, late-window.ts) counts there exactly as it would have in order,
 *   at the frontier: SPEC §4.7 only keeps late events out of *closed*
 *   windows, and a success or failure reported a minute late is still that
 *   window's. Late gates and snapshots count (their order does not matter).
 *   A late start or end takes its place among its promotion's events of
 *   that window (promotion-window-logs.ts keeps them, and what was
 *   remembered of the promotion before them): they are counted again in
 *   event-time order and the window takes the difference — ends, first
 *   end, which start each end takes (its attempt's duration), the outcome a
 *   rollback takes and retries change — and when the promotion's outcome is
 *   no longer the one last emitted, its promotion-outcome is emitted again
 *   (the events' own times; `at` the frontier). So the window's row and
 *   promotion_outcomes under FINAL are those of event-time order, whatever
 *   the arrival within the open window (test/unit/aggregates/
 *   promotion-late-order.test.ts). Not kept across a restart or a
 *   rebalance (in memory): a late event of a promotion whose events of the
 *   window came before one is taken after them, except that a start of an
 *   attempt already ended at or after it gives that attempt its duration,
 *   first end − start, and a success or failure from before the rollback
 *   that ended its promotion (`endedByRollback`, keyed) becomes its first
 *   end, the rollback following it (endBeforeRollback); not a late end from
 *   before a rollback that followed an earlier end, before a retry's end,
 *   or before the first end. A terminal event never takes a start later
 *   than itself (that start is a retry's).
 * - A late event of a closed window counts in no window and gives no
 *   promotion-outcome (the alert rule, judging closed windows, could not
 *   count it: the dashboards agree with it; drift windows count it as
 *   late). Its start or end still updates the bookkeeping: a late `started`
 *   records its start time (or, of an attempt that already ended, gives its
 *   duration as above), a late terminal consumes it, so durations of
 *   promotions whose other end arrives in order stay right.
 *
 * Live-mode state: the open windows are per env, so whole (WholeStateStore);
 * the remembered start times and outcomes are keyed (KeyedStateStore, see
 * promotion-lifecycles.ts). Their timers (window ends, start-time and
 * outcome expiries) are re-derived on restore.
 *
 * The per-promotion bookkeeping lives in promotion-lifecycles.ts, a window's
 * counts in promotion-window-counts.ts and its row in
 * promotion-window-rows.ts; this file decides what each event counts.
 */
import { defaultProcessingOptions, type ProcessingOptions } from '../config/processing-options.js';
import { ConfigError } from '../lib/errors.js';
import { DAY, windowStart } from '../lib/time.js';
import type { PromotionEvent } from '../schemas/input-events.js';
import type { Fact, PromotionOutcome } from './facts.js';
import type { Emit, Processor } from './processor.js';
import { TimerQueue } from './timer-queue.js';
import { stateKey, type KeyedStateStore, type WholeStateStore } from './stateful.js';
import { PromotionLifecycles, promotionKey, type PromotionStartsSnapshot } from './promotion-lifecycles.js';
import { addDifference, changeSuccess, countGate, emptyEnvWindow, envWindowFromSnapshot, envWindowSnapshot, type EnvWindow, type EnvWindowSnapshot } from './promotion-window-counts.js';
import { promotionWindowRow } from './promotion-window-rows.js';
import { placeOf, PromotionWindowLogs, type PromotionWindowLog } from './promotion-window-logs.js';
import { lateEventWindowOpen, windowOpenAt } from './late-window.js';

export type { PromotionStartsSnapshot } from './promotion-lifecycles.js';

export interface PromotionWindowsOptions {
  /** How long a `started` time is remembered waiting for its terminal event. Default 24 h. */
  startedTtlMs?: number;
}

/** Plain JSON form of the processor's whole state. */
export interface PromotionWindowsSnapshot {
  windows: Array<{ start: number; envs: Array<[env: string, window: EnvWindowSnapshot]> }>;
}

/** Timer key prefix of the window ends (`w:<start>`); the lifecycles' expiries have their own. */
const WINDOW = 'w:';

export class PromotionWindowsProcessor implements Processor, WholeStateStore, KeyedStateStore {
  readonly name = 'promotion-windows';
  private readonly windowMs: number;
  /** Window timers (`w:<start>` at windowEnd) and the lifecycles' start-time and outcome (success, failure, rollback) expiries, in one queue. */
  private readonly timers = new TimerQueue();
  private readonly windows = new Map<number, Map<string, EnvWindow>>();
  private readonly lifecycles: PromotionLifecycles;
  /** The window in progress's promotion events, to count a late one as in event-time order. */
  private readonly logs = new PromotionWindowLogs();

  constructor(options: Pick<ProcessingOptions, 'windowMs'> = defaultProcessingOptions, extra: PromotionWindowsOptions = {}) {
    if (!(options.windowMs > 0) || !Number.isFinite(options.windowMs)) {
      throw new ConfigError('windowMs', `must be a positive number of milliseconds, got ${options.windowMs}`);
    }
    this.windowMs = options.windowMs;
    this.lifecycles = new PromotionLifecycles(this.timers, extra.startedTtlMs ?? DAY);
  }

  handle(fact: Fact, emit: Emit): void {
    const at = fact.at; // read once: see readsAtOnce in processor.ts
    if (this.timers.hasDue(at)) this.fireTimers(at, emit);
    if (fact.kind !== 'event' && fact.kind !== 'late') return;
    const event = fact.envelope.event;
    if (event.type !== 'promotion') return;
    // One id per event, shared by the start-time and outcome bookkeeping below.
    const id = promotionKey(event);
    const eventAt = fact.envelope.at;
    if (fact.kind === 'late' && !lateEventWindowOpen(fact, this.windowMs)) {
      this.onLateOfClosedWindow(id, event, eventAt, at);
      this.logs.forget(id);
      return;
    }
    // From here on, a late event's window is open (the frontier's): it counts as it would have in order.
    const w = this.slot(at, event.env);
    switch (event.phase) {
      case 'snapshot':
        if (event.snapshot?.verified) w.snapshotsVerified++;
        else w.snapshotsUnverified++;
        return;
      case 'gate':
        if (event.gate) countGate(w, event.gate);
        return;
    }
    const start = windowStart(at, this.windowMs);
    let log = this.logs.get(start, id);
    if (!log) {
      const base = this.lifecycles.stateOf(id);
      if (fact.kind === 'late' && this.countAfterRestore(w, id, event, eventAt, at, emit)) return;
      log = this.logs.begin(start, id, stateKey(event.env, event.artifact), base);
    }
    const logged = { at: eventAt, event };
    const place = placeOf(log.events, logged);
    if (place === log.events.length) {
      // In event-time order (the common case): counted as it comes.
      log.events.push(logged);
      this.count(w, id, event, eventAt, this.lifecycles.trackDuration(id, event, eventAt), (o) => emitOutcome(emit, event, at, o));
      return;
    }
    // Learnt late, before events of its promotion already counted in this window: counted again in event-time order.
    const before = this.recount(id, log);
    log.events.splice(place, 0, logged);
    const after = this.recount(id, log);
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
  private recount(id: string, log: PromotionWindowLog): { counts: EnvWindow; outcome: { event: PromotionEvent; o: OutcomeOf } | undefined } {
    this.lifecycles.setState(id, log.key, log.base);
    const counts = emptyEnvWindow();
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
  private countAfterRestore(w: EnvWindow, id: string, event: PromotionEvent, eventAt: number, at: number, emit: Emit): boolean {
    const lifecycles = this.lifecycles;
    const ended = lifecycles.endedOf(id);
    if (!ended || ended.firstEndedAt < eventAt) return false;
    if (event.phase === 'started') {
      w.started++;
      w.durations.push(ended.firstEndedAt - eventAt);
      return true;
    }
    if (event.phase !== 'succeeded' && event.phase !== 'failed') return false;
    const byRollback = lifecycles.endedByRollbackOf(id);
    if (ended.outcome !== 'rolled_back' || ended.firstEndedAt === eventAt || !byRollback) return false;
    const duration = lifecycles.trackDuration(id, event, eventAt);
    if (duration !== undefined) w.durations.push(duration);
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
  private count(w: EnvWindow, id: string, event: PromotionEvent, eventAt: number, duration: number | undefined, decide: (o: OutcomeOf) => void): void {
    const lifecycles = this.lifecycles;
    if (duration !== undefined) w.durations.push(duration);
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
          decide({ firstEndedAt: eventAt, outcome: event.phase, decidedAt: eventAt });
          break;
        }
        // A retry under the same id (after a failure, a success or a rollback): the promotion stays counted once,
        // at its first end, now with this outcome.
        if ((ended.outcome === 'succeeded') !== success) changeSuccess(w, ended.firstEndedAt, success ? 1 : -1, this.windowMs);
        if (ended.outcome !== event.phase) lifecycles.rememberOutcome(id, event, event.phase, ended.firstEndedAt);
        decide({ firstEndedAt: ended.firstEndedAt, outcome: event.phase, decidedAt: eventAt });
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
          decide({ firstEndedAt, outcome: 'succeeded_then_rolled_back', decidedAt: eventAt, rolledBackAt: eventAt });
        } else if (ended) {
          decide({ firstEndedAt, outcome: 'failed', decidedAt: eventAt, rolledBackAt: eventAt });
        } else {
          w.promotionsEnded++;
          lifecycles.rememberEndedByRollback(id, event, duration);
          decide({ firstEndedAt, outcome: 'rolled_back', decidedAt: eventAt, rolledBackAt: eventAt });
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
   * it ended the promotion and the rollback followed (module comment). Gives
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
      const counted = w.durations.indexOf(rollbackMs);
      const toThisEnd = rollbackMs - (rolledBackAt - eventAt);
      if (counted >= 0 && toThisEnd >= 0) w.durations[counted] = toThisEnd;
    }
    this.lifecycles.rememberOutcome(id, event, 'rolled_back', eventAt);
    if (event.phase === 'succeeded') {
      w.endedSucceeded++;
      w.rolledBackAfterSuccess++;
      changeSuccess(w, eventAt, -1, this.windowMs);
    }
    const outcome = event.phase === 'succeeded' ? 'succeeded_then_rolled_back' : 'failed';
    emitOutcome(emit, event, at, { firstEndedAt: eventAt, outcome, decidedAt: rolledBackAt, rolledBackAt });
  }

  /**
   * A late event of a closed window counts in no window (module comment);
   * its lifecycle bookkeeping still follows it: a start is remembered, a
   * terminal event consumes it, and a start of an attempt that already ended
   * gives its duration to the window of that end while it is open.
   */
  private onLateOfClosedWindow(id: string, event: PromotionEvent, eventAt: number, at: number): void {
    if (event.phase !== 'started') {
      this.lifecycles.trackDuration(id, event, eventAt);
      return;
    }
    const ended = this.lifecycles.trackLateStart(id, event, eventAt);
    if (ended && windowOpenAt(ended.endedAt, at, this.windowMs)) this.slot(at, event.env).durations.push(ended.durationMs);
  }

  /** A closure written in `handle` would make V8 allocate its captured context on every call, due or not; here only when a timer is due. */
  private fireTimers(at: number, emit: Emit): void {
    this.timers.fireDue(at, (key, time) => {
      if (key.startsWith(WINDOW)) this.close(Number(key.slice(WINDOW.length)), time, emit);
      else this.logs.forget(this.lifecycles.expire(key));
    });
  }

  /** Windows not closed yet (per-env state: each closes, and emits its row, when event time passes its end). */
  get openWindows(): number {
    return this.windows.size;
  }

  /** Remembered start times (tests, metrics). */
  get pendingPromotions(): number {
    return this.lifecycles.pendingPromotions;
  }

  snapshot(): PromotionWindowsSnapshot {
    return {
      windows: [...this.windows].map(([start, byEnv]) => ({
        start,
        envs: [...byEnv].map(([env, w]) => [env, envWindowSnapshot(w)]),
      })),
    };
  }

  /**
   * Replaces the open windows with a snapshot and re-arms their ends; the
   * start times are keyed state and stay as restored (those a checkpoint
   * from before they were keyed lists here are not taken: their keys may
   * belong to another member now).
   */
  restore(state: PromotionWindowsSnapshot): void {
    for (const start of this.windows.keys()) this.timers.cancel(WINDOW + start);
    this.windows.clear();
    this.logs.clear();
    for (const { start, envs } of state.windows) {
      const byEnv = new Map<string, EnvWindow>();
      for (const [env, w] of envs) byEnv.set(env, envWindowFromSnapshot(w, start + this.windowMs));
      this.windows.set(start, byEnv);
      this.timers.schedule(WINDOW + start, start + this.windowMs);
    }
  }

  drainDirtyKeys(): string[] {
    return this.lifecycles.drainDirtyKeys();
  }

  snapshotKey(key: string): PromotionStartsSnapshot | undefined {
    return this.lifecycles.snapshotKey(key);
  }

  /** Replaces one key's start times and counted outcomes, and re-arms their expiries. */
  restoreKey(key: string, state: PromotionStartsSnapshot): void {
    this.lifecycles.restoreKey(key, state);
  }

  /** Forgets one key's start times and outcomes (its partition was revoked). */
  dropKey(key: string): void {
    this.lifecycles.dropKey(key);
    this.logs.dropKey(key);
  }

  private slot(at: number, env: string): EnvWindow {
    const start = windowStart(at, this.windowMs);
    let byEnv = this.windows.get(start);
    if (!byEnv) {
      byEnv = new Map();
      this.windows.set(start, byEnv);
      this.timers.schedule(WINDOW + start, start + this.windowMs);
    }
    let w = byEnv.get(env);
    if (!w) {
      w = emptyEnvWindow();
      byEnv.set(env, w);
    }
    return w;
  }

  private close(start: number, end: number, emit: Emit): void {
    const byEnv = this.windows.get(start);
    this.windows.delete(start);
    this.logs.closeWindow(start);
    if (!byEnv) return;
    for (const env of [...byEnv.keys()].sort()) {
      emit({ kind: 'promotion-window', at: end, row: promotionWindowRow(start, end, env, byEnv.get(env)!) });
    }
  }
}

/** Emits what became of the promotion of `event` (at the event's time: facts stay in `at` order). */
function emitOutcome(emit: Emit, event: PromotionEvent, at: number, o: OutcomeOf): void {
  const outcome: PromotionOutcome = { env: event.env, artifact: event.artifact, promotionId: event.promotionId, ...o };
  if (event.correlationId !== undefined) outcome.correlationId = event.correlationId;
  emit({ kind: 'promotion-outcome', at, outcome });
}

/** What a promotion-outcome says of its promotion beyond its identity (the deciding event gives that). */
type OutcomeOf = Pick<PromotionOutcome, 'firstEndedAt' | 'outcome' | 'decidedAt' | 'rolledBackAt'>;

function sameOutcome(a: OutcomeOf, b: OutcomeOf | undefined): boolean {
  return b !== undefined && a.firstEndedAt === b.firstEndedAt && a.outcome === b.outcome && a.decidedAt === b.decidedAt && a.rolledBackAt === b.rolledBackAt;
}
