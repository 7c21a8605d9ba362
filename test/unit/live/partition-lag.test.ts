/**
 * driftwatch_consumer_lag read from the broker's end offsets (a stand-in
 * admin client here; test/integration/live/live-lag-metrics.test.ts runs it
 * against the real broker). It was set from fetched batches only, so it
 * stood still — or was missing — while nothing was fetched.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PartitionLag } from '../../../engine/live/partition-lag.js';
import { createDriftwatchMetrics } from '../../../engine/metrics/driftwatch-metrics.js';
import { liveMetrics } from '../../../engine/live/live-metrics.js';
import { tp } from '../../../engine/live/topic-partition.js';
import { silentLogger } from '../../../lib/logger.js';

const PROMO = 'driftwatch.promotion.v1';
const HYDRA = 'driftwatch.hydration.v1';

interface End {
  low: number;
  high: number;
}

/** An admin client answering end offsets and the group's commits from these tables, recording each request. */
function fakeAdmin(ends: Record<string, End[]>, committed: Record<string, number[]> = {}) {
  const requests: string[] = [];
  let hold: Promise<void> | null = null;
  const admin = {
    async fetchTopicOffsets(topic: string) {
      requests.push(`end offsets ${topic}`);
      if (hold) await hold;
      return (ends[topic] ?? []).map((e, partition) => ({ partition, offset: String(e.high), high: String(e.high), low: String(e.low) }));
    },
    async fetchOffsets({ topics }: { groupId: string; topics?: string[] }) {
      requests.push(`committed ${topics!.join(',')}`);
      return topics!.map((topic) => ({ topic, partitions: (committed[topic] ?? []).map((offset, partition) => ({ partition, offset: String(offset), metadata: null })) }));
    },
  };
  return {
    requests,
    admin: admin as unknown as ConstructorParameters<typeof PartitionLag>[0]['admin'],
    /** Holds the next end-offset answers until the returned function is called. */
    holdAnswers(): () => void {
      let release!: () => void;
      hold = new Promise<void>((r) => (release = r));
      return () => {
        hold = null;
        release();
      };
    },
  };
}

function setup(admin: ReturnType<typeof fakeAdmin>['admin'], positions: Map<string, bigint> = new Map()) {
  const m = createDriftwatchMetrics();
  const lag = new PartitionLag({ admin, groupId: 'g', position: (k) => positions.get(k), metrics: liveMetrics(m), log: silentLogger, intervalMs: 10_000 });
  /** The lag series as /metrics shows them. */
  const series = () => m.registry.metrics().split('\n').filter((l) => l.startsWith('driftwatch_consumer_lag{'));
  return { lag, series };
}

const line = (topic: string, partition: number, value: number) => `driftwatch_consumer_lag{topic="${topic}",partition="${partition}"} ${value}`;

afterEach(() => vi.useRealTimers());

describe('PartitionLag', () => {
  it('is the end offset minus the position of every owned partition, also of one that has fetched nothing', async () => {
    const { admin, requests } = fakeAdmin(
      { [PROMO]: [{ low: 0, high: 50 }, { low: 0, high: 9 }, { low: 30, high: 40 }], [HYDRA]: [{ low: 0, high: 7 }, { low: 0, high: 0 }] },
      { [PROMO]: [-1, 4, 10] },
    );
    // promotion#0 consumed up to 19; promotion#1 never fetched, the group committed 4; promotion#2 committed 10
    // but retention removed up to 30; hydration#0 consumed to its end; hydration#1 empty.
    const positions = new Map([[tp(PROMO, 0), 20n], [tp(HYDRA, 0), 7n], [tp(HYDRA, 1), 0n]]);
    const { lag, series } = setup(admin, positions);
    await lag.assign([tp(PROMO, 0), tp(PROMO, 1), tp(PROMO, 2), tp(HYDRA, 0), tp(HYDRA, 1)]);
    expect(series()).toEqual([line(PROMO, 0, 30), line(PROMO, 1, 5), line(PROMO, 2, 10), line(HYDRA, 0, 0), line(HYDRA, 1, 0)]);
    // One end-offsets request per topic; the group's commits only for the topic with unknown positions.
    expect(requests).toEqual([`end offsets ${PROMO}`, `end offsets ${HYDRA}`, `committed ${PROMO}`]);
  });

  it('a partition without a commit and without a fetch lags by its whole log', async () => {
    const { admin } = fakeAdmin({ [PROMO]: [{ low: 3, high: 12 }] });
    const { lag, series } = setup(admin);
    await lag.assign([tp(PROMO, 0)]);
    expect(series()).toEqual([line(PROMO, 0, 9)]);
  });

  it('grows with the log while the consumer fetches nothing (paused), on every interval, one request per topic', async () => {
    vi.useFakeTimers();
    const ends = { [PROMO]: [{ low: 0, high: 10 }] };
    const { admin, requests } = fakeAdmin(ends);
    const { lag, series } = setup(admin, new Map([[tp(PROMO, 0), 10n]]));
    await lag.assign([tp(PROMO, 0)]);
    lag.start();
    expect(series()).toEqual([line(PROMO, 0, 0)]);
    ends[PROMO][0]!.high = 25; // produced while the consumer waits
    await vi.advanceTimersByTimeAsync(9_999);
    expect(series()).toEqual([line(PROMO, 0, 0)]); // not before the interval
    await vi.advanceTimersByTimeAsync(1);
    expect(series()).toEqual([line(PROMO, 0, 15)]);
    expect(requests).toEqual([`end offsets ${PROMO}`, `end offsets ${PROMO}`]);
    lag.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(requests).toHaveLength(2);
  });

  it('removes the series of partitions an assignment takes away, also when a read in flight answers after it', async () => {
    const ends = { [PROMO]: [{ low: 0, high: 5 }, { low: 0, high: 8 }] };
    const { admin, holdAnswers } = fakeAdmin(ends);
    const { lag, series } = setup(admin, new Map([[tp(PROMO, 0), 0n], [tp(PROMO, 1), 0n]]));
    await lag.assign([tp(PROMO, 0), tp(PROMO, 1)]);
    expect(series()).toEqual([line(PROMO, 0, 5), line(PROMO, 1, 8)]);

    const release = holdAnswers();
    const before = lag.refresh(); // in flight over both partitions
    const after = lag.assign([tp(PROMO, 0)]); // partition 1 revoked meanwhile
    expect(series()).toEqual([line(PROMO, 0, 5)]);
    ends[PROMO][0]!.high = 6;
    release();
    await Promise.all([before, after]);
    expect(series()).toEqual([line(PROMO, 0, 6)]);
  });

  it('a failed read takes the series away (the last values read as current otherwise); the next read brings them back', async () => {
    const { admin } = fakeAdmin({ [PROMO]: [{ low: 0, high: 5 }] });
    const { lag, series } = setup(admin, new Map([[tp(PROMO, 0), 0n]]));
    await lag.assign([tp(PROMO, 0)]);
    const real = admin.fetchTopicOffsets;
    admin.fetchTopicOffsets = () => Promise.reject(new Error('broker away'));
    await expect(lag.refresh()).resolves.toBeUndefined();
    expect(series()).toEqual([]);
    admin.fetchTopicOffsets = real;
    await lag.refresh();
    expect(series()).toEqual([line(PROMO, 0, 5)]);
  });
});
