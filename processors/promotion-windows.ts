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
 *   window's. A late terminal event ends its promotion (`promotionsEnded`,
 *   its promotion-outcome, first end = its own time), with its duration
 *   when the start is known; a late rollback or retry changes the outcome
 *   where it was counted, as in order; late gates and snapshots count.
 *   A late `started` counts in `started` and waits for its terminal event,
 *   unless its promotion already ended at or after it (a remembered
 *   outcome): then its attempt is over, and what users expect is that
 *   attempt's duration, first end − start, in the window of that end (open
 *   whenever the start's is; the start of a closed window gives it too if
 *   the end's window is still open); it is not left waiting, where a later
 *   rollback or retry would have taken it for its own start. (Not told
 *   apart: a second `started` of an attempt whose duration was counted,
 *   under a new event id, counts a second duration.) A late `succeeded` or
 *   `failed` learnt after the rollback that ended its promotion (nothing
 *   ended it before), from before that rollback, is what it is in
 *   event-time order: the promotion's first end, the rollback following it
 *   — succeeded_then_rolled_back (the success counts in `endedSucceeded`,
 *   `rolledBackAfterSuccess` and `successChanges` −1 take it back) or
 *   failed, rolled back; first end its time, decided at the rollback; the
 *   duration the rollback counted becomes the attempt's to that end. All in
 *   one window: the frontier is in the late event's window and at or after
 *   the rollback. Other late ends learnt after a later rollback or retry
 *   are still taken in the order they are learnt, as a retry (the outcome
 *   the late one's, the first end kept): one from before a rollback that
 *   followed an earlier end (which outcome the rollback took, and when that
 *   was decided, are not kept, and the in-order outcome depends on them),
 *   one learnt after a retry that followed the rollback, and one of a key
 *   restored from a snapshot written before `endedByRollback` was kept. A
 *   late `started` learnt between such a rollback (that knew no start) and
 *   the late end keeps the duration start → rollback.
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
import type { KeyedStateStore, WholeStateStore } from './stateful.js';
import { PromotionLifecycles, promotionKey, type PromotionStartsSnapshot } from './promotion-lifecycles.js';
import { changeSuccess, countGate, emptyEnvWindow, envWindowFromSnapshot, envWindowSnapshot, type EnvWindow, type EnvWindowSnapshot } from './promotion-window-counts.js';
import { promotionWindowRow } from './promotion-window-rows.js';
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
    const lifecycles = this.lifecycles;
    const eventAt = fact.envelope.at;
    let duration: number | undefined;
    if (fact.kind === 'late') {
      if (!lateEventWindowOpen(fact, this.windowMs)) {
        this.onLateOfClosedWindow(id, event, eventAt, at);
        return;
      }
      // Its window is open (the frontier's): from here on it counts as it would have in order.
      duration = event.phase === 'started' ? lifecycles.trackLateStart(id, event, eventAt)?.durationMs : lifecycles.trackDuration(id, event, eventAt);
    } else duration = lifecycles.trackDuration(id, event, eventAt);
    const w = this.slot(at, event.env);
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
          emitOutcome(emit, event, at, { firstEndedAt: eventAt, outcome: event.phase, decidedAt: eventAt });
          break;
        }
        if (ended.outcome === 'rolled_back' && eventAt < ended.firstEndedAt && this.endBeforeRollback(w, id, event, eventAt, ended.firstEndedAt, at, emit)) break;
        // A retry under the same id (after a failure, a success or a rollback): the promotion stays counted once,
        // at its first end, now with this outcome.
        if ((ended.outcome === 'succeeded') !== success) changeSuccess(w, ended.firstEndedAt, success ? 1 : -1, this.windowMs);
        if (ended.outcome !== event.phase) lifecycles.rememberOutcome(id, event, event.phase, ended.firstEndedAt);
        emitOutcome(emit, event, at, { firstEndedAt: ended.firstEndedAt, outcome: event.phase, decidedAt: eventAt });
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
          emitOutcome(emit, event, at, { firstEndedAt, outcome: 'succeeded_then_rolled_back', decidedAt: eventAt, rolledBackAt: eventAt });
        } else if (ended) {
          emitOutcome(emit, event, at, { firstEndedAt, outcome: 'failed', decidedAt: eventAt, rolledBackAt: eventAt });
        } else {
          w.promotionsEnded++;
          lifecycles.rememberEndedByRollback(id, event, duration);
          emitOutcome(emit, event, at, { firstEndedAt, outcome: 'rolled_back', decidedAt: eventAt, rolledBackAt: eventAt });
        }
        break;
      }
      case 'snapshot':
        if (event.snapshot?.verified) w.snapshotsVerified++;
        else w.snapshotsUnverified++;
        break;
      case 'gate':
        if (event.gate) countGate(w, event.gate);
        break;
    }
  }

  /**
   * A success or failure (`event`, at `eventAt`, counted in `w`), learnt
   * late, of a promotion its rollback at `rolledBackAt` (later) ended itself:
   * in event-time order it ended the promotion and the rollback followed
   * (module comment). Gives the counts and the outcome those events give in
   * order; false (nothing done) when the rollback is not known to have ended
   * the promotion itself (a key from an older snapshot).
   *
   * The rollback's window is `w`: facts come in `at` order, so the frontier
   * (`at`) is at or after the rollback, which is after this event, and this
   * event's window is the frontier's (it is open). The promotion's one end
   * stays in it; only the success, the duration and the first end change.
   */
  private endBeforeRollback(w: EnvWindow, id: string, event: PromotionEvent, eventAt: number, rolledBackAt: number, at: number, emit: Emit): boolean {
    const byRollback = this.lifecycles.endedByRollbackOf(id);
    if (!byRollback) return false;
    // The rollback's duration ran from the start to the rollback; in order that start is this end's, and the rollback has
    // none. (Not found: another member counted it, before a rebalance, and its row keeps it. A start after this end
    // was, in order, the rollback's.)
    const rollbackMs = byRollback.durationMs;
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
    return true;
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
      else this.lifecycles.expire(key);
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
    if (!byEnv) return;
    for (const env of [...byEnv.keys()].sort()) {
      emit({ kind: 'promotion-window', at: end, row: promotionWindowRow(start, end, env, byEnv.get(env)!) });
    }
  }
}

/** Emits what became of the promotion of `event` (at the event's time: facts stay in `at` order). */
function emitOutcome(emit: Emit, event: PromotionEvent, at: number, o: Pick<PromotionOutcome, 'firstEndedAt' | 'outcome' | 'decidedAt' | 'rolledBackAt'>): void {
  const outcome: PromotionOutcome = { env: event.env, artifact: event.artifact, promotionId: event.promotionId, ...o };
  if (event.correlationId !== undefined) outcome.correlationId = event.correlationId;
  emit({ kind: 'promotion-outcome', at, outcome });
}
