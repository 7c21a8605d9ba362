/**
 * What one env's promotion window notes of the promotions its events decided
 * (PromotionWindowRow.decided), for promotion_success_rate_low's text — kept
 * to what that text can use, so a burst of promotions in one window keeps a
 * bounded number of notes, not one per promotion:
 * - a promotion that is a success counted in this very window is not noted:
 *   the rule names only promotions that are no success, and its sample of
 *   this window has no earlier name to take back (exactly as with the note);
 * - of the promotions that are no success, per window they are counted in
 *   (`countedIn`), the first EXAMPLES_KEPT by the rule's listing order
 *   (latest decided first, then promotionId): the rule keeps no more of a
 *   window's (rate-rule.ts), and those behind them could not be listed;
 * - of the promotions counted in an earlier window that a retry made a
 *   success here (each takes its name back there), EXAMPLES_KEPT per such
 *   window; past that, the window is noted in `unlistedRetries` instead —
 *   the rule then forgets every name that window had (some may no longer
 *   be true), so the text names fewer, never a promotion that succeeded.
 * A note dropped by a bound stays dropped when the one that kept it out goes
 * (a late event counted again, promotion-window-counts.ts addDifference):
 * the text may name fewer; the counts are exact either way.
 */
import { byText, EXAMPLES_KEPT } from './bounded-examples.js';
import type { DecidedPromotion } from './promotion-facts.js';

interface WindowNotes {
  /** Not successes, in the rule's listing order, at most EXAMPLES_KEPT. */
  named: DecidedPromotion[];
  /** Successes by retry, at most EXAMPLES_KEPT (by promotionId). */
  retried: string[];
}

export class DecidedNotes {
  private readonly byId = new Map<string, DecidedPromotion>();
  /** The same notes by the window they are counted in. */
  private readonly byWindow = new Map<number, WindowNotes>();
  private readonly unlisted = new Set<number>();

  /** `windowEnd`: the end of the window that keeps these notes. */
  constructor(readonly windowEnd: number) {}

  get size(): number {
    return this.byId.size;
  }

  get(promotionId: string): DecidedPromotion | undefined {
    return this.byId.get(promotionId);
  }

  values(): IterableIterator<DecidedPromotion> {
    return this.byId.values();
  }

  keys(): IterableIterator<string> {
    return this.byId.keys();
  }

  /** The earlier windows (their windowEnd, ascending) whose names this window's retries may have made untrue. */
  get unlistedRetries(): number[] {
    return [...this.unlisted].sort((a, b) => a - b);
  }

  /** What `d.promotionId`'s outcome was left at: replaces its note, kept as far as the bounds allow. */
  set(d: DecidedPromotion): void {
    this.delete(d.promotionId);
    if (d.succeeded) {
      if (d.countedIn === this.windowEnd || this.unlisted.has(d.countedIn)) return;
      const notes = this.notesOf(d.countedIn);
      if (notes.retried.length < EXAMPLES_KEPT) {
        notes.retried.push(d.promotionId);
        this.byId.set(d.promotionId, d);
        return;
      }
      this.unlisted.add(d.countedIn);
      for (const id of notes.retried) this.byId.delete(id);
      notes.retried = [];
      this.dropIfEmpty(d.countedIn, notes);
      return;
    }
    const notes = this.notesOf(d.countedIn);
    const named = notes.named;
    let i = named.length;
    while (i > 0 && listedFirst(d, named[i - 1]!) < 0) i--;
    if (i >= EXAMPLES_KEPT) {
      this.dropIfEmpty(d.countedIn, notes);
      return;
    }
    named.splice(i, 0, d);
    this.byId.set(d.promotionId, d);
    if (named.length > EXAMPLES_KEPT) this.byId.delete(named.pop()!.promotionId);
  }

  delete(promotionId: string): void {
    const d = this.byId.get(promotionId);
    if (d === undefined) return;
    this.byId.delete(promotionId);
    const notes = this.byWindow.get(d.countedIn)!;
    if (d.succeeded) notes.retried.splice(notes.retried.indexOf(promotionId), 1);
    else notes.named.splice(notes.named.indexOf(d), 1);
    this.dropIfEmpty(d.countedIn, notes);
  }

  /** Notes and unlisted windows as a snapshot holds them (restore): kept as they were written. */
  restore(notes: readonly DecidedPromotion[], unlistedRetries: readonly number[]): void {
    for (const end of unlistedRetries) this.unlisted.add(end);
    for (const d of notes) {
      const copy = { ...d };
      this.byId.set(d.promotionId, copy);
      const kept = this.notesOf(d.countedIn);
      if (d.succeeded) kept.retried.push(d.promotionId);
      else {
        let i = kept.named.length;
        while (i > 0 && listedFirst(copy, kept.named[i - 1]!) < 0) i--;
        kept.named.splice(i, 0, copy);
      }
    }
  }

  private notesOf(windowEnd: number): WindowNotes {
    let notes = this.byWindow.get(windowEnd);
    if (!notes) this.byWindow.set(windowEnd, (notes = { named: [], retried: [] }));
    return notes;
  }

  private dropIfEmpty(windowEnd: number, notes: WindowNotes): void {
    if (notes.named.length === 0 && notes.retried.length === 0) this.byWindow.delete(windowEnd);
  }
}

/** The rule's listing order (rate-rule.ts highestRankFirst over promotionExample: rank decidedAt, key promotionId). */
function listedFirst(a: DecidedPromotion, b: DecidedPromotion): number {
  return b.decidedAt - a.decidedAt || byText(a.promotionId, b.promotionId);
}
