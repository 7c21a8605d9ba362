import { describe, expect, it } from 'vitest';
import { EarliestTimes } from '../../../lib/earliest-times.js';
import { seededRandom } from '../../helpers/seeded-random.js';

describe('EarliestTimes', () => {
  it('is Infinity when empty, and the earliest time still held otherwise', () => {
    const times = new EarliestTimes();
    expect(times.earliest).toBe(Number.POSITIVE_INFINITY);
    times.add(20);
    times.add(10);
    times.add(10);
    expect(times.earliest).toBe(10);
    times.remove(10);
    expect(times.earliest).toBe(10); // one holder of 10 left
    times.remove(10);
    expect(times.earliest).toBe(20);
    times.add(10); // back after it was dropped
    expect(times.earliest).toBe(10);
    times.clear();
    expect(times.earliest).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses to remove a time it does not hold (the caller lost count)', () => {
    const times = new EarliestTimes();
    times.add(5);
    times.remove(5);
    expect(() => times.remove(5)).toThrow('no such time held');
  });

  it('discardEarliest forgets the earliest time whatever its holders, and nothing when empty', () => {
    const times = new EarliestTimes();
    times.discardEarliest();
    times.add(10);
    times.add(10);
    times.add(20);
    times.discardEarliest();
    expect(times.earliest).toBe(20);
    expect(() => times.remove(10)).toThrow('no such time held');
    times.add(10);
    expect(times.earliest).toBe(10);
  });

  it('agrees with the minimum of a plain list over random adds and removes', () => {
    const random = seededRandom(7);
    const times = new EarliestTimes();
    const held: number[] = [];
    for (let i = 0; i < 2000; i++) {
      if (held.length > 0 && random() < 0.45) times.remove(held.splice(Math.floor(random() * held.length), 1)[0]!);
      else {
        const t = Math.floor(random() * 50);
        held.push(t);
        times.add(t);
      }
      expect(times.earliest).toBe(held.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...held));
    }
  });
});
