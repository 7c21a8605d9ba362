import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../../engine/live/offset-tracker.js';
import { seededRandom } from '../../helpers/seeded-random.js';

/** Feeds offsets first..last through the tracker as the runner does; returns the ones it processed. */
function deliver(t: OffsetTracker, first: number, last: number): number[] {
  const processed: number[] = [];
  for (let o = first; o <= last; o++) {
    if (t.shouldSkip('in', 0, String(o))) continue;
    t.consumed('in', 0, String(o));
    t.processed('in', 0, String(o));
    processed.push(o);
  }
  return processed;
}

describe('OffsetTracker after a restore', () => {
  it('skips what the checkpoint lists as done above its safe offset', () => {
    const t = new OffsetTracker();
    t.restore({ topic: 'in', partition: 0, safeOffset: '10', doneAbove: ['12'] });
    expect(deliver(t, 10, 14)).toEqual([10, 11, 13, 14]);
    expect(t.progress()).toEqual([{ topic: 'in', partition: 0, safeOffset: '15', doneAbove: [] }]);
  });

  // A commit in flight when a new group member fetched the committed offsets lands before the restore: the
  // consumer starts below the restored safe offset, and what lies below it is already in the restored state.
  it('skips records below the restored safe offset: the consumer fetched an older commit', () => {
    const t = new OffsetTracker();
    t.restore({ topic: 'in', partition: 0, safeOffset: '10', doneAbove: ['11'] });
    expect(deliver(t, 6, 12)).toEqual([10, 12]);
    expect(t.progress()).toEqual([{ topic: 'in', partition: 0, safeOffset: '13', doneAbove: [] }]);
  });

  it('without a restore, processes every offset from the start of the log', () => {
    const t = new OffsetTracker();
    expect(deliver(t, 0, 3)).toEqual([0, 1, 2, 3]);
  });
});

/**
 * The tracker's bookkeeping as plain Sets of offsets: what it kept before its offsets went into a byte window
 * (offset-window.ts). The window must answer exactly as these Sets did, whatever the order of the calls.
 */
class SetTracker {
  private readonly parts = new Map<string, { topic: string; partition: number; pending: Set<number>; done: Set<number>; next: number; skip: Set<number>; restoredSafe: number }>();
  private state(topic: string, partition: number) {
    const k = `${topic}#${partition}`;
    let p = this.parts.get(k);
    if (!p) this.parts.set(k, (p = { topic, partition, pending: new Set(), done: new Set(), next: -1, skip: new Set(), restoredSafe: -1 }));
    return p;
  }
  restore(progress: { topic: string; partition: number; safeOffset: string; doneAbove: string[] }) {
    const s = this.state(progress.topic, progress.partition);
    s.skip = new Set(progress.doneAbove.map(Number));
    s.next = s.restoredSafe = Number(progress.safeOffset);
  }
  shouldSkip(topic: string, partition: number, offset: string) {
    const s = this.state(topic, partition);
    const o = Number(offset);
    if (o < s.restoredSafe) return true;
    if (o + 1 > s.next) s.next = o + 1;
    if (s.skip.has(o)) {
      s.skip.delete(o);
      s.done.add(o);
      return true;
    }
    return false;
  }
  consumed(topic: string, partition: number, offset: string) {
    this.state(topic, partition).pending.add(Number(offset));
  }
  processed(topic: string, partition: number, offset: string) {
    const s = this.state(topic, partition);
    if (s.pending.delete(Number(offset))) s.done.add(Number(offset));
  }
  progress() {
    return [...this.parts.values()].flatMap((s) => {
      if (s.next < 0) return [];
      let safe = s.next;
      for (const o of s.pending) if (o < safe) safe = o;
      for (const o of s.done) if (o < safe) s.done.delete(o);
      const doneAbove = [...s.done, ...s.skip].filter((o) => o >= safe).sort((a, b) => a - b).map(String);
      return [{ topic: s.topic, partition: s.partition, safeOffset: String(safe), doneAbove }];
    });
  }
  get pendingCount() {
    let n = 0;
    for (const s of this.parts.values()) n += s.pending.size;
    return n;
  }
  forgetPartition(topic: string, partition: number) {
    this.parts.delete(`${topic}#${partition}`);
  }
}

describe('OffsetTracker against plain Sets of offsets', () => {
  // Records of three partitions taken in offset order with gaps (transaction markers, a compacted stretch, a jump of
  // millions), sometimes a batch again from an earlier offset (a re-delivery), processed out of order (the orderer
  // releases by event time), with progress reports, restores and revocations in between.
  for (const seed of [1, 2, 3, 4]) {
    it(`answers as the Sets did (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      const t = new OffsetTracker();
      const ref = new SetTracker();
      const parts = [['a', 0], ['a', 1], ['b', 0]] as const;
      const nextOffset = new Map<string, number>(parts.map(([topic, p]) => [`${topic}#${p}`, Math.floor(random() * 50)]));
      let held: Array<[string, number, string]> = [];
      for (let step = 0; step < 4000; step++) {
        const r = random();
        const [topic, partition] = pick(parts);
        const key = `${topic}#${partition}`;
        if (r < 0.45) {
          let o = nextOffset.get(key)!;
          const gap = random();
          o += gap < 0.9 ? 0 : gap < 0.97 ? Math.floor(random() * 20) : gap < 0.99 ? 5000 : 300_000;
          for (let i = 0; i < 1 + Math.floor(random() * 8); i++, o++) {
            const offset = String(o);
            const skip = ref.shouldSkip(topic, partition, offset);
            if (random() < 0.5) {
              expect(t.take(topic, partition, offset)).toBe(!skip);
            } else {
              expect(t.shouldSkip(topic, partition, offset)).toBe(skip);
              if (!skip) t.consumed(topic, partition, offset);
            }
            if (skip) continue;
            ref.consumed(topic, partition, offset);
            held.push([topic, partition, offset]);
          }
          nextOffset.set(key, o);
        } else if (r < 0.8 && held.length > 0) {
          const i = Math.floor(random() * Math.min(held.length, 30)); // mostly the older ones first, as event time goes
          const [ht, hp, ho] = held[i]!;
          held.splice(i, 1);
          t.processed(ht, hp, ho);
          ref.processed(ht, hp, ho);
        } else if (r < 0.83) {
          const offset = String(Math.floor(random() * (nextOffset.get(key)! + 10))); // never consumed, or already done
          t.processed(topic, partition, offset);
          ref.processed(topic, partition, offset);
        } else if (r < 0.95) {
          expect(t.progress()).toEqual(ref.progress());
        } else if (r < 0.97) {
          nextOffset.set(key, Math.max(0, nextOffset.get(key)! - Math.floor(random() * 40))); // a batch again
        } else if (r < 0.985) {
          t.forgetPartition(topic, partition);
          ref.forgetPartition(topic, partition);
          held = held.filter(([h, p]) => h !== topic || p !== partition);
        } else {
          const safe = nextOffset.get(key)! - Math.floor(random() * 10);
          const progress = { topic, partition, safeOffset: String(safe), doneAbove: [String(safe + 2), String(safe + 5)] };
          t.forgetPartition(topic, partition);
          ref.forgetPartition(topic, partition);
          held = held.filter(([h, p]) => h !== topic || p !== partition);
          t.restore(progress);
          ref.restore(progress);
          nextOffset.set(key, safe - Math.floor(random() * 5));
        }
        expect(t.pendingCount).toBe(ref.pendingCount);
      }
      expect(t.progress()).toEqual(ref.progress());
    });
  }
});

describe('OffsetTracker over a long partition', () => {
  // Tens of thousands of records, a transaction marker's gap after every few, released a little out of order, a
  // progress report every few hundred: the offsets kept move along the log, so the window fills, slides and grows.
  it('answers as the Sets did', () => {
    const random = seededRandom(11);
    const t = new OffsetTracker();
    const ref = new SetTracker();
    let held: string[] = [];
    for (let o = 0; o < 60_000; o++) {
      if (random() < 0.1) continue; // a control record: no message at this offset
      const offset = String(o);
      expect(t.take('in', 0, offset)).toBe(!ref.shouldSkip('in', 0, offset));
      ref.consumed('in', 0, offset);
      held.push(offset);
      while (held.length > 40 || (held.length > 0 && random() < 0.5)) {
        const i = Math.floor(random() * Math.min(held.length, 8));
        t.processed('in', 0, held[i]!);
        ref.processed('in', 0, held[i]!);
        held.splice(i, 1);
      }
      // Now and then one record is held for long (an event dated far back waits for its window).
      if (random() < 0.0005) held = [...held.slice(1), held[0]!].filter((x) => x !== undefined);
      if (random() < 0.0007) {
        // Sometimes with nothing held (the window then starts at the next offset, which may be a gap).
        if (random() < 0.5) for (const h of held.splice(0)) t.processed('in', 0, h), ref.processed('in', 0, h);
        expect(t.progress()).toEqual(ref.progress());
      }
    }
    expect(t.progress()).toEqual(ref.progress());
    expect(t.pendingCount).toBe(ref.pendingCount);
  });
});
