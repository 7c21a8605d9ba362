/**
 * Source expiry (SPEC §4.2) at a cost per source that does not grow with the
 * key's sources: a key whose N sources fall silent one after another used to
 * be re-judged once per source (its timer at each source's expiry), each
 * time looking at every source — O(N²) for one key. Only the expiry of the
 * key's last divergent source can change what it emits (a resolution,
 * `source_expired`), so the key's timer waits for that, or for the last of its
 * sources to go (its memory); an evaluation for any other reason forgets the
 * silent ones first, as ever.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StateDriftProcessor } from '../../../processors/state-drift.js';
import { KeyState } from '../../../processors/state-drift/key-state.js';
import type { Fact } from '../../../processors/facts.js';
import { classify, index, options, promoted, t } from './builders.js';

const KEY = 'prod/catalog';
const N = 2000;

function feed(p: StateDriftProcessor, facts: Fact[], out: Fact[] = []): Fact[] {
  for (const f of facts) p.handle(f, (d) => out.push(d));
  return out;
}
const instances = (n: number, digest: string, from: number, name = 'r') =>
  Array.from({ length: n }, (_, i) => index(t(from) + i * 10, { instance: `${name}-${i}`, servedDigest: digest }));
/** An event of another key, moving event time to `at`. */
const tick = (at: number) => index(at, { instance: 'x', servedDigest: 'd1', artifact: 'other' });

afterEach(() => vi.restoreAllMocks());

describe('source expiry cost', () => {
  it('N acceptable sources falling silent one after another re-judge their key a few times, not N', () => {
    const p = new StateDriftProcessor(options, classify);
    feed(p, [...promoted(t(0), 'p1', 'd1'), ...instances(N, 'd1', 200)]);
    const evaluations = vi.spyOn(KeyState.prototype, 'evaluate');
    // Event time walks past every source's expiry, one event per 10 ms source.
    const end = t(200) + N * 10 + options.sourceTtlMs + 1;
    const ticks: Fact[] = [];
    for (let at = t(200) + options.sourceTtlMs; at <= end + 10; at += 10) ticks.push(tick(at));
    feed(p, ticks);
    const ofKey = evaluations.mock.contexts.filter((ks) => (ks as KeyState).artifact === 'catalog').length;
    expect(ofKey).toBeLessThanOrEqual(3);
    expect(p.snapshotKey(KEY)!.sources).toEqual([]); // every one forgotten by the last one's expiry
  });

  it("a drifted key among many acceptable sources resolves at its divergent source's expiry, to the millisecond", () => {
    const p = new StateDriftProcessor(options, classify);
    const out = feed(p, [...promoted(t(0), 'p1', 'd1'), index(t(200), { instance: 'real', servedDigest: 'bad' }), ...instances(N, 'd1', 201)]);
    const evaluations = vi.spyOn(KeyState.prototype, 'evaluate');
    const expiry = t(200) + options.sourceTtlMs + 1;
    for (let at = t(200) + options.sourceTtlMs - 1000; at <= t(201) + N * 10 + options.sourceTtlMs + 10; at += 10) feed(p, [tick(at)], out);
    const incidents = out.filter((f) => f.kind === 'incident');
    expect(incidents.map((f) => [f.change, f.at])).toEqual([
      ['opened', t(200)],
      ['resolved', expiry],
    ]);
    expect(evaluations.mock.contexts.filter((ks) => (ks as KeyState).artifact === 'catalog').length).toBeLessThanOrEqual(3);
  });

  it('sources expired but not yet forgotten take no room under DRIFTWATCH_MAX_SOURCES_PER_KEY, nor a returning source its old place', () => {
    const max = 100;
    const p = new StateDriftProcessor({ ...options, maxSourcesPerKey: max }, classify);
    feed(p, [...promoted(t(0), 'p1', 'd1'), ...instances(max, 'd1', 200)]);
    // Past their TTL (no evaluation of the key since): as many new sources, then the first old one again.
    const after = 200 + options.sourceTtlMs / 1000 + 10;
    feed(p, [...instances(max, 'd1', after, 'new'), index(t(after + 5), { instance: 'r-0', servedDigest: 'd1' })]);
    expect(p.sourcesDropped).toBe(1); // r-0, back at the bound of live sources: the one not kept
    const ids = p.snapshotKey(KEY)!.sources.map((s) => s.sourceId);
    expect(ids).toHaveLength(max);
    expect(ids.every((id) => id.startsWith('index:new-') || id === 'index:r-0')).toBe(true);
  });

  it('so does a restored key, before its first evaluation', () => {
    const max = 3;
    const opts = { ...options, maxSourcesPerKey: max };
    const before = new StateDriftProcessor(opts, classify);
    feed(before, [...promoted(t(0), 'p1', 'd1'), ...instances(max, 'd1', 200)]);
    const after = new StateDriftProcessor(opts, classify);
    after.restoreKey(KEY, JSON.parse(JSON.stringify(before.snapshotKey(KEY))));
    // The first source's expiry, to the millisecond: its timer is due then, and fires only after this fact.
    feed(after, [index(t(200) + options.sourceTtlMs + 1, { instance: 'late-comer', servedDigest: 'd1' })]);
    expect(after.sourcesDropped).toBe(0);
    expect(after.snapshotKey(KEY)!.sources.map((s) => s.sourceId)).toEqual(['index:r-1', 'index:r-2', 'index:late-comer']);
  });
});
