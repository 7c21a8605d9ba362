import { describe, expect, it } from 'vitest';
import { BoundedQuantiles } from '../../../lib/bounded-quantiles.js';
import { MAX_BUCKETS, RELATIVE_ACCURACY } from '../../../lib/log-histogram.js';
import { quantileOfSorted, sortedCopy } from '../../../lib/quantiles.js';
import { seededRandom } from '../../helpers/seeded-random.js';

describe('BoundedQuantiles', () => {
  it('up to its limit, the list as it came and the figures a list gives', () => {
    const q = new BoundedQuantiles(5);
    for (const v of [30, 10, 20, 10]) q.add(v);
    expect(q.values).toEqual([30, 10, 20, 10]);
    expect(q.replace(20, 25)).toBe(true);
    expect(q.values).toEqual([30, 10, 25, 10]);
    expect(q.remove(10)).toBe(true);
    expect(q.remove(99)).toBe(false);
    expect(q.values).toEqual([30, 25, 10]);
    expect([q.count, q.sum, q.max, q.quantile(0.5), q.quantile(0.9)]).toEqual([3, 65, 30, 25, 30]);
    expect(q.sketch()).toBeUndefined();
    expect(new BoundedQuantiles(5).max).toBeUndefined();
    expect(new BoundedQuantiles(5).quantile(0.5)).toBeUndefined();
  });

  it('past its limit, bounded: count and sum exact, quantiles within 1 %, never above the maximum', () => {
    const random = seededRandom(11);
    const limit = 100;
    const q = new BoundedQuantiles(limit);
    const all: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      const v = Math.floor(random() * 600_000);
      all.push(v);
      q.add(v);
    }
    expect(q.values).toBeUndefined();
    const sketch = q.sketch()!;
    expect(sketch.histogram.buckets.length).toBeLessThanOrEqual(MAX_BUCKETS);
    // The snapshot holds buckets, not values: far fewer than the values.
    expect(JSON.stringify(sketch).length).toBeLessThan(JSON.stringify(all).length / 10);
    expect(q.count).toBe(all.length);
    expect(q.sum).toBe(all.reduce((a, b) => a + b, 0));
    expect(q.max).toBe(Math.max(...all));
    const sorted = sortedCopy(all);
    for (const p of [0.5, 0.9]) {
      const exact = quantileOfSorted(sorted, p)!;
      expect(Math.abs(q.quantile(p)! - exact)).toBeLessThanOrEqual(RELATIVE_ACCURACY * exact);
    }
    expect(q.quantile(1)).toBeLessThanOrEqual(q.max!);
  });

  it('past its limit, a value taken out or replaced leaves the figures of what is left', () => {
    const q = new BoundedQuantiles(2, [100, 200, 300]);
    expect(q.values).toBeUndefined();
    expect(q.replace(300, 50)).toBe(true);
    expect([q.count, q.sum]).toEqual([3, 350]);
    expect(Math.abs(q.max! - 200)).toBeLessThanOrEqual(2);
    expect(q.remove(7)).toBe(false);
  });

  it('restores what it snapshotted: the list, or the histogram with its sum and maximum', () => {
    const small = new BoundedQuantiles(10, [3, 1, 2]);
    expect(BoundedQuantiles.restore(10, small.values!, small.sketch()).values).toEqual([3, 1, 2]);
    const big = new BoundedQuantiles(2, [5, 6, 7, 8]);
    const again = BoundedQuantiles.restore(2, [], JSON.parse(JSON.stringify(big.sketch())));
    expect([again.count, again.sum, again.max, again.quantile(0.5)]).toEqual([big.count, big.sum, big.max, big.quantile(0.5)]);
  });
});
