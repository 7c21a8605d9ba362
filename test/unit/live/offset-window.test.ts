import { describe, expect, it } from 'vitest';
import { OffsetWindow } from '../../../engine/live/offset-window.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('OffsetWindow', () => {
  it('keeps what is pending and what is done as offsets move past its first size, after a gap at its start', () => {
    const w = new OffsetWindow();
    for (const o of range(0, 1000)) w.addPending(o), w.pendingToDone(o);
    w.dropDoneBelow(w.firstPendingBelow(1000)); // nothing held: everything below 1000 goes
    expect(w.done()).toEqual([]);
    // 1000..1019 and 2021..2029 never come (control records, a compacted stretch); 1020 and 2001 are held, the rest done.
    const taken = [...range(1020, 2021), ...range(2030, 3100)];
    for (const o of taken) {
      w.addPending(o);
      if (o !== 1020 && o !== 2001) w.pendingToDone(o);
    }
    w.addPending(3100);
    expect(w.pendingCount).toBe(3);
    expect(w.firstPendingBelow(5000)).toBe(1020);
    expect(w.done()).toEqual(taken.filter((o) => o !== 1020 && o !== 2001));
    expect(w.pendingToDone(1020)).toBe(true);
    expect(w.pendingToDone(1020)).toBe(false);
    expect(w.firstPendingBelow(5000)).toBe(2001);
    expect(w.pendingToDone(2001)).toBe(true);
    expect(w.done()).toEqual(taken);
    expect(w.firstPendingBelow(5000)).toBe(3100);
    expect(w.firstPendingBelow(2000)).toBe(2000);
    w.dropDoneBelow(3100);
    expect(w.done()).toEqual([]);
    expect(w.pendingCount).toBe(1);
  });

  it('takes an offset below the ones it holds (a batch read again) and one millions ahead', () => {
    const w = new OffsetWindow();
    w.addPending(500);
    w.addDone(501);
    w.addPending(20);
    w.addPending(4_000_000);
    expect(w.firstPendingBelow(Infinity)).toBe(20);
    w.pendingToDone(20);
    expect(w.done()).toEqual([20, 501]);
    w.dropDoneBelow(500);
    expect(w.done()).toEqual([501]);
    expect(w.firstPendingBelow(Infinity)).toBe(500);
    w.pendingToDone(500);
    w.dropDoneBelow(w.firstPendingBelow(Infinity));
    expect(w.done()).toEqual([]);
    expect(w.firstPendingBelow(Infinity)).toBe(4_000_000);
    expect(w.pendingCount).toBe(1);
  });

  it('counts an offset consumed twice once, and leaves one never consumed alone', () => {
    const w = new OffsetWindow();
    w.addPending(7);
    w.addPending(7);
    expect(w.pendingCount).toBe(1);
    expect(w.pendingToDone(8)).toBe(false);
    expect(w.pendingToDone(3)).toBe(false);
    expect(w.done()).toEqual([]);
  });

  it('holds a byte per offset of its span, at most twice that while the span grows, and gives the room back at the next drop once the span shrank', () => {
    const w = new OffsetWindow();
    for (const o of range(0, 10_000)) w.addPending(o);
    expect(w.bytes).toBeGreaterThanOrEqual(10_000);
    expect(w.bytes).toBeLessThanOrEqual(2 * 10_000);
    // A jump of millions while 0..9999 are held (a compacted stretch, a reset past retention): the gap costs its bytes.
    w.addPending(4_000_000);
    expect(w.bytes).toBeGreaterThanOrEqual(4_000_001);
    expect(w.bytes).toBeLessThanOrEqual(2 * 4_000_001);
    for (const o of range(0, 10_000)) w.pendingToDone(o);
    w.dropDoneBelow(w.firstPendingBelow(Infinity)); // a checkpoint: only 4 000 000 is left
    expect(w.bytes).toBeLessThanOrEqual(1024);
    expect(w.firstPendingBelow(Infinity)).toBe(4_000_000);
    for (const o of range(4_000_001, 4_000_100)) w.addDone(o);
    expect(w.done()).toEqual(range(4_000_001, 4_000_100));
    // Everything processed and dropped, after another jump: nothing held, no room kept for it.
    w.addPending(9_000_000);
    w.pendingToDone(4_000_000);
    w.pendingToDone(9_000_000);
    w.dropDoneBelow(9_000_001);
    expect(w.bytes).toBeLessThanOrEqual(1024);
    expect(w.pendingCount).toBe(0);
  });
});
