/**
 * A hydration rule's open determinism window keeps at most
 * MAX_INPUTS_PER_WINDOW input digests (the newest first seen) and at most
 * MAX_OUTPUTS_PER_INPUT distinct outputs of one input: one producer sending
 * many inputs (or a rule writing a new output on every run) in one window
 * used to grow the window by one entry per event.
 */
import { describe, it, expect } from 'vitest';
import { DeterminismProcessor, MAX_INPUTS_PER_WINDOW, MAX_OUTPUTS_PER_INPUT } from '../../../processors/determinism.js';
import { runProcessor } from '../../../processors/processor.js';
import type { Fact } from '../../../processors/facts.js';
import { advance, classify, hydration, incidents, options, t } from './builders.js';

const h = (s: number, inputDigest: string, outputDigest: string, extra: { status?: 'ok' | 'error' } = {}) =>
  hydration(t(s), { inputDigest, outputDigest, instance: 'h1', ...extra });
const KEY = 'prod/catalog';
const windowOf = (p: DeterminismProcessor) => p.snapshotKey(KEY)!.rules[0]!.window!;

describe('determinism window bound', () => {
  it('keeps the newest MAX_INPUTS_PER_WINDOW inputs of a window flooded with distinct inputs', () => {
    const p = new DeterminismProcessor(options, classify);
    const facts: Fact[] = [];
    for (let i = 0; i < 3 * MAX_INPUTS_PER_WINDOW; i++) facts.push(h(10 + i / 100, `in-${i}`, 'X'));
    runProcessor(p, facts);
    const inputs = windowOf(p).outputs.map(([input]) => input);
    expect(inputs).toHaveLength(MAX_INPUTS_PER_WINDOW);
    expect(inputs.at(-1)).toBe(`in-${3 * MAX_INPUTS_PER_WINDOW - 1}`);
    expect(inputs).not.toContain('in-0');
  });

  it('keeps at most MAX_OUTPUTS_PER_INPUT outputs of one input; the incident names those', () => {
    const p = new DeterminismProcessor(options, classify);
    const facts: Fact[] = [];
    for (let i = 0; i < 200; i++) facts.push(h(10 + i, 'A', `out-${String(i).padStart(3, '0')}`));
    const out = runProcessor(p, facts);
    expect(windowOf(p).outputs).toEqual([['A', Array.from({ length: MAX_OUTPUTS_PER_INPUT }, (_, i) => `out-${String(i).padStart(3, '0')}`)]]);
    const inc = incidents(out);
    expect(inc[0]!.change).toBe('opened');
    expect(inc.at(-1)!.incident.divergentDigests).toHaveLength(MAX_OUTPUTS_PER_INPUT);
  });

  it('a forgotten input that had no output still keeps its window from resolving; a window of forgotten inputs with outputs resolves', () => {
    const run = (firstStatus: 'ok' | 'error') => {
      const facts: Fact[] = [h(10, 'A', 'X'), h(20, 'A', 'Y')]; // opens in window [0,300)
      facts.push(h(310, 'F', 'X', { status: firstStatus })); // window [300,600): F first, then enough inputs to forget it
      for (let i = 0; i < MAX_INPUTS_PER_WINDOW + 10; i++) facts.push(h(320 + i / 100, `in-${i}`, 'X'));
      facts.push(advance(t(600)), advance(t(601)));
      return incidents(runProcessor(new DeterminismProcessor(options, classify), facts)).map((i) => i.change);
    };
    expect(run('error')).toEqual(['opened']);
    expect(run('ok')).toEqual(['opened', 'resolved']);
  });

  it('a forgotten input that had no output keeps its window from resolving across a restart too (the flag travels in the record)', () => {
    const run = (firstStatus: 'ok' | 'error') => {
      const before: Fact[] = [h(10, 'A', 'X'), h(20, 'A', 'Y'), h(310, 'F', 'X', { status: firstStatus })];
      for (let i = 0; i < MAX_INPUTS_PER_WINDOW + 10; i++) before.push(h(320 + i / 100, `in-${i}`, 'X'));
      const first = new DeterminismProcessor(options, classify);
      const opened = incidents(runProcessor(first, before)).map((i) => i.change);
      const restarted = new DeterminismProcessor(options, classify);
      restarted.restoreKey(KEY, JSON.parse(JSON.stringify(first.snapshotKey(KEY))));
      return [...opened, ...incidents(runProcessor(restarted, [advance(t(600)), advance(t(601))])).map((i) => i.change)];
    };
    expect(run('error')).toEqual(['opened']);
    expect(run('ok')).toEqual(['opened', 'resolved']);
  });

  it("restores a window record of the previous release (no bound, no flag) as it was below the bound, and trims one above it to the newest", () => {
    const record = (n: number) => ({
      rules: [{ env: 'prod', artifact: 'catalog', ruleId: 'rule-1', window: { start: t(0), outputs: Array.from({ length: n }, (_, i): [string, string[]] => [`in-${i}`, i === 0 ? [] : ['X']]), conflicted: false }, incident: null, openedInWindow: 0 }],
    });
    const small = new DeterminismProcessor(options, classify);
    small.restoreKey(KEY, record(20));
    expect(small.snapshotKey(KEY)).toEqual(record(20));
    const big = new DeterminismProcessor(options, classify);
    big.restoreKey(KEY, record(MAX_INPUTS_PER_WINDOW + 5));
    const w = windowOf(big);
    expect(w.outputs).toHaveLength(MAX_INPUTS_PER_WINDOW);
    expect(w.outputs[0]![0]).toBe('in-5');
    expect(w.outputlessForgotten).toBe(true); // in-0 had no output
  });
});
