/**
 * What the promotion windows keep to count a late promotion event of the
 * window in progress as in event-time order (SPEC §4.7; promotion-windows.ts
 * decides what each event counts): per promotion, its lifecycle events
 * (started, succeeded, failed, rolled_back) of that window in event-time
 * order, and what was remembered of it before the first of them. A late one
 * is put in its place and the promotion's events of the window counted again
 * from there; the window takes the difference. Only the window in progress
 * needs it (a late event of a closed window counts in none), so a window's
 * logs go when it closes: memory is bounded by one window's promotion events.
 *
 * In memory only, not in the keyed state: after a restart or a rebalance a
 * promotion's events of the window in progress before it are not known
 * here, and a late event of it is taken in the order it is learnt relative
 * to those (promotion-windows.ts).
 */
import type { PromotionEvent } from '../schemas/input-events.js';
import type { PromotionState } from './promotion-lifecycles.js';

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
    for (const [windowStart, id] of this.byKey.get(key)?.values() ?? []) this.byWindow.get(windowStart)?.delete(id);
    this.byKey.delete(key);
  }

  clear(): void {
    this.byWindow.clear();
    this.byKey.clear();
  }

  private unindex(log: PromotionWindowLog): void {
    const ofKey = this.byKey.get(log.key);
    if (ofKey?.delete(log) && ofKey.size === 0) this.byKey.delete(log.key);
  }
}
