import { describe, it, expect } from 'vitest';
import { TimerQueue } from '../../../processors/timer-queue.js';

describe('TimerQueue tie order', () => {
  it('fires timers due at the same time in key order, whatever order they were scheduled (or restored) in', () => {
    const fired = (keys: string[]) => {
      const q = new TimerQueue();
      for (const k of keys) q.schedule(k, 100);
      q.schedule('early', 50);
      const out: string[] = [];
      q.fireDue(100, (k, t) => out.push(`${k}@${t}`));
      return out;
    };
    expect(fired(['c', 'a', 'b'])).toEqual(['early@50', 'a@100', 'b@100', 'c@100']);
    expect(fired(['b', 'c', 'a'])).toEqual(fired(['c', 'a', 'b']));
  });

  it('a moved timer fires once, at its new time', () => {
    const q = new TimerQueue();
    q.schedule('a', 10);
    q.schedule('a', 30);
    q.schedule('a', 10);
    const out: number[] = [];
    q.fireDue(100, (_k, t) => out.push(t));
    expect(out).toEqual([10]);
  });
});
