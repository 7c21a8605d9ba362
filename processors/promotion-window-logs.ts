/**
 * What the promotion windows keep to count a late promotion event of the
 * window in progress as in event-time order (SPEC §4.7; promotion-windows.ts
 * decides what each event counts): per promotion, its lifecycle events
 * (started, succeeded, failed, rolled_back) of that window in event-time
 * order, and what was remembered of it before the first of them. A late one
 * is put in its place and the promotion's events of the window counted again
 * from there; the window takes the difference. Only the window in progress
 * needs it (a late event of a closed window counts in none), so a window's
 * logs go when it closes.
 *
 * Bounded: at most MAX_LOGGED_EVENTS events in all, each a copy of what
 * counting it again reads (loggedEvent: not the free-text `reason` past what
 * an alert quotes of it, nor fields the engine does not know). A promotion
 * whose event would go past the bound is no longer logged in that window,
 * and one that begins once it is reached is not: a late event of theirs is
 * taken as after a restart (below) — the same counts, but in the order
 * learnt. A window of ordinary promotions is far below the bound.
 *
 * In memory only, not in the keyed state: after a restart or a rebalance a
 * promotion's events of the window in progress before it are not known
 * here, and a late event of it is taken in the order it is learnt relative
 * to those (promotion-windows.ts).
 */
import type { PromotionEvent } from '../schemas/input-events.js';
import type { PromotionState } from './promotion-lifecycles.js';
import { MAX_NAMED_REASON } from './promotion-window-counts.js';

/** Most promotion events logged at once (see the module comment). */
export const MAX_LOGGED_EVENTS = 4096;

/** The optional fields counting an event again reads (promotion-event-counter.ts: names, outcomes, the alert texts). */
const READ_AGAIN = ['version', 'digest', 'rollbackTo', 'actor', 'correlationId'] as const;

/**
 * The part of `event` a log keeps: what counting it again reads. Its
 * `reason` is cut one character past what an alert quotes (clipText of the
 * cut gives what clipText of the whole gives); optional fields are copied as
 * they are, null included (an outcome carries a null correlationId as null).
 */
export function loggedEvent(event: PromotionEvent): PromotionEvent {
  const { type, eventId, occurredAt, env, artifact, promotionId, phase } = event;
  const kept: PromotionEvent = { type, eventId, occurredAt, env, artifact, promotionId, phase };
  const from = event as Record<string, unknown>;
  const to = kept as Record<string, unknown>;
  for (const field of READ_AGAIN) if (from[field] !== undefined) to[field] = from[field];
  if (event.rollbackTo != null) kept.rollbackTo = { version: event.rollbackTo.version, digest: event.rollbackTo.digest };
  if (from.reason !== undefined) to.reason = typeof event.reason === 'string' ? event.reason.slice(0, MAX_NAMED_REASON + 1) : from.reason;
  return kept;
}

export interface LoggedEvent {
  at: number;
  event: PromotionEvent;
}

export interface PromotionWindowLog {
  /** The promotion's state key (`<env>/<artifact>`). */
  key: string;
  /** What was remembered of the promotion before its first event of the window. */
  base: PromotionState;
  /** Its lifecycle events of the window, in the event-time orderer's order (time, then eventId). */
  events: LoggedEvent[];
}

/** Where `e` goes among `events` in the order the event-time orderer releases them (time, then eventId). */
export function placeOf(events: readonly LoggedEvent[], e: LoggedEvent): number {
  let i = events.length;
  while (i > 0 && (events[i - 1]!.at > e.at || (events[i - 1]!.at === e.at && events[i - 1]!.event.eventId > e.event.eventId))) i--;
  return i;
}

/** Where a log is kept: its window and promotion. */
type LogPlace = readonly [windowStart: number, id: string];

export class PromotionWindowLogs {
  /** By window start, then promotion (`<env>\0<promotionId>`). */
  private readonly byWindow = new Map<number, Map<string, PromotionWindowLog>>();
  /**
   * The same logs by state key, with where each is kept: a rebalance drops or
   * restores its keys one by one, and finding a key's logs by a walk over
   * every key's made that quadratic in the keys.
   */
  private readonly byKey = new Map<string, Map<PromotionWindowLog, LogPlace>>();
  /** Events in all the logs. */
  private events = 0;

  /** Events logged in every window in progress (tests, metrics). */
  get size(): number {
    return this.events;
  }

  /** Whether a promotion's log may begin (the bound is not reached). */
  get hasRoom(): boolean {
    return this.events < MAX_LOGGED_EVENTS;
  }

  get(windowStart: number, id: string): PromotionWindowLog | undefined {
    return this.byWindow.get(windowStart)?.get(id);
  }

  begin(windowStart: number, id: string, key: string, base: PromotionState): PromotionWindowLog {
    let logs = this.byWindow.get(windowStart);
    if (!logs) {
      logs = new Map();
      this.byWindow.set(windowStart, logs);
    }
    const replaced = logs.get(id);
    if (replaced) this.unindex(replaced);
    const log: PromotionWindowLog = { key, base, events: [] };
    logs.set(id, log);
    let ofKey = this.byKey.get(key);
    if (!ofKey) this.byKey.set(key, (ofKey = new Map()));
    ofKey.set(log, [windowStart, id]);
    return log;
  }

  /** `logged` (loggedEvent's) goes at the end of `log`, its place in the window starting at `windowStart` (`id`'s); past the bound, the log goes instead. */
  append(windowStart: number, id: string, log: PromotionWindowLog, logged: LoggedEvent): void {
    if (this.events >= MAX_LOGGED_EVENTS) {
      this.drop(windowStart, id, log);
      return;
    }
    log.events.push(logged);
    this.events++;
  }

  /** One event was put into `log` (a late one, in its place); past the bound, the log goes. */
  inserted(windowStart: number, id: string, log: PromotionWindowLog): void {
    this.events++;
    if (this.events > MAX_LOGGED_EVENTS) this.drop(windowStart, id, log);
  }

  /** The window starting at `windowStart` closed: no late event counts in it any more. */
  closeWindow(windowStart: number): void {
    for (const log of this.byWindow.get(windowStart)?.values() ?? []) this.unindex(log);
    this.byWindow.delete(windowStart);
  }

  /** The promotion's state changed outside its logged events (an expiry, a late event of a closed window): its base is stale. */
  forget(id: string): void {
    for (const logs of this.byWindow.values()) {
      const log = logs.get(id);
      if (!log) continue;
      this.unindex(log);
      logs.delete(id);
    }
  }

  /** Forgets the logs of one key's promotions (its partition was revoked, or its state restored). */
  dropKey(key: string): void {
    for (const [log, [windowStart, id]] of this.byKey.get(key) ?? []) {
      this.byWindow.get(windowStart)?.delete(id);
      this.events -= log.events.length;
    }
    this.byKey.delete(key);
  }

  clear(): void {
    this.byWindow.clear();
    this.byKey.clear();
    this.events = 0;
  }

  private drop(windowStart: number, id: string, log: PromotionWindowLog): void {
    this.unindex(log);
    this.byWindow.get(windowStart)?.delete(id);
  }

  /** Takes `log` out of the index by key, and its events out of the count (every way a log goes passes here). */
  private unindex(log: PromotionWindowLog): void {
    this.events -= log.events.length;
    const ofKey = this.byKey.get(log.key);
    if (ofKey?.delete(log) && ofKey.size === 0) this.byKey.delete(log.key);
  }
}
