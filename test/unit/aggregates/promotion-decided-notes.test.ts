import { describe, expect, it } from 'vitest';
import { EXAMPLES_KEPT } from '../../../processors/bounded-examples.js';
import type { DecidedPromotion } from '../../../processors/promotion-facts.js';
import { DecidedNotes } from '../../../processors/promotion-decided-notes.js';
import { MIN, SEC, T0 } from './facts.js';

const END = T0 + 10 * MIN;
const EARLIER = T0 + 5 * MIN;
const note = (n: number, over: Partial<DecidedPromotion> = {}): DecidedPromotion => ({
  promotionId: `p-${String(n).padStart(3, '0')}`, artifact: 'api', countedIn: END, decidedAt: T0 + 5 * MIN + n * SEC, succeeded: false, rolledBack: false, ...over,
});
const ids = (notes: DecidedNotes) => [...notes.keys()].sort();

describe('DecidedNotes (what a promotion window notes for the success-rate text)', () => {
  it('a success counted in its own window names nothing, and replaces what was noted of it', () => {
    const notes = new DecidedNotes(END);
    notes.set(note(1));
    notes.set(note(1, { succeeded: true }));
    notes.set(note(2, { succeeded: true }));
    expect(notes.size).toBe(0);
  });

  it('of the promotions counted in one window that are no success, the first EXAMPLES_KEPT in the listing order, whatever the arrival', () => {
    const forward = new DecidedNotes(END);
    const backward = new DecidedNotes(END);
    for (let n = 0; n < 100; n++) forward.set(note(n));
    for (let n = 99; n >= 0; n--) backward.set(note(n));
    const latest = Array.from({ length: EXAMPLES_KEPT }, (_, i) => note(99 - i).promotionId).sort();
    expect(ids(forward)).toEqual(latest);
    expect(ids(backward)).toEqual(latest);
    // Per window they are counted in: an earlier window's keep their own places.
    forward.set(note(200, { countedIn: EARLIER, decidedAt: T0 }));
    expect(forward.size).toBe(EXAMPLES_KEPT + 1);
    // A named one decided again (a retry into a success of this window) goes; the one it kept out does not come back.
    forward.set(note(99, { succeeded: true }));
    expect(forward.size).toBe(EXAMPLES_KEPT);
  });

  it('retries into a success of an earlier window: EXAMPLES_KEPT noted, past that the window is unlisted and its retries go', () => {
    const notes = new DecidedNotes(END);
    for (let n = 0; n < EXAMPLES_KEPT; n++) notes.set(note(n, { countedIn: EARLIER, succeeded: true }));
    expect([notes.size, notes.unlistedRetries]).toEqual([EXAMPLES_KEPT, []]);
    for (let n = EXAMPLES_KEPT; n < 1000; n++) notes.set(note(n, { countedIn: EARLIER, succeeded: true }));
    expect([notes.size, notes.unlistedRetries]).toEqual([0, [EARLIER]]);
    // Failures of that window are still named (after the forgetting, in the rule).
    notes.set(note(5000, { countedIn: EARLIER }));
    expect(ids(notes)).toEqual(['p-5000']);
  });

  it('restores the notes as a snapshot wrote them, a success of its own window included (the previous release noted those)', () => {
    const notes = new DecidedNotes(END);
    notes.restore([note(1, { succeeded: true }), note(2)], [EARLIER]);
    expect([...notes.values()]).toEqual([note(1, { succeeded: true }), note(2)]);
    expect(notes.unlistedRetries).toEqual([EARLIER]);
    notes.set(note(1));
    expect(ids(notes)).toEqual(['p-001', 'p-002']);
  });
});
