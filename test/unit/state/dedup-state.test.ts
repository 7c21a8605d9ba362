import { describe, it, expect } from 'vitest';
import { DEDUP_SNAPSHOT_MAX_ENTRIES, EventDeduplicator } from '../../../processors/dedup.js';
import { isWholeStateStore } from '../../../processors/stateful.js';
import type { Envelope } from '../../../processors/facts.js';
import { HOUR } from '../../../lib/time.js';
import { T0, envelope, hydration } from '../ingest/events.js';

const ev = (id: string, at: number): Envelope => envelope(hydration(id, at));
const options = { dedupHorizonMs: HOUR, dedupMaxEntries: 1_000_000 };

describe('EventDeduplicator whole state', () => {
  it('snapshots only the newest 20,000 ids, so retries right behind a restart are still caught', () => {
    const d = new EventDeduplicator(options);
    expect(isWholeStateStore(d)).toBe(true);
    for (let i = 0; i < 25_000; i++) d.isDuplicate(ev(`id-${i}`, T0 + i));
    const snap = d.snapshot();
    expect(DEDUP_SNAPSHOT_MAX_ENTRIES).toBe(20_000);
    expect(snap).toHaveLength(20_000);
    expect(snap[0]).toEqual(['id-5000', T0 + 5000, expect.any(Number)]);
    expect(snap[19_999]).toEqual(['id-24999', T0 + 24_999, expect.any(Number)]);

    const restored = new EventDeduplicator(options);
    restored.restore(JSON.parse(JSON.stringify(snap)));
    expect(restored.size).toBe(20_000);
    expect(restored.isDuplicate(ev('id-24999', T0 + 24_999))).toBe(true); // a producer retry of the last send
    expect(restored.isDuplicate(ev('id-5000', T0 + 5000))).toBe(true);
    expect(restored.isDuplicate(ev('id-4999', T0 + 4999))).toBe(false); // older than the snapshot: offsets cover it
  });

  it('a smaller state is snapshotted whole, in insertion order', () => {
    const d = new EventDeduplicator(options);
    for (const id of ['b', 'a', 'c']) d.isDuplicate(ev(id, T0));
    expect(d.snapshot().map(([id]) => id)).toEqual(['b', 'a', 'c']);
    expect(d.snapshot(2).map(([id]) => id)).toEqual(['a', 'c']);
  });
});
