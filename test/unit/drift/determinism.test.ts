import { describe, it, expect } from 'vitest';
import { DeterminismProcessor } from '../../../processors/determinism.js';
import { runProcessor } from '../../../processors/processor.js';
import { stableId } from '../../../lib/ids.js';
import { advance, classify, hydration, incidents, late, options, t } from './builders.js';

// windows (5 min, epoch-aligned; T0 is aligned): [0,300) [300,600) [600,900) ... seconds after T0
const h = (s: number, inputDigest: string, outputDigest: string, extra: { ruleId?: string; status?: 'ok' | 'error'; correlationId?: string } = {}) =>
  hydration(t(s), { inputDigest, outputDigest, instance: `h${s}`, ...extra });

describe('DeterminismProcessor', () => {
  it('opens at the second conflicting output, updates on more, resolves at the end of the first later consistent window', () => {
    const p = new DeterminismProcessor(options, classify);
    const out = runProcessor(p, [
      h(10, 'A', 'X'),
      h(20, 'A', 'Y', { correlationId: 'c-2' }),
      h(30, 'A', 'Z'),
      h(40, 'A', 'Y'), // already seen: no update
      h(310, 'A', 'X'),
      h(320, 'A', 'Y'), // window 2 conflicts again (nothing new): stays open
      h(610, 'A', 'X'),
      h(620, 'B', 'W'),
      h(630, 'A', 'X'), // window 3: every input one output
      advance(t(899.999)),
      advance(t(900)),
    ]);
    const inc = incidents(out);
    expect(inc.map((i) => [i.change, i.at])).toEqual([['opened', t(20)], ['updated', t(30)], ['resolved', t(900)]]);
    expect(inc[0]!.incident).toEqual({
      incidentId: stableId('inc', 'determinism', 'prod', 'catalog', 'rule-1', t(20)),
      kind: 'determinism',
      env: 'prod',
      artifact: 'catalog',
      ruleId: 'rule-1',
      severity: 'high',
      startedAt: t(20),
      detectedAt: t(20),
      resolvedAt: null,
      divergentDigests: ['X', 'Y'],
      inputDigest: 'A',
      correlationId: 'c-2',
      // the run that revealed the conflict (alert text)
      divergentSources: [{ sourceId: 'hydration:h20', digest: 'Y' }],
    });
    expect(inc[0]!.incident).not.toHaveProperty('expectedDigest');
    expect(inc[1]!.incident.divergentDigests).toEqual(['X', 'Y', 'Z']);
    expect(inc[2]!.incident).toMatchObject({ resolvedAt: t(900), reason: 'consistent', recoveryMs: 880_000 });
    expect(p.activeRules).toBe(0); // idle and resolved: state dropped
  });

  it('a window in which the rule did not run, or ran on an input without an output, does not resolve', () => {
    // SPEC §4.5: resolved after a window in which the rule ran and every input produced one output. An input whose
    // runs all failed produced none: an error-only window, or one where another input only failed, proves nothing.
    const out = runProcessor(new DeterminismProcessor(options, classify), [
      h(10, 'A', 'X'),
      h(20, 'A', 'Y'),
      advance(t(700)), // window [300,600) had no run
      h(1250, 'A', 'X', { status: 'error' }), // window [1200,1500): error only
      h(1510, 'A', 'X'),
      h(1520, 'B', 'W', { status: 'error' }), // window [1500,1800): B produced nothing
      h(1810, 'A', 'X', { status: 'error' }),
      h(1820, 'A', 'X'), // window [1800,2100): A failed once and produced X once: one output
      advance(Number.POSITIVE_INFINITY),
    ]);
    expect(incidents(out).map((i) => [i.change, i.at, i.incident.reason])).toEqual([
      ['opened', t(20), undefined],
      ['resolved', t(2100), 'consistent'],
    ]);
  });

  it('same input, same output, and different inputs are consistent; conflicts are per window and per rule', () => {
    const p = new DeterminismProcessor(options, classify);
    const out = runProcessor(p, [
      h(10, 'A', 'X'),
      h(20, 'A', 'X'),
      h(30, 'B', 'Y'),
      h(290, 'A', 'X'),
      h(299, 'C', 'X1', { ruleId: 'rule-2' }),
      h(300, 'C', 'X2', { ruleId: 'rule-1' }), // other rule, next window
      h(301, 'C', 'X3', { ruleId: 'rule-2' }), // rule-2, but window [300,600): no conflict with X1
    ]);
    expect(incidents(out)).toEqual([]);
    expect(p.activeRules).toBe(2); // both rules have an open window at 300..600
    runProcessor(p, [advance(t(600))]);
    expect(p.activeRules).toBe(0);
  });

  it('a late hydration counts, from the frontier, in the window the frontier is in; one of a closed window is ignored', () => {
    const out = runProcessor(new DeterminismProcessor(options, classify), [
      h(10, 'A', 'X'),
      late(h(20, 'A', 'Y'), t(100)), // window [0,300) is still open at the frontier t(100): a conflict, known at t(100)
      h(310, 'A', 'X'),
      late(h(299.999, 'A', 'Z'), t(300)), // window [0,300) closed when the frontier reached t(300): not reopened
      advance(Number.POSITIVE_INFINITY),
    ]);
    expect(incidents(out).map((i) => [i.change, i.at, i.incident.startedAt, i.incident.divergentDigests])).toEqual([
      ['opened', t(100), t(100), ['X', 'Y']],
      ['resolved', t(600), t(100), ['X', 'Y']],
    ]);
  });
});
