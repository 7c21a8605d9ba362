/**
 * A key's grace entries (DRIFTWATCH_CONVERGENCE_GRACE) are bounded by time
 * only, on purpose (README, memory): one per distinct digest of a failed,
 * rolled-back or superseded promotion, each gone at its end. A bound on their
 * number would forget one before its end, and a replica reporting its digest
 * within the grace — not yet known when the entry is forgotten — would be
 * judged drifted early.
 */
import { describe, expect, it } from 'vitest';
import { StateDriftProcessor } from '../../../processors/state-drift.js';
import type { Fact } from '../../../processors/facts.js';
import { classify, incidents, index, options, promoted, t } from './builders.js';

function feed(p: StateDriftProcessor, facts: Fact[], out: Fact[] = []): Fact[] {
  for (const f of facts) p.handle(f, (d) => out.push(d));
  return out;
}

describe("a key's grace entries (README, memory: left unbounded on purpose)", () => {
  it('a failed promotion keeps its digest acceptable for its whole grace however many failed after it: no count bound judges its canary early', () => {
    const p = new StateDriftProcessor(options, classify);
    const failures: Fact[] = [];
    // 2000 promotions failing within 100 s, each with a digest of its own (a bound by count would have forgotten the first).
    for (let i = 0; i < 2000; i++) {
      const at = t(200) + i * 50;
      failures.push(...promoted(at, `f-${i}`, `fail-${i}`).map((f, k) => (k === 0 ? f : failed(f))));
    }
    const out = feed(p, [...promoted(t(0), 'p1', 'good'), ...failures, index(t(310), { instance: 'canary', servedDigest: 'fail-0' })]);
    expect(incidents(out)).toEqual([]);
    // At the end of that first failure's grace the canary still serving it is drift.
    const later = feed(p, [index(t(200) + options.convergenceGraceMs, { instance: 'canary', servedDigest: 'fail-0' })]);
    expect(incidents(later).map((c) => c.change)).toEqual(['opened']);
  });
});

/** The `succeeded` of `promoted` turned into a `failed` of the same promotion. */
function failed(f: Fact): Fact {
  if (f.kind !== 'event' || f.envelope.event.type !== 'promotion') throw new Error('not a promotion');
  const event = { ...f.envelope.event, phase: 'failed' as const };
  return { ...f, envelope: { ...f.envelope, event } };
}
