import { describe, it, expect } from 'vitest';
import { notePartitionCounts, refreshPartitionCounts } from '../../../engine/live/input-partitions.js';
import { silentLogger } from '../../../lib/logger.js';

const inputs = ['in.promotion', 'in.hydration', 'in.index'];
const topic = (name: string, n: number) => ({ name, partitions: Array.from({ length: n }, (_, partitionId) => ({ partitionId })) });

describe('input partition counts (the wrong_partition check reads them)', () => {
  it('keeps the counts of the input topics only', () => {
    const counts = new Map<string, number>();
    notePartitionCounts(counts, inputs, [topic('in.promotion', 6), topic('in.hydration', 6), topic('in.index', 6), topic('driftwatch.internal.changelog', 6)]);
    expect([...counts]).toEqual([['in.promotion', 6], ['in.hydration', 6], ['in.index', 6]]);
  });

  it('takes partitions added since, and keeps the counts in hand when the broker cannot be asked', async () => {
    const counts = new Map([['in.promotion', 3]]);
    await refreshPartitionCounts({ fetchTopicMetadata: async () => ({ topics: inputs.map((name) => topic(name, 6)) }) }, counts, inputs, silentLogger);
    expect(counts.get('in.promotion')).toBe(6);
    await refreshPartitionCounts({ fetchTopicMetadata: () => Promise.reject(new Error('ECONNREFUSED')) }, counts, inputs, silentLogger);
    expect(counts.get('in.index')).toBe(6);
  });
});
