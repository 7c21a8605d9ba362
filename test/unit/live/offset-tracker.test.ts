import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../../engine/live/offset-tracker.js';

/** Feeds offsets first..last through the tracker as the runner does; returns the ones it processed. */
function deliver(t: OffsetTracker, first: number, last: number): number[] {
  const processed: number[] = [];
  for (let o = first; o <= last; o++) {
    if (t.shouldSkip('in', 0, String(o))) continue;
    t.consumed('in', 0, String(o));
    t.processed('in', 0, String(o));
    processed.push(o);
  }
  return processed;
}

describe('OffsetTracker after a restore', () => {
  it('skips what the checkpoint lists as done above its safe offset', () => {
    const t = new OffsetTracker();
    t.restore({ topic: 'in', partition: 0, safeOffset: '10', doneAbove: ['12'] });
    expect(deliver(t, 10, 14)).toEqual([10, 11, 13, 14]);
    expect(t.progress()).toEqual([{ topic: 'in', partition: 0, safeOffset: '15', doneAbove: [] }]);
  });

  // A commit in flight when a new group member fetched the committed offsets lands before the restore: the
  // consumer starts below the restored safe offset, and what lies below it is already in the restored state.
  it('skips records below the restored safe offset: the consumer fetched an older commit', () => {
    const t = new OffsetTracker();
    t.restore({ topic: 'in', partition: 0, safeOffset: '10', doneAbove: ['11'] });
    expect(deliver(t, 6, 12)).toEqual([10, 12]);
    expect(t.progress()).toEqual([{ topic: 'in', partition: 0, safeOffset: '13', doneAbove: [] }]);
  });

  it('without a restore, processes every offset from the start of the log', () => {
    const t = new OffsetTracker();
    expect(deliver(t, 0, 3)).toEqual([0, 1, 2, 3]);
  });
});
