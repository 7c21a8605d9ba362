/**
 * What one key's open drift window keeps stays bounded however many events a
 * producer sends in it: before, every distinct source (two sets) and every
 * index op's latency were kept until the window closed (and in the key's
 * changelog record). Sources are counted up to maxSourcesPerKey (as many as
 * the key itself keeps, state-drift/source-bound.ts); latencies are kept as
 * they are up to the exact bound, then in a histogram (quantiles within 1 %).
 */
import { describe, expect, it } from 'vitest';
import { DriftWindowsProcessor } from '../../../processors/drift-windows.js';
import { runProcessor } from '../../../processors/processor.js';
import { RELATIVE_ACCURACY } from '../../../lib/log-histogram.js';
import { quantileOfSorted, sortedCopy } from '../../../lib/quantiles.js';
import { MIN, T0, advance, indexOp, observation, ofKind } from './facts.js';

const W = 5 * MIN;
const MAX_SOURCES = 50;

function burst(n: number) {
  const p = new DriftWindowsProcessor({ windowMs: W, maxSourcesPerKey: MAX_SOURCES });
  const latencies: number[] = [];
  const facts = [];
  for (let i = 0; i < n; i++) {
    const at = T0 + Math.floor((i * 4 * MIN) / n);
    facts.push(observation(at, `index:ix-${i}`, i % 2 === 0));
    latencies.push(1 + ((i * 7919) % 5000));
    facts.push(indexOp(at, { instance: `ix-${i}`, latencyMs: latencies.at(-1)! }));
  }
  runProcessor(p, facts);
  const saved = p.snapshotKey('prod/app')!;
  const chars = JSON.stringify(saved).length;
  // Restored (a restart before the window closed), the key's window closes with the same row.
  const restored = new DriftWindowsProcessor({ windowMs: W, maxSourcesPerKey: MAX_SOURCES });
  restored.restoreKey('prod/app', JSON.parse(JSON.stringify(saved)));
  const rows = ofKind(runProcessor(p, [advance(Infinity)]), 'drift-window').map((f) => f.row);
  const again = ofKind(runProcessor(restored, [advance(Infinity)]), 'drift-window').map((f) => f.row);
  return { chars, rows, again, latencies };
}

describe('a burst of events in one drift window of one key', () => {
  it('keeps bounded state; observations and ops counted exactly, sources up to the bound, latency quantiles within 1 %', () => {
    const small = burst(5_000);
    const large = burst(50_000);
    expect(large.chars).toBeLessThan(2 * small.chars);
    for (const [n, r] of [[5_000, small], [50_000, large]] as const) {
      expect(r.rows).toHaveLength(1);
      expect(r.again).toEqual(r.rows);
      const row = r.rows[0]!;
      expect(row).toMatchObject({ observations: n, divergentObservations: n / 2, indexOps: n, sources: MAX_SOURCES, divergentSources: MAX_SOURCES });
      const sorted = sortedCopy(r.latencies);
      for (const [q, value] of [[0.5, row.indexLatencyP50], [0.9, row.indexLatencyP90]] as const) {
        const exact = quantileOfSorted(sorted, q)!;
        expect(Math.abs(value! - exact)).toBeLessThanOrEqual(RELATIVE_ACCURACY * exact);
      }
    }
  });
});
