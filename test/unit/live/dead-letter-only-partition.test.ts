/**
 * Event time in live mode (SPEC §4.7) with a partition whose records carry no
 * new event time: only dead letters (a producer with a schema bug on one key)
 * or only duplicates. Such a partition is idle for event time, as a silent
 * one is: once past the idle timeout with nothing more to read, it stops
 * holding the combined watermark back. It used to count every batch as
 * activity, so it never went idle while its event time never moved: the
 * minimum was pinned at its last event, and the other partitions' events
 * were held for good — nothing processed, safe offsets frozen.
 * A partition that still has records waiting (offset lag) keeps holding it.
 *
 * On the stand-in Kafka client (a mock: the runner's own decisions), with
 * the runner's wall clock virtual and its idle ticks not running.
 */
import { artifactOnPartition } from '../../../topics/key-partition.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hydration, NOW, startStandInRunner, undecodable, type StandInRunner } from '../../helpers/stand-in-runner.js';
import type { BatchRecord } from '../../helpers/stand-in-kafka.js';

/** Event times: an hour before the wall clock (well inside the future-skew bound). */
const T0 = NOW - 3_600_000;
/** Newest event time − frontier: twice the default allowed lateness (30 s). */
const FRONTIER_LAG_MS = 60_000;

let h: StandInRunner;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  h = await startStandInRunner({ partitions: 2 });
});

afterEach(async () => {
  await h.runner.stop();
  vi.useRealTimers();
});

/**
 * Hydration partition 0 gets one event a second; partition 1 had one event at
 * T0 and then gets `p1Record` every second, with `waiting` records behind it.
 */
// Each partition's key is one murmur2 places there (a record on another partition is dead-lettered, wrong_partition).
const A = artifactOnPartition('prod', 'a', 0, 2);
const B = artifactOnPartition('prod', 'b', 1, 2);

async function run(seconds: number, p1Record: BatchRecord, waiting = 0): Promise<void> {
  const H = h.topics.hydration;
  await h.member.batch(H, 0, 0, [hydration('a0', T0, A)]);
  await h.member.batch(H, 1, 0, [hydration('b0', T0, B)]);
  for (let s = 1; s <= seconds; s++) {
    h.clock.now += 1000;
    await h.member.batch(H, 0, s, [hydration(`a${s}`, T0 + s * 1000, A)]);
    await h.member.batch(H, 1, s, [p1Record], waiting);
  }
}

describe('a partition whose records carry no new event time', () => {
  it.each([
    ['dead letters', undecodable()],
    ['duplicates', hydration('b0', T0, B)],
  ])('delivering only %s, it goes idle and the other partition is processed up to its own frontier', async (_, p1Record) => {
    await run(120, p1Record);
    // Partition 0 reached T0 + 120 s, so the frontier T0 + 60 s: the events before it are released (a0…a59), and b0.
    const counters = h.runner.counters();
    expect(counters.events).toBe((120_000 - FRONTIER_LAG_MS) / 1000 + 1);
    expect(counters.late).toBe(0);
    // What was processed is committed: partition 0's safe offset is a60's, the first the orderer still holds.
    await h.runner.stop();
    expect(h.kafka.committedOffsets.get(`${h.topics.hydration}/0`)).toBe('60');
  });

  it('with records still waiting behind its batches, it holds event time back: its backlog is not late when it comes', async () => {
    await run(120, undecodable(), 1_000);
    expect(h.runner.counters().events).toBe(0); // nothing passes partition 1's last event time (T0) − 60 s
    // The backlog: an event 5 s after T0, far behind partition 0's T0 + 120 s.
    await h.member.batch(h.topics.hydration, 1, 121, [hydration('b1', T0 + 5_000, B)]);
    expect(h.runner.counters().late).toBe(0);
  });
});
