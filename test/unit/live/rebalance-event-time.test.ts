/**
 * Event time across a rebalance (engine/live/restore-engine.ts): a member
 * that takes over a partition whose committer was behind it (killed with
 * its frontier at 10:14:50 while this one was at 10:25) resumes at its own
 * frontier, not at the moved partition's: its per-env state (MTTR, per-env
 * alerts, promotion windows) was judged up to there and must not be judged
 * again at an earlier time. The moved partition's re-delivered records are
 * late there and still reach their keys. A key that moves with a drift
 * window still open, which this member has closed already, makes it emit
 * that window's env rollup again as the sum of both (processors/drift-env-rollups.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Fact, FactOf } from '../../../processors/facts.js';
import { Changelog, T, advance, at, commit, iso, push, startGeneration } from './rebalance-harness.js';

const prod = { env: 'prod' };
const succeeded = (id: string, artifact: string, hms: string) => ({ type: 'promotion', eventId: id, occurredAt: iso(hms), ...prod, artifact, promotionId: `p-${artifact}`, phase: 'succeeded', version: '2', digest: 'sha256:d1' });
const started = (id: string, artifact: string, hms: string) => ({ type: 'promotion', eventId: id, occurredAt: iso(hms), ...prod, artifact, promotionId: `p-${artifact}`, phase: 'started', version: '1', digest: 'sha256:aa' });
const served = (id: string, artifact: string, hms: string, digest: string) => ({ type: 'index', eventId: id, occurredAt: iso(hms), ...prod, artifact, op: 'read', instance: 'i1', servedDigest: digest, latencyMs: 3, status: 'ok' });
const hydrated = (id: string, artifact: string, hms: string) => ({ type: 'hydration', eventId: id, occurredAt: iso(hms), ...prod, artifact, ruleId: 'r1', instance: 'i1', inputDigest: 'sha256:aa', outputDigest: 'sha256:bb', durationMs: 5, status: 'ok' });

const mttrAlerts = (facts: Fact[]) =>
  facts.flatMap((f) => (f.kind === 'alert' && f.alert.rule === 'mttr_breach' ? [{ status: f.alert.status, level: f.alert.escalationLevel, startsAt: f.alert.startsAt, endsAt: f.alert.endsAt ?? null }] : []));
type RowKind = 'promotion-window' | 'env-window' | 'drift-window';
const rowsOf = <K extends RowKind>(facts: Fact[], kind: K): Array<FactOf<K>['row']> =>
  facts.flatMap((f) => (f.kind === kind ? [(f as FactOf<RowKind>).row as FactOf<K>['row']] : []));

describe('rebalance: the receiver goes on from its own frontier', () => {
  it('an MTTR breach it fired is neither resolved nor fired anew when it takes a partition committed at an earlier time', async () => {
    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0]);
    push(a, T.promotion, 0, 0, succeeded('a-p', 'a0', '09:40:00'));
    push(a, T.index, 0, 0, served('a-i1', 'a0', '09:50:00', 'sha256:zz')); // divergent: an incident from 09:50
    push(a, T.index, 0, 1, served('a-i2', 'a0', '10:00:00', 'sha256:zz'));
    push(a, T.index, 0, 2, served('a-i3', 'a0', '10:10:00', 'sha256:zz'));
    push(a, T.index, 0, 3, served('a-i4', 'a0', '10:20:00', 'sha256:zz'));
    advance(a, '10:25:00'); // open for more than 30 min at 10:20:00.001
    await commit(a, log, 'A');
    expect(mttrAlerts(a.facts)).toEqual([{ status: 'firing', level: 1, startsAt: '2026-11-27T10:20:00.001Z', endsAt: null }]);

    // B owns partition 1 and commits at 10:14:50 with an observation of 10:14:55 still held; then it is killed.
    const b = await startGeneration(log, 'B', [1]);
    push(b, T.promotion, 1, 0, succeeded('b-p', 'b0', '09:40:00'));
    push(b, T.index, 1, 0, served('b-i1', 'b0', '10:14:55', 'sha256:yy'));
    advance(b, '10:14:50');
    await commit(b, log, 'B');

    const a2 = await startGeneration(log, 'A', [0, 1], 2);
    push(a2, T.index, 1, 0, served('b-i1', 'b0', '10:14:55', 'sha256:yy')); // re-delivered from B's committed offset
    advance(a2, '10:26:00');
    push(a2, T.index, 0, 4, served('a-i5', 'a0', '10:26:00', 'sha256:zz'));
    advance(a2, '10:27:00');

    // The breach goes on (a0 is open since 09:50): no `resolved`, no second instance, only its escalation at 5 min.
    expect(mttrAlerts(a2.facts)).toEqual([{ status: 'firing', level: 2, startsAt: '2026-11-27T10:20:00.001Z', endsAt: null }]);
    // The moved key still gets its observation: late, judged from the frontier, it opens b0's incident there.
    expect(a2.facts.filter((f) => f.kind === 'late')).toHaveLength(1);
    const opened = a2.facts.flatMap((f) => (f.kind === 'incident' && f.change === 'opened' ? [[f.incident.artifact, f.incident.startedAt]] : []));
    expect(opened).toEqual([['b0', at('10:25:00')]]);
  });

  it('a promotion window it closed is not opened again by a moved partition (its row would replace the first)', async () => {
    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0]);
    push(a, T.promotion, 0, 0, started('e1', 'a0', '10:01:00'));
    push(a, T.promotion, 0, 1, started('e2', 'a1', '10:02:00'));
    push(a, T.promotion, 0, 2, started('e3', 'a2', '10:03:00'));
    advance(a, '10:05:20');
    await commit(a, log, 'A');
    expect(rowsOf(a.facts, 'promotion-window')).toMatchObject([{ env: 'prod', windowStart: at('10:00:00'), started: 3 }]);

    const b = await startGeneration(log, 'B', [1]);
    push(b, T.promotion, 1, 0, started('e4', 'b0', '10:04:55'));
    advance(b, '10:04:50');
    await commit(b, log, 'B');

    const a2 = await startGeneration(log, 'A', [0, 1], 2);
    push(a2, T.promotion, 1, 0, started('e4', 'b0', '10:04:55'));
    advance(a2, '10:10:30');
    // Late here: counted in no window (SPEC §4.7), so (prod, 10:00, A) keeps started = 3. The next window has nothing.
    expect(rowsOf(a2.facts, 'promotion-window')).toEqual([]);
    expect(a2.facts.filter((f) => f.kind === 'late').map((f) => (f as Extract<Fact, { kind: 'late' }>).envelope.event.eventId)).toEqual(['e4']);
  });

  it('a moved key whose drift window is still open brings it back: the env rollup is emitted again as the sum of both', async () => {
    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0]);
    push(a, T.hydration, 0, 0, hydrated('h1', 'a0', '10:01:00'));
    push(a, T.hydration, 0, 1, hydrated('h2', 'a1', '10:02:00'));
    advance(a, '10:05:20');
    await commit(a, log, 'A');
    expect(rowsOf(a.facts, 'env-window')).toMatchObject([{ env: 'prod', windowStart: at('10:00:00'), observations: 2, hydrations: 2 }]);

    const b = await startGeneration(log, 'B', [1]);
    push(b, T.hydration, 1, 0, hydrated('h3', 'b0', '10:03:00'));
    advance(b, '10:04:50'); // processed; B's window 10:00 is still open
    await commit(b, log, 'B');

    const a2 = await startGeneration(log, 'A', [0, 1], 2);
    advance(a2, '10:05:30');
    expect(rowsOf(a2.facts, 'drift-window')).toMatchObject([{ artifact: 'b0', windowStart: at('10:00:00'), observations: 1 }]);
    // (prod, 10:00, A) again: it replaces the first row, so it carries A's two observations and b0's.
    expect(rowsOf(a2.facts, 'env-window')).toMatchObject([{ env: 'prod', windowStart: at('10:00:00'), observations: 3, hydrations: 3 }]);
    // Once: the next generation of A (restored from this commit) has nothing left to emit for that window.
    await commit(a2, log, 'A');
    const a3 = await startGeneration(log, 'A', [0, 1], 3);
    advance(a3, '10:10:30');
    expect(rowsOf(a3.facts, 'env-window')).toEqual([]);
  });

  it('a single instance restarted after a crash resumes at its committed frontier, with its held records on time', async () => {
    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0, 1]);
    push(a, T.promotion, 0, 0, started('e1', 'a0', '10:01:00'));
    push(a, T.promotion, 1, 0, started('e2', 'b0', '10:04:55')); // held at the commit
    advance(a, '10:04:50');
    await commit(a, log, 'A');

    const again = await startGeneration(log, 'A', [0, 1], 2);
    expect(again.engine.pipeline.orderer.frontier).toBe(at('10:04:50'));
    push(again, T.promotion, 0, 0, started('e1', 'a0', '10:01:00')); // below the committed offset: skipped
    push(again, T.promotion, 1, 0, started('e2', 'b0', '10:04:55'));
    advance(again, '10:05:30');
    expect(again.facts.filter((f) => f.kind === 'late')).toEqual([]);
    expect(rowsOf(again.facts, 'promotion-window')).toMatchObject([{ env: 'prod', windowStart: at('10:00:00'), started: 2 }]);
  });
});
