import { describe, it, expect } from 'vitest';
import { MttrProcessor } from '../../../processors/mttr.js';
import type { Fact } from '../../../processors/facts.js';
import { OpenStarts } from '../../../processors/mttr-open-starts.js';
import { MIN, T0, hydration, incident } from './facts.js';

/** A processor whose snapshots walk every open incident (the path taken when the start lists cannot be trusted). */
function walking(): MttrProcessor {
  const p = new MttrProcessor({ windowMs: 5 * MIN }, { breachAfterMs: 30 * MIN, departureWindowMs: 60 * MIN });
  starts(p).exact = false;
  return p;
}

const starts = (p: MttrProcessor) => (p as unknown as { openStarts: OpenStarts }).openStarts;
const rolling = (p: MttrProcessor) => (p as unknown as { resolved: { rolling: { exact: boolean } } }).resolved.rolling;

/** Deterministic pseudo-random numbers (tests must not flake). */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

describe('MTTR open incidents by scope (OpenStarts)', () => {
  it('gives the snapshots of a walk over every open incident, through opens, late-learnt updates, resolutions, restores and drops', () => {
    const random = rng(7);
    const indexed = new MttrProcessor({ windowMs: 5 * MIN }, { breachAfterMs: 30 * MIN, departureWindowMs: 60 * MIN });
    const walked = walking();
    const out: Fact[][] = [[], []];
    const envs = ['prod', 'staging', 'dev'];
    const open = new Map<string, { env: string; artifact: string; startedAt: number }>();
    let t = T0;
    let lastResolved = T0;
    for (let i = 0; i < 3000; i++) {
      t += Math.floor(random() * 2 * MIN);
      const r = random();
      let fact: Fact;
      if (r < 0.3 || open.size === 0) {
        const id = `inc-${i}`;
        const o = { env: envs[Math.floor(random() * 3)]!, artifact: `a${Math.floor(random() * 5)}`, startedAt: t - Math.floor(random() * 10 * MIN) };
        open.set(id, o);
        fact = incident(t, random() < 0.2 ? 'updated' : 'opened', { incidentId: id, ...o });
      } else if (r < 0.55) {
        const [id, o] = [...open][Math.floor(random() * open.size)]!;
        open.delete(id);
        // Resolved a little in the past sometimes (in resolution order): the snapshot is as of then, before later starts.
        lastResolved = Math.max(lastResolved, o.startedAt, t - Math.floor(random() * 20 * MIN));
        fact = incident(t, 'resolved', { incidentId: id, ...o, resolvedAt: lastResolved });
      } else {
        fact = hydration(t);
      }
      for (const [k, p] of [indexed, walked].entries()) p.handle(fact, (f) => out[k]!.push(f));
      // Compared as they come (a failure then names the first fact that differs, not two long lists).
      expect(JSON.stringify(out[0]!.slice(-3))).toBe(JSON.stringify(out[1]!.slice(-3)));
      // The incremental paths are in use (a resolution out of order would make both walk).
      expect([rolling(indexed).exact, starts(indexed).exact]).toEqual([true, true]);
      if (random() < 0.02) {
        // A rebalance: one key's state goes and comes back, or goes for good.
        const key = `${envs[Math.floor(random() * 3)]}/a${Math.floor(random() * 5)}`;
        const state = indexed.snapshotKey(key);
        expect(walked.snapshotKey(key)).toEqual(state);
        const restore = state !== undefined && random() < 0.7;
        for (const p of [indexed, walked]) {
          if (restore) p.restoreKey(key, state);
          else p.dropKey(key);
        }
      }
    }
    for (const [k, p] of [indexed, walked].entries()) p.handle({ kind: 'advance', at: Number.POSITIVE_INFINITY }, (f) => out[k]!.push(f));
    expect(out[0]!.filter((f) => f.kind === 'mttr').length).toBeGreaterThan(1000);
    expect(JSON.stringify(out[0])).toBe(JSON.stringify(out[1]));
  });

  it('counts the starts at or before asOf and keeps the oldest, per scope', () => {
    const s = new OpenStarts();
    s.added({ env: 'prod', startedAt: 30 });
    s.added({ env: 'prod', startedAt: 10 });
    s.added({ env: 'dev', startedAt: 20 });
    expect([s.countAt('*', 20), s.countAt('prod', 20), s.countAt('dev', 19), s.oldest('prod')]).toEqual([2, 1, 0, 10]);
    expect([...s.envsOpenAt(15)]).toEqual(['prod']);
    s.removed({ env: 'prod', startedAt: 10 });
    expect([s.countAt('prod', 100), s.oldest('prod'), s.oldest('*')]).toEqual([1, 30, 20]);
    s.removed({ env: 'dev', startedAt: 99 }); // never added
    expect(s.exact).toBe(false);
  });
});
