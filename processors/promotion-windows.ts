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
 *   no duration: a promotion contributes one duration.
 * - Each promotion ends once (`promotionsEnded`, in the window of its first
 *   terminal event), even when a rollback follows its `succeeded` or
 *   `failed`: CD tools commonly roll a failed canary back, and counting that
 *   promotion twice would lower the success rate and reach the success-rate
 *   rule's minimum of promotions early. `rolledBack` still counts every
 *   rollback event (the rollback panels show them all).
 * - A promotion that succeeded and was later rolled back did not succeed: the
 *   rollback also counts in `rolledBackAfterSuccess` (in the rollback's
 *   window; a column kept for compatibility) and in `successesTakenBack`
 *   under the window of the success, which is where the success rate counts
 *   it: sum(succeeded − rolledBackAfterSuccess) / sum(promotionsEnded) over
 *   a range mixed promotions of different windows (a rollback in a later
 *   window than its success took a success from promotions that ended in
 *   that later window: rates of 0, below 0 or above 1).
 * - Each promotion's outcome is also emitted as a `promotion-outcome` fact
 *   (table promotion_outcomes, what the dashboards and sql/ compute the
 *   success rate from): when it first ends, attributed to that time, and
 *   again, same first end, when a rollback follows its success
 *   (succeeded_then_rolled_back) or failure (failed, rolledBackAt set), or a
 *   retry ends it again (its outcome; the first end stays while remembered).
 *   Counted outcomes (succeeded or failed) are
 *   remembered per (env, promotionId) for `startedTtlMs` after them; a
 *   rollback later than that, or of a promotion whose outcome was late (not
 *   counted), is a plain rollback that ends its promotion (a new first end
 *   for promotion_outcomes). Only one rollback per outcome is taken. A
 *   `succeeded` or `failed` under an id that already ended is a retry and
 *   ends again (windows count it twice; promotion_outcomes keeps one row per
 *   promotion, with the retry's outcome).
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
  /** Successes of earlier windows (or this one) taken back by this window's rollbacks, by windowEnd of the success. */
  successesTakenBack: Map<number, number>;
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
  /** [`<env>\0<promotionId>`, succeeded.occurredAt]; absent in snapshots from before it was kept. */
  succeededAt?: Array<[string, number]>;
  /** [`<env>\0<promotionId>`, failed.occurredAt]; absent in snapshots from before it was kept. */
  failedAt?: Array<[string, number]>;
}

/**
 * `rolledBackAfterSuccess` and `promotionsEnded` are absent in snapshots from
 * before they were counted: restored as 0 and as what the window's counts
 * meant then (succeeded + failed + rolledBack − rolledBackAfterSuccess).
 * `successesTakenBack` ([windowEnd, count]) is absent in snapshots from
 * before it was kept: its rollbacks are then taken back in their own window,
 * as they were counted then.
 */
type EnvWindowSnapshot = Omit<EnvWindow, 'gates' | 'rolledBackAfterSuccess' | 'promotionsEnded' | 'successesTakenBack'> & {
  rolledBackAfterSuccess?: number;
  promotionsEnded?: number;
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
  /** Counted successes by `<env>\0<promotionId>`, so a later rollback of the promotion takes its success back. */
  private readonly succeededAt = new KeyedEntries<number>();
  /** Counted failures by `<env>\0<promotionId>`, so a later rollback of the promotion does not end it a second time. */
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
        if (event.phase === 'succeeded') w.succeeded++;
        else w.failed++;
        w.promotionsEnded++;
        // A retry keeps the promotion's first end while an earlier outcome is remembered.
        const firstEndedAt = Math.min(this.succeededAt.get(id) ?? Infinity, this.failedAt.get(id) ?? Infinity, eventAt);
        if (event.phase === 'succeeded') this.rememberOutcome(this.succeededAt, SUCCEEDED, id, event, eventAt);
        else this.rememberOutcome(this.failedAt, FAILED, id, event, eventAt);
        emitOutcome(emit, event, at, { firstEndedAt, outcome: event.phase, decidedAt: eventAt });
        break;
      }
      case 'rolled_back': {
        w.rolledBack++;
        const succeededAt = this.succeededAt.get(id);
        const failedAt = this.failedAt.get(id);
        if (this.forgetOutcome(this.succeededAt, SUCCEEDED, id)) {
          w.rolledBackAfterSuccess++;
          const successEnd = windowStart(succeededAt!, this.windowMs) + this.windowMs;
          w.successesTakenBack.set(successEnd, (w.successesTakenBack.get(successEnd) ?? 0) + 1);
          const firstEndedAt = Math.min(succeededAt!, failedAt ?? Infinity);
          emitOutcome(emit, event, at, { firstEndedAt, outcome: 'succeeded_then_rolled_back', decidedAt: eventAt, rolledBackAt: eventAt });
        } else if (this.forgetOutcome(this.failedAt, FAILED, id)) {
          emitOutcome(emit, event, at, { firstEndedAt: failedAt!, outcome: 'failed', decidedAt: eventAt, rolledBackAt: eventAt });
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
            successesTakenBack: [...w.successesTakenBack],
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
        const successesTakenBack = new Map(w.successesTakenBack ?? (rolledBackAfterSuccess > 0 ? [[start + this.windowMs, rolledBackAfterSuccess]] : []));
        byEnv.set(env, {
          ...w,
          rolledBackAfterSuccess,
          promotionsEnded,
          successesTakenBack,
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

  /** Remembers a counted success or failure of the promotion (expiring `startedTtlMs` after it). */
  private rememberOutcome(entries: KeyedEntries<number>, prefix: string, id: string, event: PromotionEvent, at: number): void {
    if (entries.has(id)) return;
    entries.set(id, stateKey(event.env, event.artifact), at);
    this.timers.schedule(prefix + id, at + this.startedTtlMs);
  }

  /** True when the promotion's outcome was counted and not yet taken by a rollback; takes it. */
  private forgetOutcome(entries: KeyedEntries<number>, prefix: string, id: string): boolean {
    if (!entries.delete(id)) return false;
    this.timers.cancel(prefix + id);
    return true;
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
        successesTakenBack: new Map(),
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
        successesTakenBack: [...w.successesTakenBack].sort(([a], [b]) => a - b).map(([windowEnd, count]) => ({ windowEnd, count })),
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
