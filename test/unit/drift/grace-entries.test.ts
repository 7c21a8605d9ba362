/**
 * GraceEntries judges exactly as the list it replaced (one entry per digest,
 * scanned on every question): the same acceptability, next end, pruning and
 * snapshot — in the same order, so the state changelog record is unchanged —
 * over random additions, questions and prunes, including questions about
 * times before and after a prune and digests re-added with an earlier or later end.
 */
import { describe, expect, it } from 'vitest';
import { GraceEntries, type GraceEntry } from '../../../processors/grace-entries.js';

/** The previous implementation, verbatim in what it decides. */
class ListModel {
  grace: GraceEntry[] = [];
  add(digest: string | null, until: number, cause: GraceEntry['cause']): void {
    const existing = this.grace.find((g) => g.digest === digest);
    if (existing) {
      if (until > existing.until) Object.assign(existing, { until, cause });
    } else this.grace.push({ digest, until, cause });
  }
  accepts(digest: string, t: number): boolean {
    return this.grace.some((g) => (g.digest === null || g.digest === digest) && t < g.until);
  }
  nextEndAfter(t: number): number | undefined {
    let next = Number.POSITIVE_INFINITY;
    for (const g of this.grace) if (g.until > t && g.until < next) next = g.until;
    return next === Number.POSITIVE_INFINITY ? undefined : next;
  }
  prune(t: number): void {
    if (this.grace.some((g) => g.until <= t)) this.grace = this.grace.filter((g) => g.until > t);
  }
}

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const causes: GraceEntry['cause'][] = ['superseded', 'failed', 'rolled_back', 'initial'];

describe('GraceEntries', () => {
  for (const seed of [1, 2, 3, 42]) {
    it(`decides as the scanned list did (seed ${seed})`, () => {
      const rnd = random(seed);
      const entries = new GraceEntries();
      const model = new ListModel();
      let now = 0;
      const pick = (n: number) => Math.floor(rnd() * n);
      const digest = () => (pick(12) === 0 ? null : `d${pick(20)}`);
      for (let step = 0; step < 3000; step++) {
        const op = pick(10);
        if (op < 3) {
          const d = digest();
          const until = now + pick(200);
          const cause = causes[pick(4)]!;
          entries.add(d, until, cause);
          model.add(d, until, cause);
        } else if (op < 5) {
          now += pick(30);
          entries.prune(now);
          model.prune(now);
        } else {
          const at = now - 20 + pick(240);
          const d = `d${pick(22)}`;
          expect(entries.accepts(d, at), `accepts ${d} at ${at}, step ${step}`).toBe(model.accepts(d, at));
          expect(entries.nextEndAfter(at), `next end after ${at}, step ${step}`).toBe(model.nextEndAfter(at));
        }
        expect(entries.size).toBe(model.grace.length);
      }
      expect(entries.snapshot()).toEqual(model.grace);
      expect(GraceEntries.restore(entries.snapshot()).snapshot()).toEqual(model.grace);
    });
  }

  it('a snapshot naming a digest twice restores one entry with the later end, as adding them would have', () => {
    const restored = GraceEntries.restore([
      { digest: 'a', until: 10, cause: 'failed' },
      { digest: 'b', until: 5, cause: 'superseded' },
      { digest: 'a', until: 20, cause: 'rolled_back' },
    ]);
    expect(restored.snapshot()).toEqual([
      { digest: 'a', until: 20, cause: 'rolled_back' },
      { digest: 'b', until: 5, cause: 'superseded' },
    ]);
    expect(restored.nextEndAfter(0)).toBe(5);
    expect(restored.accepts('a', 19)).toBe(true);
    expect(restored.accepts('a', 20)).toBe(false);
  });
});
