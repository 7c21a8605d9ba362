/**
 * Sources per key (SPEC §4.2): each source's latest observation is kept until
 * it has been silent for longer than the source TTL. That bounds a key by the
 * sources that reported within the TTL — but one producer sending ever new
 * instance names (a replica id per request, a bug) reports as many as it
 * sends events, and the key kept every one for 15 minutes. A key now keeps at
 * most `maxSourcesPerKey` (DRIFTWATCH_MAX_SOURCES_PER_KEY); past it a new
 * source takes the place of one whose digest is acceptable, so whether the
 * key is drifted stays what every source says.
 */
import { describe, expect, it } from 'vitest';
import { StateDriftProcessor } from '../../../processors/state-drift.js';
import type { Fact } from '../../../processors/facts.js';
import { classify, index, options, promoted, t } from './builders.js';

const KEY = 'prod/catalog';
const sourcesOf = (p: StateDriftProcessor) => p.snapshotKey(KEY)?.sources.length ?? 0;

function feed(p: StateDriftProcessor, facts: Fact[], out: Fact[] = []): Fact[] {
  for (const f of facts) p.handle(f, (d) => out.push(d));
  return out;
}

/** `n` distinct instances reporting `digest` once each, from `from` s on, 10 ms apart. */
const instances = (n: number, digest: string, from: number, name = 'burst') =>
  Array.from({ length: n }, (_, i) => index(t(from) + i * 10, { instance: `${name}-${i}`, servedDigest: digest }));

describe('a key with many sources', () => {
  it('forgets every source silent for longer than the TTL, however many reported (the quiet ones too)', () => {
    const p = new StateDriftProcessor(options, classify);
    feed(p, [...promoted(t(0), 'p1', 'd1'), ...instances(2000, 'd1', 200)]);
    expect(sourcesOf(p)).toBe(2000);
    // Past the TTL of the last of them (an event of another key moves event time).
    feed(p, [index(t(200) + 20_000 + options.sourceTtlMs + 1, { instance: 'x', servedDigest: 'd1', artifact: 'other' })]);
    expect(sourcesOf(p)).toBe(0);
    expect(p.snapshotKey(KEY)?.desired).toBeDefined();
  });

  it('keeps at most maxSourcesPerKey within the TTL, and the key drifted while a source says so', () => {
    const max = 100;
    const p = new StateDriftProcessor({ ...options, maxSourcesPerKey: max }, classify);
    // The real replica serves a digest nobody promoted (after the first desired state's grace): drift.
    const out = feed(p, [...promoted(t(0), 'p1', 'd1'), index(t(200), { instance: 'real', servedDigest: 'bad' })]);
    // Ten times the bound of new instances serving the desired digest, then as many serving another wrong one.
    feed(p, [...instances(10 * max, 'd1', 201), ...instances(10 * max, 'bad-2', 220, 'rogue')], out);
    expect(sourcesOf(p)).toBeLessThanOrEqual(max);
    expect(p.sourcesDropped).toBe(20 * max + 1 - max);
    const changes = out.filter((f) => f.kind === 'incident').map((f) => f.change);
    expect(changes.filter((c) => c === 'opened')).toHaveLength(1);
    expect(changes).not.toContain('resolved');
    expect(p.openIncidentsOf(KEY)[0]?.divergentDigests).toEqual(['bad', 'bad-2']);
  });

  it('past the bound, a new source that agrees with desired state is not kept in place of ones that do not: the drift goes on', () => {
    const p = new StateDriftProcessor({ ...options, maxSourcesPerKey: 3 }, classify);
    const out = feed(p, [...promoted(t(0), 'p1', 'd1'), ...instances(3, 'bad', 200, 'rogue'), ...instances(5, 'd1', 210)]);
    expect(p.snapshotKey(KEY)!.sources.map((s) => s.digest)).toEqual(['bad', 'bad', 'bad']);
    expect(out.filter((f) => f.kind === 'incident').map((f) => f.change)).toEqual(['opened']);
  });
});
