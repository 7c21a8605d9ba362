/**
 * An open incident names at most MAX_LISTED_DIGESTS divergent digests (the
 * first ones seen, listed sorted) and counts the others in
 * `divergentDigestsOmitted`: a flapping deployment serving a new digest on
 * every event, or a hydration rule writing a new output on every run, used to
 * grow the incident — and with it its changelog record and every incident
 * row — by one digest per event for as long as it stayed open.
 */
import { describe, expect, it } from 'vitest';
import { StateDriftProcessor } from '../../../processors/state-drift.js';
import { DeterminismProcessor, MAX_OUTPUTS_PER_INPUT } from '../../../processors/determinism.js';
import { MAX_LISTED_DIGESTS } from '../../../processors/state-drift/incident-lifecycle.js';
import type { Fact } from '../../../processors/facts.js';
import { classify, hydration, incidents, index, options, promoted, t } from './builders.js';

const KEY = 'prod/catalog';
/** Digest names sorting in the reverse of their order of arrival (the listed ones are the first seen, not the smallest). */
const digest = (i: number) => `sha256:${String(99_999 - i).padStart(5, '0')}`;

function feed(p: { handle(f: Fact, emit: (d: Fact) => void): void }, facts: Fact[], out: Fact[] = []): Fact[] {
  for (const f of facts) p.handle(f, (d) => out.push(d));
  return out;
}

/** One replica serving a new digest on every report, one a second (past the grace of the first promotion). */
const flapping = (from: number, n: number, first = 0) => Array.from({ length: n }, (_, i) => index(t(from + i), { instance: 'flap', servedDigest: digest(first + i) }));

describe('an open drift incident with ever new divergent digests', () => {
  it('names the first MAX_LISTED_DIGESTS seen and counts the rest, one update per new digest', () => {
    const p = new StateDriftProcessor(options, classify);
    const out = feed(p, [...promoted(t(0), 'p1', 'good'), ...flapping(200, 500)]);
    const inc = p.snapshotKey(KEY)!.incident!;
    expect(inc.divergentDigests).toEqual(Array.from({ length: MAX_LISTED_DIGESTS }, (_, i) => digest(i)).sort());
    expect(inc.divergentDigestsOmitted).toBe(500 - MAX_LISTED_DIGESTS);
    const changes = incidents(out);
    expect(changes.map((c) => c.change)).toEqual(['opened', ...Array<string>(499).fill('updated')]);
    expect(changes.at(-1)!.incident).toEqual(inc);
  });

  it('below the bound nothing changes: every digest named, no count', () => {
    const p = new StateDriftProcessor(options, classify);
    feed(p, [...promoted(t(0), 'p1', 'good'), ...flapping(200, MAX_LISTED_DIGESTS)]);
    const inc = p.snapshotKey(KEY)!.incident!;
    expect(inc.divergentDigests).toHaveLength(MAX_LISTED_DIGESTS);
    expect(inc).not.toHaveProperty('divergentDigestsOmitted');
    expect(p.snapshotKey(KEY)).not.toHaveProperty('omittedDigests');
  });

  it('counts an omitted digest once while it stays divergent (many replicas, many reports), again once it came back', () => {
    const p = new StateDriftProcessor(options, classify);
    feed(p, [...promoted(t(0), 'p1', 'good'), ...flapping(200, MAX_LISTED_DIGESTS)]);
    const extra = 'sha256:extra';
    const steady = Array.from({ length: 50 }, (_, i) => index(t(300) + i * 10, { instance: `r-${i % 5}`, servedDigest: extra }));
    const out = feed(p, steady);
    expect(incidents(out).map((c) => c.change)).toEqual(['updated']);
    expect(p.snapshotKey(KEY)!.incident!.divergentDigestsOmitted).toBe(1);

    // Restored from its record, the key still knows it counted it.
    const restored = new StateDriftProcessor(options, classify);
    restored.restoreKey(KEY, p.snapshotKey(KEY)!);
    expect(incidents(feed(restored, [index(t(301), { instance: 'r-9', servedDigest: extra })]))).toEqual([]);

    // Every replica back on a listed digest, then on the extra one again: it is divergent anew, counted anew.
    const back = Array.from({ length: 5 }, (_, i) => index(t(302), { instance: `r-${i}`, servedDigest: digest(0) }));
    feed(restored, [...back, index(t(302), { instance: 'r-9', servedDigest: digest(0) }), index(t(303), { instance: 'r-0', servedDigest: extra })]);
    expect(restored.snapshotKey(KEY)!.incident!.divergentDigestsOmitted).toBe(2);
  });

  it('counts an omitted digest again when it comes back after its source expired, whatever only repeated in between', () => {
    const p = new StateDriftProcessor(options, classify);
    const extra = 'sha256:extra';
    const repeat = (s: number) => index(t(s), { instance: 'flap', servedDigest: digest(MAX_LISTED_DIGESTS - 1) });
    feed(p, [...promoted(t(0), 'p1', 'good'), ...flapping(200, MAX_LISTED_DIGESTS)]);
    // x serves an omitted digest, then falls silent (expired 900 s after 400); the flapping replica keeps repeating its digest.
    const out = feed(p, [index(t(300), { instance: 'x', servedDigest: extra }), index(t(400), { instance: 'x', servedDigest: extra }), repeat(600), repeat(900), repeat(1100)]);
    expect(incidents(out).map((c) => [c.change, c.incident.divergentDigestsOmitted])).toEqual([['updated', 1]]);
    // A repeat past x's expiry is judged with the rest (x forgotten, extra no longer divergent), so extra served again is new again.
    const after = feed(p, [repeat(1400), index(t(1500), { instance: 'y', servedDigest: extra })]);
    expect(incidents(after).map((c) => [c.change, c.at, c.incident.divergentDigestsOmitted])).toEqual([['updated', t(1500), 2]]);
  });

  it('restores a record of the previous release past the bound trimmed: the smallest named, the rest counted, not counted again', () => {
    const p = new StateDriftProcessor(options, classify);
    feed(p, [...promoted(t(0), 'p1', 'good'), ...flapping(200, 100)]);
    const record = p.snapshotKey(KEY)!;
    // As the previous release wrote it: every digest named, no count, no omitted digests.
    const all = Array.from({ length: 100 }, (_, i) => digest(i)).sort();
    const { omittedDigests: _, ...old } = { ...record, incident: { ...record.incident!, divergentDigests: all } };
    delete (old.incident as { divergentDigestsOmitted?: number }).divergentDigestsOmitted;

    const restored = new StateDriftProcessor(options, classify);
    restored.restoreKey(KEY, old);
    const inc = restored.snapshotKey(KEY)!.incident!;
    expect(inc.divergentDigests).toEqual(all.slice(0, MAX_LISTED_DIGESTS));
    expect(inc.divergentDigestsOmitted).toBe(100 - MAX_LISTED_DIGESTS);
    // The flapping replica reports its latest digest again (trimmed, already counted): no change.
    expect(incidents(feed(restored, [index(t(300), { instance: 'flap', servedDigest: digest(99) })]))).toEqual([]);
  });
});

describe('an open determinism incident with ever new conflicting outputs', () => {
  it('names the first MAX_LISTED_DIGESTS outputs and counts the rest, each once per input and window', () => {
    const p = new DeterminismProcessor(options, classify);
    const inputs = 10;
    const facts: Fact[] = [];
    for (let i = 0; i < inputs; i++) {
      for (let o = 0; o < MAX_OUTPUTS_PER_INPUT; o++) facts.push(hydration(t(10) + i * 100 + o, { inputDigest: `in-${i}`, outputDigest: `out-${i}-${String(o).padStart(2, '0')}` }));
    }
    const out = feed(p, facts);
    const last = incidents(out).at(-1)!.incident;
    expect(last.divergentDigests).toHaveLength(MAX_LISTED_DIGESTS);
    expect(last.divergentDigests).toContain('out-0-00');
    expect(last.divergentDigestsOmitted).toBe(inputs * MAX_OUTPUTS_PER_INPUT - MAX_LISTED_DIGESTS);
    expect(p.snapshotKey(KEY)!.rules[0]!.incident).toEqual(last);
  });
});
