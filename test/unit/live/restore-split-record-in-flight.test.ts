/**
 * A restore reads the changelog up to a marker of its own. Another member's
 * split record (state-chunks.ts: a manifest, then its pieces, in one
 * transaction) can straddle that marker: the manifest before it, the pieces
 * after. Once that transaction commits, the reader reaches the marker before
 * it has fetched the pieces, and the record looks broken — every restore
 * reads partition 0, where every member's `w/` and `s/` records live, so a
 * rebalance failed over a record that was whole. The restore reads again up
 * to a new marker; only a record still broken then is an error.
 *
 * The reader is a stand-in (a mock, which this test says): the broker timing
 * that interleaves the two transactions cannot be produced on demand.
 */
import { describe, expect, it } from 'vitest';
import type { ChangelogReader } from '../../../engine/live/changelog-reader.js';
import type { TransactionalProducer } from '../../../engine/live/transactional-producer.js';
import { chunkKey } from '../../../engine/live/state-chunks.js';
import { CONSISTENT_VIEW_ATTEMPTS } from '../../../engine/live/restore-engine.js';
import { Changelog, startGeneration } from './rebalance-harness.js';

const CHANGELOG = 'state-changelog';
const manifest = JSON.stringify({ $chunks: 2, bytes: 10 });

/** A reader that has fetched the member B's manifest but, for its first `behind` reads, not yet its pieces. */
function readerBehind(behind: number): { reader: ChangelogReader; markers: () => number } {
  let markers = 0;
  const reader = {
    waitForMarker: async () => void markers++,
    entries: (p: number): Array<[string, string]> => {
      if (p !== 0) return [];
      const whole: Array<[string, string]> = [['w/B', manifest]];
      return markers <= behind ? whole : [...whole, [chunkKey('w/B', 0), 'aaaaa'], [chunkKey('w/B', 1), 'bbbbb']];
    },
    get: () => undefined,
  } as unknown as ChangelogReader;
  return { reader, markers: () => markers };
}

const producer = { run: async (fn: (tx: unknown) => Promise<unknown>) => fn({ send: async () => undefined }) } as unknown as TransactionalProducer;

describe('restore next to another member\'s split record in flight', () => {
  it('reads again up to a new marker when a record does not add up yet, and restores', async () => {
    const { reader, markers } = readerBehind(1);
    const live = await startGeneration(new Changelog(), 'A', [0], 1, undefined, { members: ['A', 'B'], broker: { reader, producer, changelogTopic: CHANGELOG } });
    expect(live.restored.partitions).toEqual([0]);
    expect(markers()).toBe(2);
  });

  it('a record still broken after every read is an error naming it', async () => {
    const { reader, markers } = readerBehind(Number.POSITIVE_INFINITY);
    await expect(startGeneration(new Changelog(), 'A', [0], 1, undefined, { members: ['A', 'B'], broker: { reader, producer, changelogTopic: CHANGELOG } })).rejects.toThrow(/w\/B.*piece 0 of 2 is missing/);
    expect(markers()).toBe(CONSISTENT_VIEW_ATTEMPTS);
  });
});
