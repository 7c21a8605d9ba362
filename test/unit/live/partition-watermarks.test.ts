import { describe, it, expect } from 'vitest';
import { PartitionWatermarks } from '../../../engine/live/partition-watermarks.js';
import { OffsetTracker } from '../../../engine/live/offset-tracker.js';
import { progressMessage, readPartitionEntries } from '../../../engine/live/checkpoint.js';

// Lateness 1 s → frontier = min watermark − 1 s = min maxSeen − 2 s; idle timeout 5 s. Wall time starts at 0.
const L = 1000;
const IDLE = 5000;

function twoPartitions(): PartitionWatermarks {
  const w = new PartitionWatermarks(L, IDLE);
  w.assign(['a#0', 'b#0'], 0);
  w.observe('a#0', 100_000, 0);
  w.observe('b#0', 40_000, 0);
  return w;
}

function threePartitions(): PartitionWatermarks {
  const w = new PartitionWatermarks(L, IDLE);
  w.assign(['a#0', 'b#0', 'c#0'], 0);
  w.observe('a#0', 100_000, 0);
  w.observe('b#0', 90_000, 0);
  w.observe('c#0', 80_000, 0);
  return w;
}

describe('PartitionWatermarks idleness', () => {
  it('holds event time at the slowest partition while both are active', () => {
    expect(twoPartitions().frontier(1000)).toBe(40_000 - 2 * L);
  });

  it('leaves a quiet partition out only once the broker confirmed it has nothing to read', () => {
    const w = twoPartitions();
    w.observe('a#0', 110_000, 6000); // a keeps going; b has been quiet for 7 s at t = 7000
    expect(w.idleCandidates(7000)).toEqual(['b#0']);
    expect(w.frontier(7000)).toBe(40_000 - 2 * L); // past the timeout, not confirmed: still held
    w.confirmIdle('b#0');
    expect(w.frontier(7000)).toBe(110_000 - 2 * L);
    expect(w.idleCandidates(7000)).toEqual([]);
  });

  it('never calls a partition with a backlog idle, however long the engine has not got round to it', () => {
    const w = twoPartitions();
    w.setBacklog('b#0', true);
    w.observe('a#0', 110_000, 60_000);
    expect(w.idleCandidates(60_000)).toEqual([]);
    expect(w.frontier(60_000)).toBe(40_000 - 2 * L);
    w.setBacklog('b#0', false); // a batch read it to its end
    expect(w.idleCandidates(60_000)).toEqual(['b#0']);
  });

  it('drops every confirmation when a confirmed-idle partition wakes up (the others may have records by now too)', () => {
    const w = threePartitions();
    w.observe('a#0', 101_000, 10_000);
    w.confirmIdle('b#0');
    w.confirmIdle('c#0');
    expect(w.frontier(10_000)).toBe(101_000 - 2 * L);
    w.observe('b#0', 95_000, 10_500); // b wakes up
    expect(w.frontier(10_500)).toBe(80_000 - 2 * L); // c must be confirmed again before it is left out
    expect(w.idleCandidates(10_500)).toEqual(['c#0']);
  });

  it('drops them too when a partition wakes that was past the timeout but not confirmed yet', () => {
    const w = threePartitions();
    w.confirmIdle('b#0');
    w.confirmIdle('c#0'); // a's broker check has not come round yet
    expect(w.frontier(10_000)).toBe(100_000 - 2 * L);
    w.observe('a#0', 400_000, 10_000); // a wakes with a burst far ahead in event time
    expect(w.frontier(10_000)).toBe(80_000 - 2 * L); // b and c hold event time until confirmed idle again
  });

  it('never calls a partition idle while records it delivered wait to be decoded (a registry outage), even once confirmed empty', () => {
    const undecoded = new Set<string>();
    const w = new PartitionWatermarks(L, IDLE, (k) => undecoded.has(k));
    w.assign(['a#0', 'b#0'], 0);
    w.observe('a#0', 100_000, 0);
    w.observe('b#0', 100_000, 0);
    w.confirmIdle('a#0');
    w.confirmIdle('b#0');
    expect(w.frontier(8000)).toBe(100_000 + 3000 - 2 * L); // both idle: wall-clock speed
    undecoded.add('b#0'); // b delivered an Avro record; the registry is down (the broker still says b holds nothing more)
    for (const now of [8000, 60_000, 600_000]) {
      expect(w.idleCandidates(now)).toEqual([]); // a is confirmed already; b is not asked about
      expect(w.frontier(now)).toBe(100_000 - 2 * L); // held at b's last event: its record will not be late
    }
    undecoded.delete('b#0'); // decoded: a dead letter (no event time) — b is idle again, event time moves on
    expect(w.frontier(600_000)).toBe(100_000 + 595_000 - 2 * L);
  });

  it('holds only at the partitions whose records wait to be decoded: the others may still be left out', () => {
    const undecoded = new Set<string>(['b#0']);
    const w = new PartitionWatermarks(L, IDLE, (k) => undecoded.has(k));
    w.assign(['a#0', 'b#0', 'c#0'], 0);
    w.observe('a#0', 100_000, 0);
    w.observe('b#0', 90_000, 0);
    w.observe('c#0', 80_000, 0);
    expect(w.idleCandidates(10_000)).toEqual(['a#0', 'c#0']);
    w.confirmIdle('a#0');
    w.confirmIdle('c#0');
    expect(w.frontier(10_000)).toBe(90_000 - 2 * L);
    undecoded.delete('b#0');
    w.observe('b#0', 95_000, 10_000); // its record decoded: an event; b woke after the timeout, so the others are looked at again
    expect(w.frontier(10_000)).toBe(80_000 - 2 * L);
  });

  it('moves on at wall-clock speed from the newest event once every partition is confirmed idle', () => {
    const w = twoPartitions();
    w.confirmIdle('a#0');
    w.confirmIdle('b#0');
    // Last activity at 0, idle from 5 s: at 8 s event time is 3 s past the newest event.
    expect(w.frontier(8000)).toBe(100_000 + 3000 - 2 * L);
  });
});

describe('PartitionWatermarks after a restore', () => {
  it('resumes at the committed frontier: with no record since, event time goes on at wall-clock speed from there', () => {
    const w = new PartitionWatermarks(L, IDLE);
    w.assign(['a#0', 'b#0'], 0);
    expect(w.frontier(20_000)).toBe(Number.NEGATIVE_INFINITY); // no event time known at all: timers would wait for input
    w.resume(50_000);
    expect(w.frontier(1000)).toBe(Number.NEGATIVE_INFINITY); // not idle yet (nor confirmed)
    w.confirmIdle('a#0');
    w.confirmIdle('b#0');
    expect(w.frontier(6000)).toBe(50_000 + 1000); // 1 s past the idle timeout
    expect(w.frontier(16_000)).toBe(50_000 + 11_000);
  });

  it('does not hold back records that come again: event time is no further than the commit left it until all are idle', () => {
    const w = new PartitionWatermarks(L, IDLE);
    w.assign(['a#0', 'b#0'], 0);
    w.resume(50_000);
    w.observe('a#0', 50_500, 100); // a held record comes again; b has not answered yet
    expect(w.frontier(200)).toBe(Number.NEGATIVE_INFINITY);
    w.resume(Number.NEGATIVE_INFINITY); // a checkpoint without a frontier changes nothing
    w.confirmIdle('b#0');
    expect(w.frontier(7000)).toBe(50_500 - 2 * L); // a is past the timeout but not confirmed: it holds event time at its own record
  });
});

describe('OffsetTracker', () => {
  it('commits up to the first record still held, and lists the ones done above it', () => {
    const t = new OffsetTracker();
    for (const o of ['5', '6', '7', '8']) {
      t.shouldSkip('in', 0, o);
      t.consumed('in', 0, o);
    }
    t.processed('in', 0, '5');
    t.processed('in', 0, '7');
    expect(t.progress()).toEqual([{ topic: 'in', partition: 0, safeOffset: '6', doneAbove: ['7'] }]);
    expect(t.pendingCount).toBe(2);
  });

  it('keeps partitions apart, reports them in the order first seen, and forgets a revoked one', () => {
    const t = new OffsetTracker();
    for (const [topic, partition] of [['b', 1], ['a', 0], ['b', 0], ['a', 1]] as const) {
      t.shouldSkip(topic, partition, '10');
      t.consumed(topic, partition, '10');
    }
    t.processed('b', 0, '10');
    expect(t.progress().map((p) => [p.topic, p.partition, p.safeOffset])).toEqual([
      ['b', 1, '10'],
      ['a', 0, '10'],
      ['b', 0, '11'],
      ['a', 1, '10'],
    ]);
    t.forgetPartition('a', 0);
    expect(t.progress().map((p) => `${p.topic}/${p.partition}`)).toEqual(['b/1', 'b/0', 'a/1']);
    expect(t.pendingCount).toBe(2);
    t.shouldSkip('a', 0, '12');
    expect(t.progress().map((p) => `${p.topic}/${p.partition}/${p.safeOffset}`)).toEqual(['b/1/10', 'b/0/11', 'a/1/10', 'a/0/13']);
  });

  it('skips re-delivered records that the checkpoint says were done', () => {
    const t = new OffsetTracker();
    t.restore({ topic: 'in', partition: 0, safeOffset: '6', doneAbove: ['7'] });
    expect(['6', '7', '8'].map((o) => t.shouldSkip('in', 0, o))).toEqual([false, true, false]);
  });
});

describe('checkpoint progress', () => {
  it('stores the committing frontier with the position (null while it is -Infinity) and reads it back', () => {
    const progress = { topic: 'in', partition: 2, safeOffset: '6', doneAbove: ['7'] };
    const a = progressMessage(progress, 123_000);
    const b = progressMessage({ ...progress, topic: 'in2' }, Number.NEGATIVE_INFINITY);
    expect(a).toMatchObject({ key: 'p/in/2', partition: 2 });
    const restored = readPartitionEntries([
      [String(a.key), String(a.value)],
      [String(b.key), String(b.value)],
    ]);
    expect(restored.progress).toEqual([
      { ...progress, frontier: 123_000 },
      { ...progress, topic: 'in2', frontier: null },
    ]);
  });
});
