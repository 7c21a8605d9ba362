/**
 * An incident raised to rollback_failed's severity (drift-severity.ts) across
 * a restart: the per-key snapshot (live mode's compacted changelog, plain
 * JSON) keeps the raised severity, so a restart at any point yields what an
 * uninterrupted run does — including a later promotion (not a rollback),
 * after which the incident stays critical (never lowered). A snapshot an
 * older release wrote (no raise: drift_detected's severity while the desired
 * state comes from a rollback) is raised at the key's next evaluation.
 */
import { describe, expect, it } from 'vitest';
import { StateDriftProcessor, type StateDriftKeySnapshot } from '../../../processors/state-drift.js';
import { runProcessor } from '../../../processors/processor.js';
import type { Fact } from '../../../processors/facts.js';
import type { SeverityClassifier } from '../../../config/alert-rules.js';
import { advance, index, options, promoted, promotion, t } from './builders.js';

/** prod: drift_detected high, rollback_failed critical (the defaults' shape). */
const classify: SeverityClassifier = (rule) => (rule === 'rollback_failed' ? 'critical' : 'high');

const facts: Fact[] = [
  ...promoted(t(0), 'p1', 'D1'),
  index(t(10), { instance: 'r1', servedDigest: 'DX' }), // opens at the end of the convergence grace (120 s): high
  ...promoted(t(300), 'p2', 'D2'),
  promotion(t(600), { promotionId: 'p2', phase: 'rolled_back', rollbackTo: { version: 'v-D1', digest: 'D1' } }), // raised: critical
  index(t(700), { instance: 'r1', servedDigest: 'DX' }),
  ...promoted(t(900), 'p3', 'D3'), // a promotion, not a rollback: stays critical
  index(t(1000), { instance: 'r1', servedDigest: 'D3' }), // resolved
  advance(Number.POSITIVE_INFINITY),
];

const changes = (out: Fact[]) => out.flatMap((f) => (f.kind === 'incident' ? [[f.change, f.incident.severity, f.incident.desiredFrom, f.at]] : []));

/** Runs `facts` with a restart before facts[cut]: every key's snapshot through JSON, as the changelog carries it. */
function withRestart(cut: number, edit: (s: StateDriftKeySnapshot) => void = () => {}): Fact[] {
  const before = new StateDriftProcessor(options, classify);
  const head = runProcessor(before, facts.slice(0, cut));
  const after = new StateDriftProcessor(options, classify);
  for (const k of before.keyNames()) {
    const snapshot = JSON.parse(JSON.stringify(before.snapshotKey(k))) as StateDriftKeySnapshot;
    edit(snapshot);
    after.restoreKey(k, snapshot);
  }
  return [...head, ...runProcessor(after, facts.slice(cut))];
}

describe('a raised incident severity across a restart', () => {
  const whole = runProcessor(new StateDriftProcessor(options, classify), facts);

  it('rises at the rollback and stays critical through a later promotion', () => {
    expect(changes(whole)).toEqual([
      ['opened', 'high', 'promotion', t(120)],
      ['updated', 'high', 'promotion', t(300)],
      ['updated', 'critical', 'rollback', t(600)],
      ['updated', 'critical', 'promotion', t(900)],
      ['resolved', 'critical', 'promotion', t(1000)],
    ]);
  });

  it('is kept by the snapshot: a restart at any point yields the uninterrupted run', () => {
    for (let cut = 1; cut < facts.length; cut++) expect(withRestart(cut), `restart before fact ${cut}`).toEqual(whole);
  });

  it("an older release's snapshot (not raised) is raised at the key's next evaluation", () => {
    const cut = facts.findIndex((f) => f.at === t(700));
    const out = withRestart(cut, (s) => {
      expect(s.incident).toMatchObject({ severity: 'critical', desiredFrom: 'rollback' });
      s.incident!.severity = 'high';
    });
    expect(changes(out).slice(3)).toEqual([
      ['updated', 'critical', 'rollback', t(700)],
      ['updated', 'critical', 'promotion', t(900)],
      ['resolved', 'critical', 'promotion', t(1000)],
    ]);
  });
});
