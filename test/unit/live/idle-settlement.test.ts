/**
 * Settling idle partitions against the broker's end offsets (idle-settlement.ts), with a fake admin on virtual
 * time: a failed read of the end offsets must not by itself take a partition with unread records for idle.
 */
import { describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { PartitionWatermarks } from '../../../engine/live/partition-watermarks.js';
import { PartitionPositions } from '../../../engine/live/partition-backlog.js';
import { IdleSettlement } from '../../../engine/live/idle-settlement.js';
import { capturingLogger } from '../../helpers/capturing-logger.js';

const L = 1000;
const IDLE = 1000;

/** in#1 holds 5 unread records (end offset 5, nothing consumed); in#0 has been read to its end (offset 3). */
function fakeAdmin(fails: () => boolean): Admin {
  return {
    fetchTopicOffsets: async (topic: string) => {
      if (fails()) throw new Error('The coordinator is loading and hence can\'t process requests');
      expect(topic).toBe('in');
      return [
        { partition: 0, offset: '3', high: '3', low: '0' },
        { partition: 1, offset: '5', high: '5', low: '0' },
      ];
    },
  } as unknown as Admin;
}

function setUp(fails: () => boolean) {
  const lines: Array<{ msg?: string }> = [];
  const watermarks = new PartitionWatermarks(L, IDLE);
  watermarks.assign(['in#0', 'in#1'], 0);
  const positions = new PartitionPositions();
  positions.consumed('in#0', '2', '0');
  // in#0's events were read; in#1's have not been fetched yet (a slow start under load).
  watermarks.observe('in#0', 600_000, 0);
  const settlement = new IdleSettlement(positions, fakeAdmin(fails), IDLE, capturingLogger(lines));
  return { lines, watermarks, settlement };
}

/** The event time of in#1's first unread record: behind in#0's newest by far more than the lateness. */
const WAITING_AT = 100_000;

describe('IdleSettlement', () => {
  it('keeps a partition with unread records active through a single failed read of the end offsets', async () => {
    let failing = true;
    const { watermarks, settlement } = setUp(() => failing);
    watermarks.observe('in#0', 600_000, 1500); // in#0 goes on; in#1 has been quiet since 0

    await settlement.settle(watermarks, 1500); // the read fails once
    // Taken for idle, in#1 would leave the minimum and its waiting records would all be late.
    expect(watermarks.frontier(1500)).toBeLessThan(WAITING_AT);

    failing = false;
    await settlement.settle(watermarks, 1750); // the next tick reads them: in#1 has a backlog
    expect(watermarks.idleCandidates(1750)).toEqual([]);
    expect(watermarks.frontier(1750)).toBeLessThan(WAITING_AT);
  });

  it('falls back to the timeout once reads have failed for another idle timeout, and says so once', async () => {
    const { lines, watermarks, settlement } = setUp(() => true);
    for (let now = 1500; now <= 2500; now += 250) {
      watermarks.observe('in#0', 600_000, now);
      await settlement.settle(watermarks, now);
      expect(watermarks.frontier(now)).toBeLessThan(WAITING_AT); // failing for 1 s at most: still held
    }
    watermarks.observe('in#0', 600_000, 2750);
    await settlement.settle(watermarks, 2750); // failing for 1.25 s > the idle timeout: event time must not stall
    expect(watermarks.frontier(2750)).toBe(600_000 - 2 * L);
    for (let now = 3000; now <= 4000; now += 250) await settlement.settle(watermarks, now);

    const said = lines.map((l) => l.msg);
    expect(said.filter((m) => m?.includes('could not read end offsets'))).toHaveLength(1);
    expect(said.filter((m) => m?.includes('taken to be empty'))).toHaveLength(1);
  });

  it('starts counting again after a successful read', async () => {
    let failing = true;
    const { lines, watermarks, settlement } = setUp(() => failing);
    await settlement.settle(watermarks, 1500); // fails
    failing = false;
    await settlement.settle(watermarks, 2000); // works: in#1 has a backlog
    watermarks.setBacklog('in#1', false); // a batch said nothing more waits; consumed position not moved (the fake's end is 5)
    failing = true;
    await settlement.settle(watermarks, 2750); // fails again, 1.25 s after the first failure but the first of its run
    expect(watermarks.frontier(2750)).toBeLessThan(WAITING_AT);
    expect(lines.map((l) => l.msg).filter((m) => m?.includes('end offsets read again'))).toHaveLength(1);
  });
});
