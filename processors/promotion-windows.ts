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
 * - What a promotion's ends, retries and rollbacks count (it ends once; a
 *   rollback takes the success it follows; a retry keeps the first end)
 *   and the promotion-outcome facts they give: promotion-event-counter.ts.
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
 * The per-promotion bookkeeping lives in promotion-lifecycles.ts, what a
 * lifecycle event counts in promotion-event-counter.ts, a window's counts in
 * promotion-window-counts.ts and its row in promotion-window-rows.ts; this
 * file routes each event to its window.
 */
import { defaultProcessingOptions, type ProcessingOptions } from '../config/processing-options.js';
import { ConfigError } from '../lib/errors.js';
import { DAY, windowStart } from '../lib/time.js';
import type { PromotionEvent } from '../schemas/input-events.js';
import type { Fact, FactKind } from './facts.js';
import { inputEventKinds, type Emit, type Processor } from './processor.js';
import { TimerQueue } from './timer-queue.js';
import { stateKey, type KeyedStateStore, type WholeStateStore } from './stateful.js';
import { PromotionLifecycles, promotionKey, type PromotionStartsSnapshot } from './promotion-lifecycles.js';
import { countDuration, countGate, emptyEnvWindow, envWindowFromSnapshot, envWindowSnapshot, type EnvWindow, type EnvWindowSnapshot } from './promotion-window-counts.js';
import { promotionWindowRow } from './promotion-window-rows.js';
import { loggedEvent, placeOf, PromotionWindowLogs } from './promotion-window-logs.js';
import { emitOutcome, PromotionEventCounter } from './promotion-event-counter.js';
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
  /** Other facts only fire the timers due by their time (Processor.reads). */
  readonly reads: ReadonlySet<FactKind> = inputEventKinds;
  private readonly windowMs: number;
  /** Window timers (`w:<start>` at windowEnd) and the lifecycles' start-time and outcome (success, failure, rollback) expiries, in one queue. */
  private readonly timers = new TimerQueue();
  private readonly windows = new Map<number, Map<string, EnvWindow>>();
  private readonly lifecycles: PromotionLifecycles;
  /** What each lifecycle event counts, with the lifecycles' bookkeeping. */
  private readonly counter: PromotionEventCounter;
  /** The window in progress's promotion events, to count a late one as in event-time order. */
  private readonly logs = new PromotionWindowLogs();

  constructor(options: Pick<ProcessingOptions, 'windowMs'> = defaultProcessingOptions, extra: PromotionWindowsOptions = {}) {
    if (!(options.windowMs > 0) || !Number.isFinite(options.windowMs)) {
      throw new ConfigError('windowMs', `must be a positive number of milliseconds, got ${options.windowMs}`);
    }
    this.windowMs = options.windowMs;
    this.lifecycles = new PromotionLifecycles(this.timers, extra.startedTtlMs ?? DAY);
    this.counter = new PromotionEventCounter(this.lifecycles, this.windowMs);
  }

  idleAt(at: number): boolean {
    return !this.timers.hasDue(at);
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
        if (event.gate) countGate(w, event, eventAt);
        return;
    }
    const start = windowStart(at, this.windowMs);
    let log = this.logs.get(start, id);
    if (!log) {
      if (fact.kind === 'late' && this.counter.countAfterRestore(w, id, event, eventAt, at, emit)) return;
      // Past the logs' bound the promotion goes unlogged in this window: a late event of it counts as after a restart.
      if (this.logs.hasRoom) log = this.logs.begin(start, id, stateKey(event.env, event.artifact), this.lifecycles.stateOf(id));
    }
    if (log) {
      const logged = { at: eventAt, event: loggedEvent(event) };
      const place = placeOf(log.events, logged);
      if (place < log.events.length) {
        // Learnt late, before events of its promotion already counted in this window: counted again in event-time order.
        this.counter.insertLate(w, id, log, place, logged, at, emit);
        this.logs.inserted(start, id, log);
        return;
      }
      this.logs.append(start, id, log, logged);
    }
    // In event-time order (the common case), or not logged: counted as it comes.
    this.counter.count(w, id, event, eventAt, this.lifecycles.trackDuration(id, event, eventAt), (o) => emitOutcome(emit, event, at, o));
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
    if (ended && windowOpenAt(ended.endedAt, at, this.windowMs)) countDuration(this.slot(at, event.env), event, ended.durationMs, ended.endedAt);
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

  /** Promotion events kept to count a late one of the window in progress in its place (tests, metrics). */
  get loggedEvents(): number {
    return this.logs.size;
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

  /**
   * Replaces one key's start times and counted outcomes, and re-arms their
   * expiries. Its promotions' logs of the window in progress go: they were
   * counted from the state the restore replaces, and a late event after it
   * counts as after any restore (module comment), not against them.
   */
  restoreKey(key: string, state: PromotionStartsSnapshot): void {
    this.lifecycles.restoreKey(key, state);
    this.logs.dropKey(key);
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
      w = emptyEnvWindow(start + this.windowMs);
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
