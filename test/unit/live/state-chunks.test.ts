/**
 * Changelog records written in pieces (engine/live/state-chunks.ts): a value
 * over the bound becomes a manifest and pieces that decode on their own and
 * put back together to the value; a later version with fewer pieces, or
 * none, tombstones the ones it no longer has; values within the bound, and
 * every record of the previous release, are read as they are.
 */
import { describe, expect, it } from 'vitest';
import { assembledEntries, ChunkedRecords, utf8Pieces, type ChangelogMessage } from '../../../engine/live/state-chunks.js';
import { messageBytes } from '../../../engine/live/send-chunks.js';

/** The latest value of each key after `messages`, as a compacted topic keeps them (a tombstone removes the key). */
function compacted(...batches: ChangelogMessage[][]): Array<[string, string]> {
  const latest = new Map<string, string>();
  for (const m of batches.flat()) {
    if (m.value === null || m.value === undefined) latest.delete(String(m.key));
    else latest.set(String(m.key), String(m.value));
  }
  return [...latest];
}

const record = (key: string, value: string | null, partition = 3): ChangelogMessage => ({ key, value, partition });

describe('utf8Pieces', () => {
  it('cuts between characters, never inside one, each piece within the bound', () => {
    // 1-, 2-, 3- and 4-byte characters, so that every cut lands next to or inside a multi-byte one somewhere.
    const text = 'aé€😀'.repeat(500);
    for (const max of [4, 5, 7, 64, 1000]) {
      const pieces = utf8Pieces(text, max);
      expect(pieces.join('')).toBe(text);
      for (const p of pieces) {
        expect(Buffer.byteLength(p)).toBeLessThanOrEqual(max);
        expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
        expect(p).not.toMatch(/\uFFFD/);
      }
    }
  });

  it('refuses a bound that cannot hold a character', () => {
    expect(() => utf8Pieces('abc', 3)).toThrow(/at least 4 bytes/);
  });
});

describe('ChunkedRecords', () => {
  const big = JSON.stringify({ processors: { note: 'ü'.repeat(3000) } }); // 6 000+ bytes

  it('writes a value within the bound as it is, and a larger one as a manifest and pieces that restore to it', () => {
    const chunked = new ChunkedRecords();
    const small = record('k/prod/app', '{"a":1}');
    const out = chunked.split([small, record('w/A', big, 0)], 1000);
    expect(out[0]).toBe(small);
    expect(out[1]).toMatchObject({ key: 'w/A', partition: 0, value: JSON.stringify({ $chunks: 7, bytes: Buffer.byteLength(big) }) });
    expect(out.slice(2).map((m) => [m.key, m.partition])).toEqual(Array.from({ length: 7 }, (_, i) => [`c/${i}/w/A`, 0]));
    for (const m of out) expect(messageBytes(m)).toBeLessThanOrEqual(1000 + 64);

    const restored = new ChunkedRecords();
    const view = assembledEntries(compacted(out), restored);
    expect([...view]).toEqual([
      ['k/prod/app', '{"a":1}'],
      ['w/A', big],
    ]);
    expect(restored.piecesOf('w/A')).toBe(7);
  });

  it('a later version with fewer pieces, none, or a tombstone removes the pieces it no longer has', () => {
    const chunked = new ChunkedRecords();
    const first = chunked.split([record('k/prod/app', big)], 1000);
    const fewer = chunked.split([record('k/prod/app', big.slice(0, 1200))], 1000);
    expect(fewer.filter((m) => m.value === null).map((m) => m.key)).toEqual(['c/3/k/prod/app', 'c/4/k/prod/app', 'c/5/k/prod/app', 'c/6/k/prod/app']);
    expect(assembledEntries(compacted(first, fewer)).get('k/prod/app')).toBe(big.slice(0, 1200));

    const whole = chunked.split([record('k/prod/app', '{"b":2}')], 1000);
    expect(compacted(first, fewer, whole)).toEqual([['k/prod/app', '{"b":2}']]);

    chunked.split([record('k/prod/app', big)], 1000);
    const gone = chunked.split([record('k/prod/app', null)], 1000);
    expect(gone.map((m) => [m.key, m.value])).toEqual([['k/prod/app', null], ...Array.from({ length: 7 }, (_, i) => [`c/${i}/k/prod/app`, null])]);
  });

  it('an engine restored from the changelog tombstones the pieces its predecessor wrote', () => {
    const before = new ChunkedRecords().split([record('w/A', big, 0)], 1000);
    const after = new ChunkedRecords();
    assembledEntries(compacted(before), after);
    const next = after.split([record('w/A', '{"processors":{}}', 0)], 1000);
    expect(compacted(before, next)).toEqual([['w/A', '{"processors":{}}']]);
  });

  it('pieces beyond the manifest (a version whose commit failed left them) are tombstoned by the next version too', () => {
    const five = new ChunkedRecords().split([record('w/A', big, 0)], 1000);
    const three = new ChunkedRecords().split([record('w/A', big.slice(0, 1200), 0)], 1000); // as if unaware of the five
    const after = new ChunkedRecords();
    expect(assembledEntries(compacted(five, three), after).get('w/A')).toBe(big.slice(0, 1200));
    expect(after.piecesOf('w/A')).toBe(7);
    expect(compacted(five, three, after.split([record('w/A', null, 0)], 1000))).toEqual([]);
  });

  it('a manifest whose pieces are missing, or do not add up, is an error naming the record, not a wrong state', () => {
    const out = new ChunkedRecords().split([record('w/A', big, 0)], 1000);
    const entries = compacted(out);
    expect(() => assembledEntries(entries.filter(([k]) => k !== 'c/2/w/A'))).toThrow(/w\/A.*piece 2 of 7 is missing/);
    expect(() => assembledEntries(entries.map(([k, v]): [string, string] => [k, k === 'c/0/w/A' ? v.slice(1) : v]))).toThrow(/w\/A.*manifest says/);
  });
});
