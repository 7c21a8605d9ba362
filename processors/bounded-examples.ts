/**
 * The few items a window keeps to name in an alert's text (the failed gate
 * runs, the slowest promotions, the artifacts with index errors): at most
 * MAX_LISTED_ITEMS, the first by a total order, so what a window keeps
 * does not grow with its events and does not depend on the order they came
 * in (the same input, sorted or not, keeps the same items).
 */
import { MAX_LISTED_ITEMS } from './alerting/format.js';

/** How many items a window keeps for an alert's text: as many as the text lists. */
export const EXAMPLES_KEPT = MAX_LISTED_ITEMS;

/**
 * Puts `item` into `kept` (sorted by `order`, negative: a first) and drops
 * what falls past EXAMPLES_KEPT. `order` must be total (ties broken by the
 * items' identity): arrival order must not decide what is kept.
 */
export function keepFirst<T>(kept: T[], item: T, order: (a: T, b: T) => number): void {
  let i = kept.length;
  while (i > 0 && order(item, kept[i - 1]!) < 0) i--;
  if (i >= EXAMPLES_KEPT) return;
  kept.splice(i, 0, item);
  if (kept.length > EXAMPLES_KEPT) kept.length = EXAMPLES_KEPT;
}

/** `a` before `b` when `a`'s text comes first (the tie-break of the orders below). */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
