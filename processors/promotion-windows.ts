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
 *   remembered) is a retry: the promotion keeps its first end, and its
 *   outcome is the retry's. It ends nothing again (`succeeded` / `failed`
 *   still count the event); when it changes the outcome, `successChanges`
 *   carries +1 (a failure retried into a success) or −1 (a success re-run
 *   and failed) under the window of the first end, which may have closed
 *   long before: the rule amends it there. started → failed → started →
 *   succeeded is one successful promotion, as in promotion_outcomes.
 * - Each promotion's outcome is also emitted as a `promotion-outcome` fact
 *   (table promotion_outcomes, what the dashboards and sql/ compute the
 *   success rate from): when it first ends, attributed to that time, and
 *   again, same first end, when a rollback follows its success
 *   (succeeded_then_rolled_back) or failure (failed, rolledBackAt set), or a
 *   retry changes it (its outcome; the first end stays while remembered).
 *   Counted outcomes (succeeded or failed) are remembered per (env,
 *   promotionId), under the first end, for `startedTtlMs` after it; a
 *   rollback or retry later than that, or of a promotion whose outcome was
 *   late (not counted), ends its promotion anew (a new first end for
 *   promotion_outcomes). Only one rollback per outcome is taken: after it
 *   the promotion is forgotten, and a retry after a rollback ends it anew.
 * - `late` promotion events are not counted (closed windows are never
 *   reopened; drift windows count them as late). A late `started` still
 *   records its start time, and a late terminal forgets it, so durations of
 *   promotions whose other end arrives in order stay right. Late events
 *   give no promotion-outcome either (the alert rule, judging closed
 *   windows, could not count them: the dashboards agree with it).
 *
 * Live-mode state: the open windows are per env, so whole (WholeStateStore);
 * the remembered start times are keyed (KeyedStateStore, under the
 * promotion's `<env>/<artifact>`), so they move with the key's partition: a
 * promotion that starts before a rebalance and ends after it still has its
 * duration, and the member that lost the key forgets it. Their timers
 * (window ends, start-time expiries at start + startedTtlMs) are re-derived
 * on restore.
 */
import { defaultProcessingOptions, type ProcessingOptions } from '../config/processing-options.js';
import { ConfigError } from '../lib/errors.js';
import { quantileOfSorted, sortedCopy } from '../lib/quantiles.js';
import { DAY, windowStart } from '../lib/time.js';
import type { PromotionEvent } from '../schemas/input-events.js';
import type { Fact, GateWindowRow, PromotionOutcome, PromotionWindowRow } from './facts.js';
import type { Emit, Processor } from './processor.js';
import { TimerQueue } from './timer-queue.js';
import { stateKey, type KeyedStateStore, type WholeStateStore } from './stateful.js';
import { KeyedEntries } from './keyed-entries.js';

export interface PromotionWindowsOptions {
  /** How long a `started` time is remembered waiting for its terminal event. Default 24 h. */
  startedTtlMs?: number;
}

interface GateAcc {
  passed: number;
  failed: number;
  durations: number[];
}

interface EnvWindow {
  started: number;
  succeeded: number;
  failed: number;
  rolledBack: number;
  rolledBackAfterSuccess: number;
  promotionsEnded: number;
  endedSucceeded: number;
  /** Changes of the success of promotions counted in earlier windows (or this one), by their windowEnd (PromotionWindowRow.successChanges). */
  successChanges: Map<number, number>;
  durations: number[];
  snapshotsVerified: number;
  snapshotsUnverified: number;
  gates: Map<string, GateAcc>;
}

/** Plain JSON form of the processor's whole state. */
export interface PromotionWindowsSnapshot {
  windows: Array<{ start: number; envs: Array<[env: string, window: EnvWindowSnapshot]> }>;
}

/** Plain JSON form of one key's remembered start times and counted outcomes. */
export interface PromotionStartsSnapshot {
  /** [`<env>\0<promotionId>`, started.occurredAt] */
  startedAt: Array<[string, number]>;
  /**
   * [`<env>\0<promotionId>`, first end] of promotions whose outcome is a
   * success; absent in snapshots from before it was kept. (Before retries
   * kept the first end: the time of the success, see endedOf.)
   */
  succeededAt?: Array<[string, number]>;
  /** [`<env>\0<promotionId>`, first end] of promotions whose outcome is a failure; as `succeededAt`. */
  failedAt?: Array<[string, number]>;
}

/**
 * `rolledBackAfterSuccess` and `promotionsEnded` are absent in snapshots from
 * before they were counted: restored as 0 and as what the window's counts
 * meant then (succeeded + failed + rolledBack − rolledBackAfterSuccess).
 * `successChanges` ([windowEnd, delta]) is absent in snapshots from before
 * retries changed outcomes: those hold `successesTakenBack` ([windowEnd,
 * count], successes taken back by rollbacks, i.e. −count), or, older still,
 * neither: their rollbacks are then taken back in their own window, as they
 * were counted then. `endedSucceeded` is absent before retries ended once:
 * `succeeded` was what the rule counted then.
 */
type EnvWindowSnapshot = Omit<EnvWindow, 'gates' | 'rolledBackAfterSuccess' | 'promotionsEnded' | 'endedSucceeded' | 'successChanges'> & {
  rolledBackAfterSuccess?: number;
  promotionsEnded?: number;
  endedSucceeded?: number;
  successChanges?: Array<[windowEnd: number, delta: number]>;
  successesTakenBack?: Array<[windowEnd: number, count: number]>;
  gates: Array<[gate: string, acc: GateAcc]>;
};

const WINDOW = 'w:';
const STARTED = 'p:';
const SUCCEEDED = 's:';
const FAILED = 'f:';

export class PromotionWindowsProcessor implements Processor, WholeStateStore, KeyedStateStore {
  readonly name = 'promotion-windows';
  private readonly windowMs: number;
  private readonly startedTtlMs: number;
  /** Window timers (`w:<start>` at windowEnd), start-time, success and failure expiries (`p:` / `s:` / `f:` + `<env>\0<promotionId>`). */
  private readonly timers = new TimerQueue();
  private readonly windows = new Map<number, Map<string, EnvWindow>>();
  /** Start times by `<env>\0<promotionId>`, under the promotion's key (keyed state: they move with its partition). */
  private readonly startedAt = new KeyedEntries<number>();
  /** First ends of the counted promotions that succeeded, by `<env>\0<promotionId>`, so a later rollback or failed retry takes the success back where it was counted. */
  private readonly succeededAt = new KeyedEntries<number>();
  /** First ends of the counted promotions that failed, by `<env>\0<promotionId>`, so a later rollback does not end it a second time and a successful retry gives it its success. */
  private readonly failedAt = new KeyedEntries<number>();

  constructor(options: Pick<ProcessingOptions, 'windowMs'> = defaultProcessingOptions, extra: PromotionWindowsOptions = {}) {
    if (!(options.windowMs > 0) || !Number.isFinite(options.windowMs)) {
      throw new ConfigError('windowMs', `must be a positive number of milliseconds, got ${options.windowMs}`);
    }
    this.windowMs = options.windowMs;
    this.startedTtlMs = extra.startedTtlMs ?? DAY;
  }

  handle(fact: Fact, emit: Emit): void {
    const at = fact.at; // read once: see readsAtOnce in processor.ts
    if (this.timers.hasDue(at)) this.fireTimers(at, emit);
    if (fact.kind !== 'event' && fact.kind !== 'late') return;
    const event = fact.envelope.event;
    if (event.type !== 'promotion') return;
    // One id per event, shared by the start-time and outcome bookkeeping below.
    const id = promotionKey(event);
    if (fact.kind === 'late') {
      this.trackDuration(id, event, fact.envelope.at);
      return;
    }
    const w = this.slot(at, event.env);
    const eventAt = fact.envelope.at;
    const duration = this.trackDuration(id, event, eventAt);
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
        const ended = this.endedOf(id);
        if (!ended) {
          w.promotionsEnded++;
          if (success) w.endedSucceeded++;
          this.rememberOutcome(id, event, success, eventAt);
          emitOutcome(emit, event, at, { firstEndedAt: eventAt, outcome: event.phase, decidedAt: eventAt });
          break;
        }
        // A retry under the same id: the promotion stays counted once, at its first end, now with this outcome.
        if (ended.succeeded !== success) {
          this.changeSuccess(w, ended.firstEndedAt, success ? 1 : -1);
          this.forgetOutcome(id);
          this.rememberOutcome(id, event, success, ended.firstEndedAt);
        }
        emitOutcome(emit, event, at, { firstEndedAt: ended.firstEndedAt, outcome: event.phase, decidedAt: eventAt });
        break;
      }
      case 'rolled_back': {
        w.rolledBack++;
        const ended = this.endedOf(id);
        this.forgetOutcome(id);
        if (ended?.succeeded) {
          w.rolledBackAfterSuccess++;
          this.changeSuccess(w, ended.firstEndedAt, -1);
          emitOutcome(emit, event, at, { firstEndedAt: ended.firstEndedAt, outcome: 'succeeded_then_rolled_back', decidedAt: eventAt, rolledBackAt: eventAt });
        } else if (ended) {
          emitOutcome(emit, event, at, { firstEndedAt: ended.firstEndedAt, outcome: 'failed', decidedAt: eventAt, rolledBackAt: eventAt });
        } else {
          w.promotionsEnded++;
          emitOutcome(emit, event, at, { firstEndedAt: eventAt, outcome: 'rolled_back', decidedAt: eventAt, rolledBackAt: eventAt });
        }
        break;
      }
      case 'snapshot':
        if (event.snapshot?.verified) w.snapshotsVerified++;
        else w.snapshotsUnverified++;
        break;
      case 'gate': {
        if (!event.gate) break;
        let g = w.gates.get(event.gate.name);
        if (!g) {
          g = { passed: 0, failed: 0, durations: [] };
          w.gates.set(event.gate.name, g);
        }
        if (event.gate.result === 'passed') g.passed++;
        else g.failed++;
        g.durations.push(event.gate.durationMs);
        break;
      }
    }
  }

  /** A closure written in `handle` would make V8 allocate its captured context on every call, due or not; here only when a timer is due. */
  private fireTimers(at: number, emit: Emit): void {
    this.timers.fireDue(at, (key, time) => {
      if (key.startsWith(WINDOW)) this.close(Number(key.slice(WINDOW.length)), time, emit);
      else if (key.startsWith(SUCCEEDED)) this.succeededAt.delete(key.slice(SUCCEEDED.length));
      else if (key.startsWith(FAILED)) this.failedAt.delete(key.slice(FAILED.length));
      else this.startedAt.delete(key.slice(STARTED.length));
    });
  }

  /** Windows not closed yet (per-env state: each closes, and emits its row, when event time passes its end). */
  get openWindows(): number {
    return this.windows.size;
  }

  /** Remembered start times (tests, metrics). */
  get pendingPromotions(): number {
    return this.startedAt.size;
  }

  snapshot(): PromotionWindowsSnapshot {
    return {
      windows: [...this.windows].map(([start, byEnv]) => ({
        start,
        envs: [...byEnv].map(([env, w]) => [
          env,
          {
            ...w,
            successChanges: [...w.successChanges],
            durations: [...w.durations],
            gates: [...w.gates].map(([gate, g]) => [gate, { ...g, durations: [...g.durations] }]),
          },
        ]),
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
      for (const [env, w] of envs) {
        const rolledBackAfterSuccess = w.rolledBackAfterSuccess ?? 0;
        const promotionsEnded = w.promotionsEnded ?? w.succeeded + w.failed + w.rolledBack - rolledBackAfterSuccess;
        const successChanges = new Map(
          w.successChanges ??
            w.successesTakenBack?.map(([end, count]): [number, number] => [end, -count]) ??
            (rolledBackAfterSuccess > 0 ? [[start + this.windowMs, -rolledBackAfterSuccess]] : []),
        );
        const { successesTakenBack: _legacy, ...counts } = w;
        byEnv.set(env, {
          ...counts,
          rolledBackAfterSuccess,
          promotionsEnded,
          endedSucceeded: w.endedSucceeded ?? w.succeeded,
          successChanges,
          durations: [...w.durations],
          gates: new Map(w.gates.map(([gate, g]) => [gate, { ...g, durations: [...g.durations] }])),
        });
      }
      this.windows.set(start, byEnv);
      this.timers.schedule(WINDOW + start, start + this.windowMs);
    }
  }

  drainDirtyKeys(): string[] {
    return [...new Set([...this.startedAt.drainDirtyKeys(), ...this.succeededAt.drainDirtyKeys(), ...this.failedAt.drainDirtyKeys()])];
  }

  snapshotKey(key: string): PromotionStartsSnapshot | undefined {
    const started = this.startedAt.idsOf(key);
    const succeeded = this.succeededAt.idsOf(key);
    const failed = this.failedAt.idsOf(key);
    if (started.length === 0 && succeeded.length === 0 && failed.length === 0) return undefined;
    return {
      startedAt: started.map((id) => [id, this.startedAt.get(id)!]),
      succeededAt: succeeded.map((id) => [id, this.succeededAt.get(id)!]),
      failedAt: failed.map((id) => [id, this.failedAt.get(id)!]),
    };
  }

  /** Replaces one key's start times and counted outcomes, and re-arms their expiries. */
  restoreKey(key: string, state: PromotionStartsSnapshot): void {
    this.restoreEntries(this.startedAt, STARTED, key, state.startedAt);
    this.restoreEntries(this.succeededAt, SUCCEEDED, key, state.succeededAt ?? []);
    this.restoreEntries(this.failedAt, FAILED, key, state.failedAt ?? []);
  }

  /** Forgets one key's start times and outcomes (its partition was revoked). */
  dropKey(key: string): void {
    for (const id of this.startedAt.dropKey(key)) this.timers.cancel(STARTED + id);
    for (const id of this.succeededAt.dropKey(key)) this.timers.cancel(SUCCEEDED + id);
    for (const id of this.failedAt.dropKey(key)) this.timers.cancel(FAILED + id);
  }

  private restoreEntries(entries: KeyedEntries<number>, prefix: string, key: string, state: Array<[string, number]>): void {
    for (const id of entries.restoreKey(key, state)) this.timers.cancel(prefix + id);
    for (const [id, at] of state) this.timers.schedule(prefix + id, at + this.startedTtlMs);
  }

  /**
   * The promotion's counted end, while remembered: its first end and whether
   * its outcome is a success now. A snapshot from before retries kept the
   * first end may hold both a success and a failure (their own times): the
   * later one is its outcome, the earlier its first end.
   */
  private endedOf(id: string): { firstEndedAt: number; succeeded: boolean } | undefined {
    const succeededAt = this.succeededAt.get(id);
    const failedAt = this.failedAt.get(id);
    if (succeededAt === undefined && failedAt === undefined) return undefined;
    if (failedAt === undefined) return { firstEndedAt: succeededAt!, succeeded: true };
    if (succeededAt === undefined) return { firstEndedAt: failedAt, succeeded: false };
    return { firstEndedAt: Math.min(succeededAt, failedAt), succeeded: succeededAt > failedAt };
  }

  /**
   * Remembers the promotion's outcome, under its first end (it expires
   * `startedTtlMs` after that end, whatever retries came since: the expiry
   * is re-derived from the value on restore).
   */
  private rememberOutcome(id: string, event: PromotionEvent, succeeded: boolean, firstEndedAt: number): void {
    const [entries, prefix] = succeeded ? [this.succeededAt, SUCCEEDED] : [this.failedAt, FAILED];
    entries.set(id, stateKey(event.env, event.artifact), firstEndedAt);
    this.timers.schedule(prefix + id, firstEndedAt + this.startedTtlMs);
  }

  /** Forgets the promotion's remembered outcome (a rollback took it, or a retry changes it). */
  private forgetOutcome(id: string): void {
    if (this.succeededAt.delete(id)) this.timers.cancel(SUCCEEDED + id);
    if (this.failedAt.delete(id)) this.timers.cancel(FAILED + id);
  }

  /** Records in `w` a change of the success of a promotion counted in the window of `firstEndedAt` (see successChanges). */
  private changeSuccess(w: EnvWindow, firstEndedAt: number, delta: number): void {
    const end = windowStart(firstEndedAt, this.windowMs) + this.windowMs;
    const changed = (w.successChanges.get(end) ?? 0) + delta;
    if (changed === 0) w.successChanges.delete(end);
    else w.successChanges.set(end, changed);
  }

  /** Records a start, or consumes it on a terminal phase and returns the duration. */
  private trackDuration(id: string, event: PromotionEvent, at: number): number | undefined {
    if (event.phase === 'started') {
      if (!this.startedAt.has(id)) {
        this.startedAt.set(id, stateKey(event.env, event.artifact), at);
        this.timers.schedule(STARTED + id, at + this.startedTtlMs);
      }
      return undefined;
    }
    if (event.phase !== 'succeeded' && event.phase !== 'failed' && event.phase !== 'rolled_back') return undefined;
    const started = this.startedAt.get(id);
    if (started === undefined) return undefined;
    this.startedAt.delete(id);
    this.timers.cancel(STARTED + id);
    return Math.max(0, at - started);
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
      w = {
        started: 0,
        succeeded: 0,
        failed: 0,
        rolledBack: 0,
        rolledBackAfterSuccess: 0,
        promotionsEnded: 0,
        endedSucceeded: 0,
        successChanges: new Map(),
        durations: [],
        snapshotsVerified: 0,
        snapshotsUnverified: 0,
        gates: new Map(),
      };
      byEnv.set(env, w);
    }
    return w;
  }

  private close(start: number, end: number, emit: Emit): void {
    const byEnv = this.windows.get(start);
    this.windows.delete(start);
    if (!byEnv) return;
    for (const env of [...byEnv.keys()].sort()) {
      const w = byEnv.get(env)!;
      const gates: GateWindowRow[] = [...w.gates.keys()].sort().map((gate) => {
        const g = w.gates.get(gate)!;
        const durations = sortedCopy(g.durations);
        return {
          gate,
          passed: g.passed,
          failed: g.failed,
          durationP50Ms: quantileOfSorted(durations, 0.5) ?? null,
          durationP90Ms: quantileOfSorted(durations, 0.9) ?? null,
        };
      });
      const durations = sortedCopy(w.durations);
      const row: PromotionWindowRow = {
        windowStart: start,
        windowEnd: end,
        env,
        started: w.started,
        succeeded: w.succeeded,
        failed: w.failed,
        rolledBack: w.rolledBack,
        rolledBackAfterSuccess: w.rolledBackAfterSuccess,
        promotionsEnded: w.promotionsEnded,
        endedSucceeded: w.endedSucceeded,
        successChanges: [...w.successChanges].sort(([a], [b]) => a - b).map(([windowEnd, delta]) => ({ windowEnd, delta })),
        durationCount: w.durations.length,
        durationSumMs: w.durations.reduce((a, b) => a + b, 0),
        durationP50Ms: quantileOfSorted(durations, 0.5) ?? null,
        durationP90Ms: quantileOfSorted(durations, 0.9) ?? null,
        durationMaxMs: w.durations.length > 0 ? w.durations.reduce((a, b) => (b > a ? b : a)) : null,
        snapshotsVerified: w.snapshotsVerified,
        snapshotsUnverified: w.snapshotsUnverified,
        gates,
      };
      emit({ kind: 'promotion-window', at: end, row });
    }
  }
}

/** One promotion: its id within its target env. */
function promotionKey(event: PromotionEvent): string {
  return `${event.env}\u0000${event.promotionId}`;
}

/** Emits what became of the promotion of `event` (at the event's time: facts stay in `at` order). */
function emitOutcome(emit: Emit, event: PromotionEvent, at: number, o: Pick<PromotionOutcome, 'firstEndedAt' | 'outcome' | 'decidedAt' | 'rolledBackAt'>): void {
  const outcome: PromotionOutcome = { env: event.env, artifact: event.artifact, promotionId: event.promotionId, ...o };
  if (event.correlationId !== undefined) outcome.correlationId = event.correlationId;
  emit({ kind: 'promotion-outcome', at, outcome });
}
