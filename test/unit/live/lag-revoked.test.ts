/**
 * driftwatch_consumer_lag of partitions revoked from this instance. kafkajs's
 * eager rebalance protocol takes every partition away when the instance
 * leaves the group — a rebalance begins (REBALANCING), the consumer crashes —
 * and another member may own and report them before this one joins again.
 * Their series stayed on this instance's /metrics until its next assignment,
 * so lag summed over the instances counted those partitions twice (for as long
 * as a slow or stuck member took to rejoin).
 *
 * On the stand-in Kafka client (a mock: the runner's own decisions);
 * test/integration/live/live-lag-metrics.test.ts shows the split between two
 * real members.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startStandInRunner, type StandInRunner } from '../../helpers/stand-in-runner.js';
import { createDriftwatchMetrics } from '../../../engine/metrics/driftwatch-metrics.js';
import { liveMetrics } from '../../../engine/live/live-metrics.js';

let h: StandInRunner | undefined;

afterEach(async () => {
  await h?.runner.stop();
  h = undefined;
});

async function start() {
  const m = createDriftwatchMetrics();
  h = await startStandInRunner({ partitions: 2, metrics: liveMetrics(m) });
  const { promotion, hydration, index } = h.topics;
  /** The `<topic>#<partition>` of every lag series on /metrics, sorted. */
  const series = () =>
    m.registry
      .metrics()
      .split('\n')
      .flatMap((l) => /^driftwatch_consumer_lag\{topic="([^"]+)",partition="(\d+)"\}/.exec(l)?.slice(1, 3).join('#') ?? [])
      .sort();
  const of = (...partitions: number[]) => [promotion, hydration, index].flatMap((t) => partitions.map((p) => `${t}#${p}`)).sort();
  return { h, series, of, inputs: [promotion, hydration, index] };
}

describe('consumer lag of revoked partitions', () => {
  it('goes when a rebalance begins, not at the next assignment, which brings back only what it assigns', async () => {
    const { h, series, of, inputs } = await start();
    await vi.waitFor(() => expect(series()).toEqual(of(0, 1)));
    h.member.rebalance();
    expect(series()).toEqual([]); // rejoining: nothing is this instance's until the group says so
    h.member.join(Object.fromEntries(inputs.map((t) => [t, [1]])));
    await vi.waitFor(() => expect(series()).toEqual(of(1)));
  });

  it('goes when the consumer crashes (kafkajs restarts it: it rejoins the group), and a read in flight reports nothing', async () => {
    const { h, series, of, inputs } = await start();
    await vi.waitFor(() => expect(series()).toEqual(of(0, 1)));
    h.member.join(Object.fromEntries(inputs.map((t) => [t, [0]])));
    h.member.crash(new Error('broker connection lost'), true); // the read of partition 0 the join started is still in flight
    expect(series()).toEqual([]);
    // The restarted consumer rejoins with partition 1. Reads never overlap: the one this join asks for runs after the
    // read in flight has finished, and reports every partition at once. So once partition 1 is there, the read begun
    // before the crash is over, and partition 0 — revoked under it — must not have come back.
    h.member.join(Object.fromEntries(inputs.map((t) => [t, [1]])));
    await vi.waitFor(() => expect(series()).toContain(`${inputs[0]}#1`));
    expect(series()).toEqual(of(1));
  });
});

/**
 * driftwatch_partitions_assigned ("input partitions this member owns") kept
 * its last assignment while the instance was out of the group: seen live, 3
 * per topic on an instance whose consumer had crashed in a broker outage,
 * while its lag series (above) had gone — summed over the instances it
 * counted the partitions twice, as lag did.
 */
describe('partitions assigned, out of the group', () => {
  const assigned = (text: string) =>
    Object.fromEntries(text.split('\n').flatMap((l) => {
      const hit = /^driftwatch_partitions_assigned\{topic="([^"]+)"\} (\d+)$/.exec(l);
      return hit ? [[hit[1]!, Number(hit[2])]] : [];
    }));

  it('is 0 per input topic from a rebalance or a crash until the next assignment, which sets what it assigns', async () => {
    const m = createDriftwatchMetrics();
    h = await startStandInRunner({ partitions: 2, metrics: liveMetrics(m) });
    const inputs = [h.topics.promotion, h.topics.hydration, h.topics.index];
    const each = (n: number) => Object.fromEntries(inputs.map((t) => [t, n]));
    expect(assigned(m.registry.metrics())).toEqual(each(2));
    h.member.rebalance();
    expect(assigned(m.registry.metrics())).toEqual(each(0));
    h.member.join(Object.fromEntries(inputs.map((t) => [t, [1]])));
    expect(assigned(m.registry.metrics())).toEqual(each(1));
    h.member.crash(new Error('broker connection lost'), true);
    expect(assigned(m.registry.metrics())).toEqual(each(0));
  });
});
