/**
 * Live mode audits promotion steps through the same processor as a replay
 * (processors/audit-trail.ts): a step learnt late still gets its
 * `promotion.<phase>` record, and it is the record the step gets in order.
 * That is what keeps audit_log free of a second row when one instance
 * processes a step in order and writes its rows (the store is written before
 * the transaction, engine/live/commit.ts), loses the partition before its
 * commit lands, and the member taking it over gets the step again, late.
 */
import { describe, expect, it } from 'vitest';
import type { AuditRecord, Fact } from '../../../processors/facts.js';
import { Changelog, T, advance, commit, iso, push, startGeneration } from './rebalance-harness.js';

const rolledBack = {
  type: 'promotion', eventId: 'rb-1', occurredAt: iso('10:04:55'), env: 'prod', artifact: 'b0', promotionId: 'p-b0',
  phase: 'rolled_back', rollbackTo: { version: '1', digest: 'sha256:aa' }, actor: 'alice', reason: 'error budget burn',
};
const started = (id: string, artifact: string, hms: string) => ({ type: 'promotion', eventId: id, occurredAt: iso(hms), env: 'prod', artifact, promotionId: `p-${artifact}`, phase: 'started', version: '2', digest: 'sha256:d2' });
const audits = (facts: Fact[], category: string): AuditRecord[] =>
  facts.flatMap((f) => (f.kind === 'audit' && f.record.category === category ? [f.record] : []));

describe('live: a promotion step learnt late in the audit log', () => {
  it('gets the same promotion.<phase> record as in order (one row), its lateness in event.late, a redelivery nothing more', async () => {
    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0]);
    push(a, T.promotion, 0, 0, started('a-1', 'a0', '10:01:00'));
    advance(a, '10:10:00');
    await commit(a, log, 'A');

    // B processes alice's rollback in order, then loses partition 1 before committing.
    const b = await startGeneration(log, 'B', [1]);
    push(b, T.promotion, 1, 0, rolledBack);
    advance(b, '10:05:30');
    const inOrder = audits(b.facts, 'promotion');
    expect(inOrder.map((r) => [r.action, r.actor, r.details.reason])).toEqual([['promotion.rolled_back', 'alice', 'error budget burn']]);

    // A takes partition 1 over at its own frontier (10:10): the rollback, from the last committed offset, is late
    // there; the producer's retry of it (offset 1) is a duplicate.
    const a2 = await startGeneration(log, 'A', [0, 1], 2);
    push(a2, T.promotion, 1, 0, rolledBack);
    push(a2, T.promotion, 1, 1, rolledBack);
    advance(a2, '10:11:00');
    expect(a2.facts.filter((f) => f.kind === 'late')).toHaveLength(1);
    expect(audits(a2.facts, 'promotion')).toEqual(inOrder);
    expect(audits(a2.facts, 'performance').map((r) => [r.action, r.subjectId, r.details.lagMs])).toEqual([['event.late', 'rb-1', 305_000]]);
  });
});
