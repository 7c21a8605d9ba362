import { describe, it, expect } from 'vitest';
import { StateDriftProcessor, type StateDriftKeySnapshot } from '../../../processors/state-drift.js';
import { runProcessor } from '../../../processors/processor.js';
import type { Fact } from '../../../processors/facts.js';
import { advance, classify, index, options, promoted, promotion, t } from './builders.js';

/** A run over two keys with every kind of boundary pending at the cut: grace, in-flight, source expiry, an open incident. */
const facts: Fact[] = [
  ...promoted(t(0), 'p1', 'D1'),
  ...promoted(t(0), 'q1', 'E1', { env: 'staging' }),
  index(t(10), { instance: 'r1', servedDigest: 'D1' }),
  index(t(20), { instance: 'r1', servedDigest: 'E1', env: 'staging' }),
  ...promoted(t(600), 'p2', 'D2'),
  promotion(t(610), { promotionId: 'q2', phase: 'started', version: 'v2', digest: 'E2', env: 'staging' }),
  index(t(620), { instance: 'r2', servedDigest: 'EX', env: 'staging', correlationId: 'c-x' }),
  index(t(650), { instance: 'r1', servedDigest: 'D1' }),
  // --- cut here: D1 graced until 720, r2 divergent on staging, q2 in flight ---
  index(t(700), { instance: 'r3', servedDigest: 'E2', env: 'staging' }),
  advance(t(800)),
  index(t(900), { instance: 'r1', servedDigest: 'D2' }),
  promotion(t(950), { promotionId: 'q2', phase: 'failed', env: 'staging' }),
  advance(Number.POSITIVE_INFINITY),
];
const cut = facts.findIndex((f) => f.at === t(700));

describe('StateDriftProcessor snapshot/restore', () => {
  it('a restart from per-key snapshots yields the same outputs as an uninterrupted run', () => {
    const whole = runProcessor(new StateDriftProcessor(options, classify), facts);

    const before = new StateDriftProcessor(options, classify);
    const head = runProcessor(before, facts.slice(0, cut));
    // what live mode writes to the compacted changelog: plain JSON per key
    const changelog = new Map(before.keyNames().map((k) => [k, JSON.stringify(before.snapshotKey(k))]));

    const after = new StateDriftProcessor(options, classify);
    for (const [k, json] of changelog) after.restoreKey(k, JSON.parse(json) as StateDriftKeySnapshot);
    for (const k of after.keyNames()) expect(after.snapshotKey(k)).toEqual(before.snapshotKey(k));
    const tail = runProcessor(after, facts.slice(cut));

    expect([...head, ...tail]).toEqual(whole);
    // sanity: the run exercises timers and incidents on both sides of the cut
    const changes = whole.filter((f) => f.kind === 'incident').map((f) => (f.kind === 'incident' ? [f.change, f.incident.env, f.at] : []));
    expect(changes).toEqual([
      ['opened', 'staging', t(620)],
      ['opened', 'prod', t(720)],
      ['resolved', 'prod', t(900)],
      ['updated', 'staging', t(1070)],
      ['resolved', 'staging', t(1600) + 1], // r2 expires at 1520 but r3 (on E2, divergent since 1070) only past 1600 (silent for longer than the TTL)
    ]);
  });
});
