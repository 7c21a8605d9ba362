/**
 * What the promotion windows remember of each promotion between its events
 * (see promotion-windows.ts and promotion-event-counter.ts for the SPEC
 * decisions they serve): its start time, until its first terminal event
 * gives its duration, and its counted
 * outcome (success, failure, or taken by a rollback) under its first end, so
 * a later rollback or retry changes that outcome where it was counted — and
 * a retry after a rollback does not end the promotion a second time; and
 * whether a rollback ended its promotion itself, so a success or failure
 * from before it, learnt late after a restart or a rebalance (the window's
 * event logs are not kept across them), becomes the first end. Each is remembered for
 * `startedTtlMs` (start times from the start, outcomes from the first end),
 * and at most MAX_PROMOTIONS_PER_KEY of each (start times, successes,
 * failures, rollbacks) per key, the newest: past it the oldest is forgotten
 * as if its span had passed (its terminal event then gives no duration, a
 * rollback or retry of it counts as of a promotion whose outcome is no longer
 * remembered), so state is bounded by keys, not by one producer's promotions.
 *
 * Live-mode state: all of it is keyed (KeyedStateStore, under the
 * promotion's `<env>/<artifact>`), so it moves with the key's partition: a
 * promotion that starts before a rebalance and ends after it still has its
 * duration, and the member that lost the key forgets it. The expiries are
 * timers on the processor's TimerQueue (one queue, so they fire in the same
 * order among its window ends as ever), re-derived on restore.
 */
import type { PromotionEvent } from '../schemas/input-events.js';
import { KeyedEntries, byTimeThenId } from './keyed-entries.js';
import { MAX_PROMOTIONS_PER_KEY } from './desired-state.js';
import { stateKey } from './stateful.js';
import type { TimerQueue } from './timer-queue.js';

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
  /**
   * [`<env>\0<promotionId>`, first end] of promotions whose outcome a
   * rollback took (or that a rollback ended); absent in snapshots from before
   * it was kept (a rollback forgot its promotion then).
   */
  rolledBackAt?: Array<[string, number]>;
  /**
   * [`<env>\0<promotionId>`, duration the rollback counted, or null] of the
   * promotions in `rolledBackAt` that their rollback ended itself (their
   * first end is the rollback's time); absent in snapshots from before it was
   * kept (their rollbacks are then not known to have ended them: a late
   * success or failure from before is taken as a retry, as then).
   */
  endedByRollback?: Array<[string, number | null]>;
}

/** What a remembered promotion's outcome is now: its last success or failure, unless a rollback came after it. */
export type CountedOutcome = 'succeeded' | 'failed' | 'rolled_back';

/** Timer key prefixes of the expiries (`p:` / `s:` / `f:` / `r:` + `<env>\0<promotionId>`). */
const STARTED = 'p:';
const SUCCEEDED = 's:';
const FAILED = 'f:';
const ROLLED_BACK = 'r:';

export class PromotionLifecycles {
  /** Start times by `<env>\0<promotionId>`, under the promotion's key (keyed state: they move with its partition). */
  private readonly startedAt = new KeyedEntries<number>();
  /** First ends of the counted promotions that succeeded, by `<env>\0<promotionId>`, so a later rollback or failed retry takes the success back where it was counted. */
  private readonly succeededAt = new KeyedEntries<number>();
  /** First ends of the counted promotions that failed, by `<env>\0<promotionId>`, so a later rollback does not end it a second time and a successful retry gives it its success. */
  private readonly failedAt = new KeyedEntries<number>();
  /** First ends of the counted promotions a rollback took (or ended), by `<env>\0<promotionId>`, so a retry after it is the same promotion: it changes that outcome and ends nothing again. */
  private readonly rolledBackAt = new KeyedEntries<number>();
  /**
   * Of those, the promotions their rollback ended itself (nothing ended them
   * before), with the duration that rollback counted (null: none), so a
   * success or failure from before the rollback, learnt late, can become the
   * first end as in event-time order (promotion-windows.ts). No expiry of its
   * own: it goes with the `rolledBackAt` entry.
   */
  private readonly endedByRollback = new KeyedEntries<number | null>();

  constructor(
    private readonly timers: TimerQueue,
    private readonly startedTtlMs: number,
  ) {}

  /** Remembered start times (tests, metrics). */
  get pendingPromotions(): number {
    return this.startedAt.size;
  }

  /** Forgets what the expiry timer `key` (one of this class's, not a window's) was set for; returns the promotion's id. */
  expire(key: string): string {
    // Every prefix is two characters (`p:`, `s:`, `f:`, `r:`).
    const id = key.slice(STARTED.length);
    if (key.startsWith(SUCCEEDED)) this.succeededAt.delete(id);
    else if (key.startsWith(FAILED)) this.failedAt.delete(id);
    else if (key.startsWith(ROLLED_BACK)) {
      this.rolledBackAt.delete(id);
      this.endedByRollback.delete(id);
    } else this.startedAt.delete(id);
    return id;
  }

  drainDirtyKeys(): string[] {
    return [
      ...new Set([...this.startedAt.drainDirtyKeys(), ...this.succeededAt.drainDirtyKeys(), ...this.failedAt.drainDirtyKeys(), ...this.rolledBackAt.drainDirtyKeys(), ...this.endedByRollback.drainDirtyKeys()]),
    ];
  }

  snapshotKey(key: string): PromotionStartsSnapshot | undefined {
    const started = this.startedAt.idsOf(key);
    const succeeded = this.succeededAt.idsOf(key);
    const failed = this.failedAt.idsOf(key);
    const rolledBack = this.rolledBackAt.idsOf(key);
    if (started.length === 0 && succeeded.length === 0 && failed.length === 0 && rolledBack.length === 0) return undefined;
    return {
      startedAt: started.map((id) => [id, this.startedAt.get(id)!]),
      succeededAt: succeeded.map((id) => [id, this.succeededAt.get(id)!]),
      failedAt: failed.map((id) => [id, this.failedAt.get(id)!]),
      rolledBackAt: rolledBack.map((id) => [id, this.rolledBackAt.get(id)!]),
      endedByRollback: this.endedByRollback.idsOf(key).map((id) => [id, this.endedByRollback.get(id)!]),
    };
  }

  /** Replaces one key's start times and counted outcomes, and re-arms their expiries. */
  restoreKey(key: string, state: PromotionStartsSnapshot): void {
    this.restoreEntries(this.startedAt, STARTED, key, state.startedAt);
    this.restoreEntries(this.succeededAt, SUCCEEDED, key, state.succeededAt ?? []);
    this.restoreEntries(this.failedAt, FAILED, key, state.failedAt ?? []);
    const rolledBack = this.restoreEntries(this.rolledBackAt, ROLLED_BACK, key, state.rolledBackAt ?? []);
    // It goes with its rolledBackAt entry (no expiry of its own): none for one the bound trimmed from an older record.
    this.endedByRollback.restoreKey(key, (state.endedByRollback ?? []).filter(([id]) => rolledBack.has(id)));
  }

  /** Forgets one key's start times and outcomes (its partition was revoked). */
  dropKey(key: string): void {
    for (const id of this.startedAt.dropKey(key)) this.timers.cancel(STARTED + id);
    for (const id of this.succeededAt.dropKey(key)) this.timers.cancel(SUCCEEDED + id);
    for (const id of this.failedAt.dropKey(key)) this.timers.cancel(FAILED + id);
    for (const id of this.rolledBackAt.dropKey(key)) this.timers.cancel(ROLLED_BACK + id);
    this.endedByRollback.dropKey(key);
  }

  /** Restores one kind of the key's entries, trimmed to the bound; returns the ids kept. */
  private restoreEntries(entries: KeyedEntries<number>, prefix: string, key: string, state: Array<[string, number]>): Set<string> {
    // Oldest first, so the bound forgets the oldest; a record from before the bound may hold more than it.
    // The order put()'s eviction forgets in (time, then id: oldestOf), so a record trimmed here keeps what a live run kept.
    const kept = [...state].sort(byTimeThenId).slice(-MAX_PROMOTIONS_PER_KEY);
    for (const id of entries.restoreKey(key, kept)) this.timers.cancel(prefix + id);
    for (const [id, at] of kept) this.timers.schedule(prefix + id, at + this.startedTtlMs);
    return new Set(kept.map(([id]) => id));
  }

  /**
   * Sets an entry and its expiry, forgetting the key's oldest entry of the kind past MAX_PROMOTIONS_PER_KEY: by
   * its time, ties by id, not the first set (a restore sets them in another order than late starts arrived, and a
   * restarted run must forget what an uninterrupted one does). Past the bound only: a scan of the key's entries.
   */
  private put(entries: KeyedEntries<number>, prefix: string, id: string, key: string, at: number): void {
    entries.set(id, key, at);
    this.timers.schedule(prefix + id, at + this.startedTtlMs);
    if (entries.countOf(key) <= MAX_PROMOTIONS_PER_KEY) return;
    const oldest = entries.oldestOf(key, (t) => t)!;
    entries.delete(oldest);
    this.timers.cancel(prefix + oldest);
    if (prefix === ROLLED_BACK) this.endedByRollback.delete(oldest);
  }

  /**
   * The promotion's counted end, while remembered: its first end and its
   * outcome now. A snapshot from before retries kept the first end may hold
   * both a success and a failure (their own times): the later one is its
   * outcome, the earlier its first end. (A rollback replaces both with its own entry, `rolledBackAt`.)
   */
  endedOf(id: string): { firstEndedAt: number; outcome: CountedOutcome } | undefined {
    const rolledBackAt = this.rolledBackAt.get(id);
    if (rolledBackAt !== undefined) return { firstEndedAt: rolledBackAt, outcome: 'rolled_back' };
    const succeededAt = this.succeededAt.get(id);
    const failedAt = this.failedAt.get(id);
    if (succeededAt === undefined && failedAt === undefined) return undefined;
    if (failedAt === undefined) return { firstEndedAt: succeededAt!, outcome: 'succeeded' };
    if (succeededAt === undefined) return { firstEndedAt: failedAt, outcome: 'failed' };
    return { firstEndedAt: Math.min(succeededAt, failedAt), outcome: succeededAt > failedAt ? 'succeeded' : 'failed' };
  }

  /**
   * Remembers the promotion's outcome (replacing the one remembered), under
   * its first end (it expires `startedTtlMs` after that end, whatever retries
   * and rollbacks came since: the expiry is re-derived from the value on
   * restore).
   */
  rememberOutcome(id: string, event: PromotionEvent, outcome: CountedOutcome, firstEndedAt: number): void {
    this.forgetOutcome(id);
    const [entries, prefix] =
      outcome === 'succeeded' ? [this.succeededAt, SUCCEEDED] : outcome === 'failed' ? [this.failedAt, FAILED] : [this.rolledBackAt, ROLLED_BACK];
    this.put(entries, prefix, id, stateKey(event.env, event.artifact), firstEndedAt);
  }

  private forgetOutcome(id: string): void {
    if (this.succeededAt.delete(id)) this.timers.cancel(SUCCEEDED + id);
    if (this.failedAt.delete(id)) this.timers.cancel(FAILED + id);
    if (this.rolledBackAt.delete(id)) this.timers.cancel(ROLLED_BACK + id);
    this.endedByRollback.delete(id);
  }

  /** Remembers, after its `rolled_back` outcome, that the rollback ended the promotion itself, having counted `durationMs`. */
  rememberEndedByRollback(id: string, event: PromotionEvent, durationMs: number | undefined): void {
    this.endedByRollback.set(id, stateKey(event.env, event.artifact), durationMs ?? null);
  }

  /**
   * Whether the promotion's rollback ended it itself (its remembered first
   * end is then the rollback's time), and the duration that rollback counted
   * (null: none); undefined when not (or not known: an older snapshot).
   */
  endedByRollbackOf(id: string): { durationMs: number | null } | undefined {
    const durationMs = this.endedByRollback.get(id);
    return durationMs === undefined ? undefined : { durationMs };
  }

  /**
   * A late `started` of a closed window (promotion-windows.ts): when its promotion already ended
   * at or after it (a remembered outcome), the attempt it began is over, so
   * it is not kept waiting for a terminal event — a later rollback or retry
   * would take it for its own start (a duration spanning both) — and the
   * attempt's duration and end are returned. Otherwise it is recorded as any
   * start (undefined).
   */
  trackLateStart(id: string, event: PromotionEvent, at: number): { durationMs: number; endedAt: number } | undefined {
    const ended = this.endedOf(id);
    if (ended !== undefined && ended.firstEndedAt >= at) return { durationMs: ended.firstEndedAt - at, endedAt: ended.firstEndedAt };
    this.trackDuration(id, event, at);
    return undefined;
  }

  /** Records a start, or consumes it on a terminal phase and returns the duration. */
  trackDuration(id: string, event: PromotionEvent, at: number): number | undefined {
    if (event.phase === 'started') {
      if (!this.startedAt.has(id)) this.put(this.startedAt, STARTED, id, stateKey(event.env, event.artifact), at);
      return undefined;
    }
    if (event.phase !== 'succeeded' && event.phase !== 'failed' && event.phase !== 'rolled_back') return undefined;
    const started = this.startedAt.get(id);
    if (started === undefined) return undefined;
    // A terminal event learnt late never takes a later start: in order, that start came after it (a retry's).
    if (started > at) return undefined;
    this.startedAt.delete(id);
    this.timers.cancel(STARTED + id);
    return at - started;
  }

  /** Everything remembered of one promotion (a copy), for `setState` to put back: promotion-window-replay.ts. */
  stateOf(id: string): PromotionState {
    return {
      startedAt: this.startedAt.get(id),
      succeededAt: this.succeededAt.get(id),
      failedAt: this.failedAt.get(id),
      rolledBackAt: this.rolledBackAt.get(id),
      endedByRollback: this.endedByRollback.get(id),
    };
  }

  /** Replaces what is remembered of one promotion (under its `key`) with `state`, expiries re-armed as they were set. */
  setState(id: string, key: string, state: PromotionState): void {
    this.setEntry(this.startedAt, STARTED, id, key, state.startedAt);
    this.setEntry(this.succeededAt, SUCCEEDED, id, key, state.succeededAt);
    this.setEntry(this.failedAt, FAILED, id, key, state.failedAt);
    this.setEntry(this.rolledBackAt, ROLLED_BACK, id, key, state.rolledBackAt);
    if (state.endedByRollback === undefined) this.endedByRollback.delete(id);
    else this.endedByRollback.set(id, key, state.endedByRollback);
  }

  private setEntry(entries: KeyedEntries<number>, prefix: string, id: string, key: string, at: number | undefined): void {
    if (at === undefined) {
      if (entries.delete(id)) this.timers.cancel(prefix + id);
      return;
    }
    this.put(entries, prefix, id, key, at);
  }
}

/** One promotion's remembered start and outcome entries (PromotionLifecycles.stateOf). */
export interface PromotionState {
  startedAt: number | undefined;
  succeededAt: number | undefined;
  failedAt: number | undefined;
  rolledBackAt: number | undefined;
  endedByRollback: number | null | undefined;
}

/** One promotion: its id within its target env. */
export function promotionKey(event: PromotionEvent): string {
  return `${event.env}\u0000${event.promotionId}`;
}
