/**
 * Live mode's dedup across restarts and rebalances: each key's newest
 * eventIds travel with the key's changelog record and are handed back to
 * the deduplicator when the key is restored.
 */
import { describe, expect, it } from 'vitest';
import { RecentEventIds, type RecentIdsSnapshot } from '../../../processors/recent-event-ids.js';
import { createPipeline, type Pipeline } from '../../../engine/pipeline.js';
import { restoreTopology, snapshotTopology, type KeyStateRecord } from '../../../engine/topology-state.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { isKeyedStateStore } from '../../../processors/stateful.js';
import type { Fact } from '../../../processors/facts.js';
import { HOUR, MINUTE } from '../../../lib/time.js';
import { T0, hydration } from '../ingest/events.js';

describe('RecentEventIds', () => {
  it('keeps the newest perKey ids of each key, oldest first, and marks the key dirty', () => {
    const r = new RecentEventIds(3, HOUR, () => undefined);
    expect(isKeyedStateStore(r)).toBe(true);
    for (let i = 1; i <= 5; i++) r.record('prod/a', `a-${i}`, T0 + i, 100 + i);
    r.record('prod/b', 'b-1', T0, 7);
    expect(r.drainDirtyKeys()).toEqual(['prod/a', 'prod/b']);
    expect(r.drainDirtyKeys()).toEqual([]);
    expect(r.snapshotKey('prod/a')).toEqual([['a-3', T0 + 3, 103], ['a-4', T0 + 4, 104], ['a-5', T0 + 5, 105]]);
    expect(r.snapshotKey('prod/c')).toBeUndefined();
  });

  it('restoring a key hands its ids to the deduplicator and leaves it clean', () => {
    const restored: Array<[string, number, number]> = [];
    const r = new RecentEventIds(2, HOUR, (id, at, digest) => restored.push([id, at, digest]));
    const state: RecentIdsSnapshot = [['x', T0, 1], ['y', T0 + 1, 2], ['z', T0 + 2, 3]];
    r.restoreKey('prod/a', JSON.parse(JSON.stringify(state)));
    expect(restored).toEqual([['y', T0 + 1, 2], ['z', T0 + 2, 3]]); // the newest perKey
    expect(r.drainDirtyKeys()).toEqual([]);
    r.record('prod/a', 'w', T0 + 3, 4);
    expect(r.drainDirtyKeys()).toEqual(['prod/a']);
    expect(r.snapshotKey('prod/a')).toEqual([['z', T0 + 2, 3], ['w', T0 + 3, 4]]);
    expect(() => r.restoreKey('prod/b', [['ok', 1], ['bad']])).toThrow(/recent-ids.*\[eventId, time\] pairs/);
  });

  it("keeps each id's content digest with it, and restores ids of an older record (no digest) as digest 0, not known", () => {
    const restored: Array<[string, number, number]> = [];
    const r = new RecentEventIds(4, HOUR, (id, at, digest) => restored.push([id, at, digest]));
    r.record('prod/a', 'a-1', T0, 12345);
    r.record('prod/a', 'a-2', T0 + 1, -7);
    expect(r.snapshotKey('prod/a')).toEqual([['a-1', T0, 12345], ['a-2', T0 + 1, -7]]);
    r.restoreKey('prod/b', [['b-1', T0, 99], ['b-2', T0 + 1]]);
    expect(restored).toEqual([['b-1', T0, 99], ['b-2', T0 + 1, 0]]);
    // A digest not known is left out of the record, as an older release wrote it.
    expect(r.snapshotKey('prod/b')).toEqual([['b-1', T0, 99], ['b-2', T0 + 1]]);
    expect(() => r.restoreKey('prod/c', [['x', 1, 'digest']])).toThrow(/recent-ids/);
  });

  it('forgets a key whose newest id fell behind the horizon, and reports it for a tombstone', () => {
    const r = new RecentEventIds(4, 10 * MINUTE, () => undefined);
    r.record('prod/old', 'o-1', T0, 1);
    r.record('prod/new', 'n-1', T0, 2);
    expect(r.drainDirtyKeys()).toEqual(['prod/new', 'prod/old']);
    r.record('prod/new', 'n-2', T0 + 11 * MINUTE, 3);
    expect(r.drainDirtyKeys()).toEqual(['prod/new', 'prod/old']);
    expect(r.snapshotKey('prod/old')).toBeUndefined();
    expect(r.size).toBe(1);
  });
});

describe('dedup across a restart of a live-mode pipeline (changelog records)', () => {
  const line = (id: string, at: number, instance = 'hyd-0') => JSON.stringify(hydration(id, at, { instance }));

  function pipeline(recentIdsPerKey?: number, onDeadLetter?: (reason: string) => void): { p: Pipeline; events: string[] } {
    const events: string[] = [];
    const p = createPipeline({
      processing: defaultProcessingOptions,
      alerts: defaultAlertsConfig(),
      writer: null,
      recentIdsPerKey,
      onDeadLetter: (dl) => onDeadLetter?.(dl.reason),
      onFact: (f: Fact) => {
        if (f.kind === 'event') events.push(f.envelope.event.eventId);
      },
    });
    return { p, events };
  }

  it('a producer retry of an event processed before the restart is dropped by the restored engine; an event still held is not', async () => {
    const before = pipeline(16);
    for (let i = 0; i < 5; i++) before.p.push({ value: line(`e-${i}`, T0 + i * 1000, `hyd-${i}`) });
    // Event time moves past e-0..e-4 (frontier = newest − 2 × 30 s lateness); e-5 stays held by the orderer.
    before.p.push({ value: line('e-5', T0 + 65_000, 'hyd-5') });
    expect(before.events).toEqual(['e-0', 'e-1', 'e-2', 'e-3', 'e-4']);
    const snap = snapshotTopology(before.p.topology);
    const record = new Map(snap.keyed).get('prod/search-index') as KeyStateRecord;
    expect(record['recent-ids']).toEqual([0, 1, 2, 3, 4].map((i) => [`e-${i}`, T0 + i * 1000, expect.any(Number)]));

    // The restarted engine restores the key from its (JSON) changelog record; then the retry of e-3 arrives, and
    // e-5 again (its offset was not committed: it had not been processed).
    const after = pipeline(16);
    restoreTopology(after.p.topology, { keyed: JSON.parse(JSON.stringify(snap.keyed)) as Array<[string, KeyStateRecord]> });
    after.p.push({ value: line('e-3', T0 + 3000, 'hyd-3') });
    after.p.push({ value: line('e-5', T0 + 65_000, 'hyd-5') });
    await after.p.end();
    expect(after.p.counters.duplicates).toBe(1);
    expect(after.events).toEqual(['e-5']);

    // Without the recent ids (dedup in memory only) the same retry is processed a second time.
    const forgetful = pipeline();
    restoreTopology(forgetful.p.topology, { keyed: [] });
    forgetful.p.push({ value: line('e-3', T0 + 3000, 'hyd-3') });
    await forgetful.p.end();
    expect(forgetful.events).toEqual(['e-3']);
  });

  it('another event under the eventId of one processed before the restart is dead-lettered by the restored engine, naming the id', async () => {
    const before = pipeline(16);
    before.p.push({ value: line('e-1', T0, 'hyd-1') });
    before.p.push({ value: line('e-2', T0 + 65_000, 'hyd-2') }); // releases e-1
    expect(before.events).toEqual(['e-1']);
    const snap = snapshotTopology(before.p.topology);

    const deadLetters: string[] = [];
    const after = pipeline(16, (reason) => deadLetters.push(reason));
    restoreTopology(after.p.topology, { keyed: JSON.parse(JSON.stringify(snap.keyed)) as Array<[string, KeyStateRecord]> });
    after.p.push({ value: line('e-1', T0, 'hyd-1') }); // a retry: dropped
    after.p.push({ value: line('e-1', T0 + 1000, 'hyd-9') }); // another event under e-1: dead-lettered
    await after.p.end();
    expect(after.p.counters).toMatchObject({ duplicates: 1, deadLetters: 1, events: 0 });
    expect(after.events).toEqual([]);
    expect(deadLetters).toEqual([expect.stringMatching(/^reused eventId: "e-1" conflicts with the event first seen under it \(occurredAt 2026-11-27T12:00:00\.000Z\)/)]);
  });
});
