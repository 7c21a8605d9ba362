/**
 * Many incidents resolved within 7 days (a flapping key, a producer flipping
 * digests): the MTTR processor's state stays bounded — it kept every
 * resolved incident of the trailing 7 d (its id, env, time and recovery),
 * for the 7-day figures, so its memory and its whole-state record grew with
 * incidents. Past the exact bound (here made small: `exactResolvedKept`)
 * the oldest are folded into per-window time bins: counts and means exact
 * where no bin straddles the window's start, a count at most one bin's
 * incidents over near it, p50/p90 within 1 %.
 */
import { describe, expect, it } from 'vitest';
import { MttrProcessor } from '../../../processors/mttr.js';
import { rollingSnapshots, type Resolved } from '../../../processors/mttr-snapshots.js';
import { BINS_PER_WINDOW } from '../../../processors/mttr-folded.js';
import { RELATIVE_ACCURACY } from '../../../lib/log-histogram.js';
import type { Fact, MttrSnapshot } from '../../../processors/facts.js';
import { DAY, HOUR } from '../../../lib/time.js';
import { MIN, T0, incident } from './facts.js';

const W = 5 * MIN;
const KEPT = 200;
const envs = ['dev', 'prod', 'staging'];

/** `n` incidents over 6 days, each resolved before the next opens, recoveries spread over [1 ms, the spacing). */
function flood(n: number) {
  const p = new MttrProcessor({ windowMs: W }, { exactResolvedKept: KEPT });
  const spacing = Math.floor((6 * DAY) / n);
  const resolved: Resolved[] = [];
  let last: MttrSnapshot[] = [];
  const emit = (f: Fact) => {
    if (f.kind === 'mttr') last = f.snapshots;
  };
  const facts = (i: number): Fact[] => {
    const startedAt = T0 + i * spacing;
    const recoveryMs = 1 + ((i * 7919) % (spacing - 1));
    const env = envs[i % envs.length]!;
    resolved.push({ incidentId: `inc-${i}`, env, resolvedAt: startedAt + recoveryMs, recoveryMs });
    const over = { incidentId: `inc-${i}`, startedAt, env, artifact: `app-${i % 5}` };
    return [incident(startedAt, 'opened', over), incident(startedAt + recoveryMs, 'resolved', over)];
  };
  for (let i = 0; i < n; i++) for (const f of facts(i)) p.handle(f, emit);
  const kept = p.resolvedKept;
  const saved = JSON.stringify(p.snapshot());
  // Restored from its snapshot, the next resolution reports what the uninterrupted run reports.
  const restored = new MttrProcessor({ windowMs: W }, { exactResolvedKept: KEPT });
  restored.restore(JSON.parse(saved));
  let again: MttrSnapshot[] = [];
  const next = facts(n);
  for (const f of next) restored.handle(f, (o) => o.kind === 'mttr' && (again = o.snapshots));
  for (const f of next) p.handle(f, emit);
  return { kept, snapshotChars: saved.length, last, again, resolved };
}

const sizes = { '1h': HOUR, '24h': DAY, '7d': 7 * DAY };

describe('MTTR with many resolved incidents', () => {
  it('keeps bounded state, and reports the figures of every incident (bins at the windows’ starts, quantiles within 1 %)', () => {
    const small = flood(2_000);
    const large = flood(20_000);
    // Ten times the incidents: the same bound on what is kept — at most the exact bound and a batch one by one, and
    // per scope ('*' and 3 envs) and window at most one bin per 60th of it (and one straddling its start).
    for (const { kept } of [small, large]) {
      expect(kept.oneByOne).toBeLessThanOrEqual(KEPT + KEPT / 8);
      expect(kept.bins).toBeLessThanOrEqual(4 * 3 * (BINS_PER_WINDOW + 1));
    }
    // The bins' histograms fill up to the recoveries' range (here under 5 minutes): the record stays far from growing tenfold.
    expect(large.snapshotChars).toBeLessThan(3 * small.snapshotChars);
    for (const { last, again, resolved } of [small, large]) {
      expect(again).toEqual(last);
      const asOf = last[0]!.asOf;
      // What keeping every incident gives (rollingSnapshots, the definition).
      const reference = rollingSnapshots(asOf, resolved, []);
      expect(last.map((s) => `${s.scope}:${s.window}`)).toEqual(reference.map((s) => `${s.scope}:${s.window}`));
      for (const [i, s] of last.entries()) {
        const ref = reference[i]!;
        // A bin is 1/60 of its window: its incidents leave together, when the last of them does.
        const from = asOf - sizes[s.window] - sizes[s.window] / 60;
        const widened = resolved.filter((r) => (s.scope === '*' || r.env === s.scope) && r.resolvedAt > from && r.resolvedAt <= asOf).length;
        expect(s.resolvedCount).toBeGreaterThanOrEqual(ref.resolvedCount);
        expect(s.resolvedCount).toBeLessThanOrEqual(widened);
        if (s.window === '7d') {
          // Every incident is inside the week: exact count and mean.
          expect(s.resolvedCount).toBe(ref.resolvedCount);
          expect(s.meanMs).toBeCloseTo(ref.meanMs!, 6);
          for (const q of ['p50Ms', 'p90Ms'] as const) expect(Math.abs(s[q]! - ref[q]!)).toBeLessThanOrEqual(RELATIVE_ACCURACY * ref[q]! + 1);
        }
      }
    }
  });

  it('a snapshot from before incidents were folded (every one listed) restores bounded, with the same 7-day figures', () => {
    const { resolved } = flood(2_000);
    const asOf = resolved.at(-1)!.resolvedAt;
    const p = new MttrProcessor({ windowMs: W }, { exactResolvedKept: KEPT });
    p.restore({ resolved, lastBoundary: null, lastAsOf: asOf });
    expect(p.resolvedKept.oneByOne).toBe(KEPT);
    // An incident opening a minute later publishes the figures.
    let snapshots: MttrSnapshot[] = [];
    p.handle(incident(asOf + MIN, 'opened', { incidentId: 'next', startedAt: asOf + MIN }), (f) => f.kind === 'mttr' && (snapshots = f.snapshots));
    const reference = rollingSnapshots(asOf + MIN, resolved, []);
    for (const scope of ['*', ...envs]) {
      const [s, ref] = [snapshots, reference].map((list) => list.find((x) => x.scope === scope && x.window === '7d')!);
      expect([s!.resolvedCount, s!.meanMs]).toEqual([ref!.resolvedCount, ref!.meanMs]);
    }
  });
});
