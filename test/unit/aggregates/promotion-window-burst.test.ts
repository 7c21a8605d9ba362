/**
 * A burst of promotions in one 5-minute window of one env: what the open
 * window keeps (its whole-state snapshot, the events logged to count a late
 * one in its place) stays bounded however many there are — before, every
 * attempt's duration, every gate run's, every promotion's decided note (with
 * its reason) and every lifecycle event were kept until the window closed.
 * Its row still counts every one of them exactly; the quantiles past the
 * exact bound are within 1 %.
 */
import { describe, expect, it } from 'vitest';
import { PromotionWindowsProcessor } from '../../../processors/promotion-windows.js';
import type { Emit } from '../../../processors/processor.js';
import type { Fact } from '../../../processors/facts.js';
import type { PromotionWindowRow } from '../../../processors/promotion-facts.js';
import { RELATIVE_ACCURACY } from '../../../lib/log-histogram.js';
import { quantileOfSorted, sortedCopy } from '../../../lib/quantiles.js';
import { MIN, T0, advance, promotion } from './facts.js';

const W = 5 * MIN;

/** n promotions started and ended within [T0, T0 + 4.5 min): every 10th failed with a long reason, one gate run each. */
function burst(n: number) {
  const p = new PromotionWindowsProcessor({ windowMs: W });
  const out: Fact[] = [];
  const emit: Emit = (f) => out.push(f);
  const durations: number[] = [];
  const span = 4.5 * MIN;
  for (let i = 0; i < n; i++) {
    const id = `p-${String(i).padStart(6, '0')}`;
    const start = T0 + Math.floor((i * span) / (2 * n));
    const end = start + 1 + ((i * 7919) % Math.floor(span / 2));
    durations.push(end - start);
    p.handle(promotion(start, id, 'started'), emit);
    p.handle(promotion(start, id, 'gate', { gate: { name: 'smoke', result: i % 20 === 0 ? 'failed' : 'passed', durationMs: 1000 + (i % 500) } }), emit);
    p.handle(promotion(end, id, i % 10 === 0 ? 'failed' : 'succeeded', i % 10 === 0 ? { reason: 'x'.repeat(5000) } : {}), emit);
  }
  // Facts come in time order in the engine; here each promotion's events in turn, all before the window's end.
  const saved = JSON.stringify(p.snapshot());
  const kept = { snapshotChars: saved.length, loggedEvents: p.loggedEvents };
  p.handle(advance(Infinity), emit);
  // The open window restored from its snapshot (a restart before it closed) closes with the same row.
  const restored = new PromotionWindowsProcessor({ windowMs: W });
  restored.restore(JSON.parse(saved));
  const again: Fact[] = [];
  restored.handle(advance(Infinity), (f) => again.push(f));
  return { kept, rows: windowRows(out), restoredRows: windowRows(again), durations };
}

function windowRows(out: Fact[]): PromotionWindowRow[] {
  return out.filter((f): f is Extract<Fact, { kind: 'promotion-window' }> => f.kind === 'promotion-window').map((f) => f.row);
}

function expectCountedExactly(n: number, row: PromotionWindowRow, durations: number[]): void {
  expect(row).toMatchObject({ started: n, succeeded: n - n / 10, failed: n / 10, promotionsEnded: n, durationCount: n });
  expect(row.durationSumMs).toBe(durations.reduce((a, b) => a + b, 0));
  expect(row.durationMaxMs).toBe(Math.max(...durations));
  const sorted = sortedCopy(durations);
  for (const [q, value] of [[0.5, row.durationP50Ms], [0.9, row.durationP90Ms]] as const) {
    const exact = quantileOfSorted(sorted, q)!;
    expect(Math.abs(value! - exact)).toBeLessThanOrEqual(RELATIVE_ACCURACY * exact);
  }
  expect(row.gates[0]).toMatchObject({ gate: 'smoke', passed: n - n / 20, failed: n / 20 });
}

describe('a burst of promotions in one window of one env', () => {
  it('keeps bounded state while the window is open, and counts every promotion in its row', () => {
    const small = burst(2000);
    const large = burst(20_000);
    for (const [n, r] of [[2000, small], [20_000, large]] as const) {
      expect(r.rows).toHaveLength(1);
      expectCountedExactly(n, r.rows[0]!, r.durations);
      expect(r.restoredRows).toEqual(r.rows);
    }
    // Ten times the promotions, not ten times the state: durations, gate runs, decided notes and logged events are bounded.
    expect(large.kept.snapshotChars).toBeLessThan(2 * small.kept.snapshotChars);
    expect(large.kept.snapshotChars).toBeLessThan(100_000);
    expect(large.kept.loggedEvents).toBeLessThanOrEqual(small.kept.loggedEvents * 2);
  });
});
