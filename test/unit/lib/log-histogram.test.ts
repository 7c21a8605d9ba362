import { describe, expect, it } from 'vitest';
import { LogHistogram, MAX_BUCKETS, quantileWithHistogram, RELATIVE_ACCURACY } from '../../../lib/log-histogram.js';
import { quantileOfSorted, sortedCopy } from '../../../lib/quantiles.js';
import { seededRandom } from '../../helpers/seeded-random.js';

const within = (value: number | undefined, exact: number) => {
  expect(value).toBeDefined();
  expect(Math.abs(value! - exact)).toBeLessThanOrEqual(RELATIVE_ACCURACY * exact + 1e-9);
};

describe('LogHistogram', () => {
  it('gives every quantile of the values it holds within 1 %, zero exactly', () => {
    const random = seededRandom(3);
    const values = Array.from({ length: 5000 }, (_, i) => (i % 50 === 0 ? 0 : Math.floor(Math.exp(random() * 20))));
    const h = new LogHistogram();
    for (const v of values) h.add(v);
    expect(h.count).toBe(values.length);
    const sorted = sortedCopy(values);
    for (const q of [0, 0.01, 0.5, 0.9, 0.99, 1]) within(quantileWithHistogram([], h, q), quantileOfSorted(sorted, q)!);
    expect(quantileWithHistogram([], h, 0)).toBe(0);
  });

  it('with exact values beside it, the nearest rank of both together; alone, exactly quantileOfSorted', () => {
    const exact = [5, 100, 100, 2000];
    const h = new LogHistogram();
    for (const v of [1, 50, 300, 300, 70_000]) h.add(v);
    const all = sortedCopy([...exact, 1, 50, 300, 300, 70_000]);
    for (const q of [0, 0.2, 0.5, 0.7, 0.9, 1]) within(quantileWithHistogram(exact, h, q), quantileOfSorted(all, q)!);
    expect(quantileWithHistogram(exact, undefined, 0.5)).toBe(100);
    expect(quantileWithHistogram([], new LogHistogram(), 0.5)).toBeUndefined();
  });

  it('the value at every rank of both together is that of the merged list, each histogram value as its bucket stands for it', () => {
    const random = seededRandom(5);
    for (let round = 0; round < 30; round++) {
      const h = new LogHistogram();
      for (let i = 0; i < 40; i++) h.add(random() < 0.1 ? 0 : Math.floor(Math.exp(random() * 8)));
      const sorted = sortedCopy(Array.from({ length: Math.floor(random() * 40) }, () => (random() < 0.1 ? 0 : Math.floor(Math.exp(random() * 8)))));
      const merged = sortedCopy([...sorted, ...h.ascending().flatMap(([value, count]) => new Array<number>(count).fill(value))]);
      for (let rank = 0; rank < merged.length; rank++) expect(h.valueAtRank(sorted, rank)).toBe(merged[rank]);
    }
  });

  it('takes out what it was given, one by one or a histogram at a time, and refuses what it does not hold', () => {
    const a = new LogHistogram();
    const b = new LogHistogram();
    for (const v of [0, 10, 10, 1e6]) b.add(v);
    a.add(3);
    a.addAll(b);
    expect(a.count).toBe(5);
    expect(a.removeAll(b)).toBe(true);
    expect(a.count).toBe(1);
    expect(a.remove(3)).toBe(true);
    expect(a.remove(3)).toBe(false);
    expect(a.remove(0)).toBe(false);
    expect(a.count).toBe(0);
    expect(a.largest).toBeUndefined();
  });

  it('never holds more than MAX_BUCKETS buckets: values too far below the largest count in the lowest', () => {
    const h = new LogHistogram();
    let largest = 0;
    for (let i = -6000; i <= 6000; i++) h.add((largest = Math.pow(10, i / 20)));
    expect(h.snapshot().buckets.length).toBeLessThanOrEqual(MAX_BUCKETS);
    // The largest keep their accuracy.
    within(h.largest, largest);
    within(quantileWithHistogram([], h, 1), largest);
    // One far below still counts (in the lowest bucket), and can be taken out again.
    const count = h.count;
    h.add(1e-300);
    expect(h.count).toBe(count + 1);
    expect(h.remove(1e-300)).toBe(true);
  });

  it('restores from its snapshot to the same buckets', () => {
    const h = new LogHistogram();
    for (const v of [0, 0, 1, 2, 3, 1000, 1e9]) h.add(v);
    const again = LogHistogram.restore(JSON.parse(JSON.stringify(h.snapshot())));
    expect(again.snapshot()).toEqual(h.snapshot());
    expect([...again.ascending()]).toEqual([...h.ascending()]);
  });
});
