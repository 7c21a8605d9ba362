import { describe, it, expect } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { EventDeduplicator, dedupByEventId } from '../../../processors/dedup.js';
import type { Envelope } from '../../../processors/facts.js';
import { HOUR, MINUTE } from '../../../lib/time.js';
import { T0, envelope, hydration } from './events.js';

const ev = (id: string, at: number): Envelope => envelope(hydration(id, at));

describe('EventDeduplicator', () => {
  it('reports a repeated eventId as duplicate and counts it', () => {
    const d = new EventDeduplicator({ dedupHorizonMs: HOUR, dedupMaxEntries: 100 });
    expect(d.isDuplicate(ev('a', T0))).toBe(false);
    expect(d.isDuplicate(ev('b', T0))).toBe(false);
    expect(d.isDuplicate(ev('a', T0))).toBe(true);
    expect(d.isDuplicate(ev('a', T0))).toBe(true);
    expect(d.duplicates).toBe(2);
    // Another event under a seen id is seen too, and counted apart (dedup-conflict.test.ts).
    expect(d.isDuplicate(ev('a', T0 + 5))).toBe(true);
    expect([d.duplicates, d.conflicts]).toEqual([2, 1]);
    expect(d.size).toBe(2);
  });

  it('forgets ids more than the horizon behind the largest event time seen', () => {
    const d = new EventDeduplicator({ dedupHorizonMs: 10 * MINUTE, dedupMaxEntries: 100 });
    d.isDuplicate(ev('old', T0));
    d.isDuplicate(ev('mid', T0 + 5 * MINUTE));
    d.isDuplicate(ev('edge', T0 + 10 * MINUTE)); // 'old' is exactly at the horizon: kept
    expect(d.isDuplicate(ev('old', T0))).toBe(true);
    d.isDuplicate(ev('new', T0 + 10 * MINUTE + 1)); // now 'old' is 1 ms beyond it
    expect(d.expired).toBe(1);
    expect(d.snapshot().map(([id]) => id)).toEqual(['mid', 'edge', 'new']);
    expect(d.isDuplicate(ev('old', T0))).toBe(false); // forgotten, so seen as new again
    expect(d.evicted).toBe(0);
  });

  it('never forgets an id inside the horizon, even when it arrived out of order', () => {
    const d = new EventDeduplicator({ dedupHorizonMs: 10 * MINUTE, dedupMaxEntries: 100 });
    d.isDuplicate(ev('late-but-recent', T0 + 9 * MINUTE));
    d.isDuplicate(ev('older', T0));
    d.isDuplicate(ev('max', T0 + 15 * MINUTE)); // 'older' is beyond the horizon but was inserted after a recent one
    expect(d.isDuplicate(ev('late-but-recent', T0 + 9 * MINUTE))).toBe(true);
    d.isDuplicate(ev('max2', T0 + 20 * MINUTE)); // both are beyond it now
    expect(d.snapshot().map(([id]) => id)).toEqual(['max', 'max2']);
  });

  it("measured from the frontier (the pipeline's), forgets ids only once they are the horizon behind it", () => {
    const d = new EventDeduplicator({ dedupHorizonMs: 10 * MINUTE, dedupMaxEntries: 100 }, 'frontier');
    d.isDuplicate(ev('lagging', T0));
    d.isDuplicate(ev('ahead', T0 + HOUR)); // another partition, an hour on: the frontier is still before T0
    expect(d.isDuplicate(ev('lagging', T0))).toBe(true);
    d.expireBehind(T0 + 10 * MINUTE); // exactly at the horizon: kept
    expect(d.expired).toBe(0);
    d.expireBehind(Number.POSITIVE_INFINITY); // the end of input forgets nothing
    expect(d.expired).toBe(0);
    d.expireBehind(T0 + 10 * MINUTE + 1);
    expect(d.expired).toBe(1);
    expect(d.isDuplicate(ev('lagging', T0))).toBe(false);
  });

  it('holds at most dedupMaxEntries ids, evicting the oldest-inserted first and counting them', () => {
    const d = new EventDeduplicator({ dedupHorizonMs: HOUR, dedupMaxEntries: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) d.isDuplicate(ev(id, T0));
    expect(d.size).toBe(3);
    expect(d.evicted).toBe(2);
    expect(d.snapshot().map(([id]) => id)).toEqual(['c', 'd', 'e']);
    expect(d.isDuplicate(ev('e', T0))).toBe(true);
    expect(d.isDuplicate(ev('a', T0))).toBe(false); // evicted: a duplicate this late slips through (counted above)
  });

  it('keeps expiring correctly after size evictions', () => {
    const d = new EventDeduplicator({ dedupHorizonMs: MINUTE, dedupMaxEntries: 2 });
    d.isDuplicate(ev('a', T0));
    d.isDuplicate(ev('b', T0 + 1000));
    d.isDuplicate(ev('c', T0 + 2000)); // evicts 'a'
    d.isDuplicate(ev('d', T0 + MINUTE + 1500)); // 'b' expires first, so nothing needs evicting; 'c' is within the horizon
    expect(d.snapshot().map(([id, at]) => [id, at])).toEqual([
      ['c', T0 + 2000],
      ['d', T0 + MINUTE + 1500],
    ]);
    d.isDuplicate(ev('e', T0 + MINUTE + 2001)); // 'c' falls behind the horizon
    expect(d.snapshot().map(([id]) => id)).toEqual(['d', 'e']);
    expect(d.expired).toBe(2);
    expect(d.evicted).toBe(1);
  });

  it('restores a snapshot so duplicates are still caught after a restart', () => {
    const a = new EventDeduplicator({ dedupHorizonMs: HOUR, dedupMaxEntries: 10 });
    a.isDuplicate(ev('x', T0));
    a.isDuplicate(ev('y', T0 + 1000));
    const saved = a.snapshot();
    expect(saved).toEqual([
      ['x', T0, expect.any(Number)],
      ['y', T0 + 1000, expect.any(Number)],
    ]);
    const b = new EventDeduplicator({ dedupHorizonMs: HOUR, dedupMaxEntries: 10 });
    b.restore(JSON.parse(JSON.stringify(saved)));
    expect(b.isDuplicate(ev('y', T0 + 1000))).toBe(true);
    expect(b.isDuplicate(ev('z', T0 + 2000))).toBe(false);
    expect(b.snapshot().map(([id]) => id)).toEqual(['x', 'y', 'z']);
  });

  it('applies its bounds to a restored snapshot', () => {
    const d = new EventDeduplicator({ dedupHorizonMs: MINUTE, dedupMaxEntries: 2 });
    d.restore([
      ['old', T0],
      ['a', T0 + 2 * MINUTE],
      ['b', T0 + 2 * MINUTE],
      ['c', T0 + 2 * MINUTE],
    ]);
    expect(d.snapshot().map(([id]) => id)).toEqual(['b', 'c']);
  });
});

describe('dedupByEventId operator', () => {
  it('passes first occurrences through in order and reports the duplicates', async () => {
    const dropped: string[] = [];
    const input = [ev('a', T0), ev('b', T0 + 1), ev('a', T0 + 2), ev('c', T0 + 3), ev('b', T0 + 4)];
    const out = await lastValueFrom(
      from(input).pipe(
        dedupByEventId({ dedupHorizonMs: HOUR, dedupMaxEntries: 100 }, (e) => dropped.push(e.event.eventId)),
        toArray(),
      ),
    );
    expect(out.map((e) => [e.event.eventId, e.at - T0])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 3],
    ]);
    expect(dropped).toEqual(['a', 'b']);
  });

  it('uses a fresh deduplicator per subscription when given options, or the instance given', async () => {
    const op = dedupByEventId({ dedupHorizonMs: HOUR, dedupMaxEntries: 100 });
    const source = from([ev('a', T0), ev('a', T0)]);
    expect(await lastValueFrom(source.pipe(op, toArray()))).toHaveLength(1);
    expect(await lastValueFrom(source.pipe(op, toArray()))).toHaveLength(1);
    const shared = new EventDeduplicator({ dedupHorizonMs: HOUR, dedupMaxEntries: 100 });
    await lastValueFrom(source.pipe(dedupByEventId(shared), toArray()));
    expect(shared.duplicates).toBe(1);
  });
});
