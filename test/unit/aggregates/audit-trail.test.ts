import { describe, it, expect } from 'vitest';
import { AuditTrailProcessor } from '../../../processors/audit-trail.js';
import { runProcessor } from '../../../processors/processor.js';
import { MIN, T0, advance, hydration, incident, indexOp, late, observation, ofKind, promotion } from './facts.js';

const audit = (facts: Parameters<typeof runProcessor>[1]) => ofKind(runProcessor(new AuditTrailProcessor(), facts), 'audit');

describe('AuditTrailProcessor', () => {
  it('audits every promotion event as promotion.<phase> with actor, subject and details', () => {
    const out = audit([
      promotion(T0, 'p1', 'started', { actor: 'alice', reason: 'release', correlationId: 'c-1', fromEnv: 'staging' }),
      promotion(T0 + 1, 'p1', 'gate', { gate: { name: 'tests', result: 'failed', durationMs: 1200 } }),
      promotion(T0 + 2, 'p1', 'snapshot', { snapshot: { snapshotId: 's1', verified: false } }),
      promotion(T0 + 3, 'p1', 'rolled_back', { rollbackTo: { version: '1.0.0', digest: 'd0' }, actor: 'bot' }),
    ]);
    expect(out.map((f) => [f.at, f.record.category, f.record.action])).toEqual([
      [T0, 'promotion', 'promotion.started'],
      [T0 + 1, 'promotion', 'promotion.gate'],
      [T0 + 2, 'promotion', 'promotion.snapshot'],
      [T0 + 3, 'promotion', 'promotion.rolled_back'],
    ]);
    expect(out[0]!.record).toEqual({
      at: T0,
      category: 'promotion',
      action: 'promotion.started',
      env: 'prod',
      artifact: 'app',
      actor: 'alice',
      subjectId: 'p1',
      correlationId: 'c-1',
      details: { eventId: out[0]!.record.details.eventId, version: '1.2.3', digest: 'd2', fromEnv: 'staging', reason: 'release' },
    });
    expect(out[1]!.record.details.gate).toEqual({ name: 'tests', result: 'failed', durationMs: 1200 });
    expect(out[2]!.record.details.snapshot).toEqual({ snapshotId: 's1', verified: false });
    expect(out[3]!.record).toMatchObject({ actor: 'bot', details: { rollbackTo: { version: '1.0.0', digest: 'd0' } } });
  });

  it('audits incidents as drift (state) or hydration (determinism), keyed by incidentId', () => {
    const out = audit([
      incident(T0 + MIN, 'opened', { incidentId: 'S1', startedAt: T0, correlationId: 'c-9' }),
      incident(T0 + 2 * MIN, 'opened', { incidentId: 'D1', startedAt: T0 + 2 * MIN, kind: 'determinism', ruleId: 'r1' }),
      incident(T0 + 10 * MIN, 'resolved', { incidentId: 'S1', startedAt: T0, reason: 'converged' }),
    ]);
    expect(out.map((f) => [f.record.category, f.record.action, f.record.subjectId])).toEqual([
      ['drift', 'incident.opened', 'S1'],
      ['hydration', 'incident.opened', 'D1'],
      ['drift', 'incident.resolved', 'S1'],
    ]);
    expect(out[0]!.record.correlationId).toBe('c-9');
    expect(out[1]!.record.details).toMatchObject({ kind: 'determinism', ruleId: 'r1' });
    expect(out[2]!.record.details).toMatchObject({ reason: 'converged', resolvedAt: T0 + 10 * MIN, recoveryMs: 10 * MIN });
  });

  it('audits hydration and index errors, and late events as performance', () => {
    const old = hydration(T0 - 5 * MIN, { correlationId: 'c-late' });
    const out = audit([
      hydration(T0, { status: 'error', error: 'boom', ruleId: 'r7' }),
      indexOp(T0 + 1, { status: 'error', shard: 's3', instance: 'ix9' }),
      late(old, T0 + 2),
    ]);
    expect(out.map((f) => [f.record.category, f.record.action, f.record.subjectId])).toEqual([
      ['hydration', 'hydration.error', 'r7'],
      ['index', 'index.error', 'ix9'],
      ['performance', 'event.late', old.envelope.event.eventId],
    ]);
    expect(out[0]!.record.details).toMatchObject({ error: 'boom', instance: 'i1' });
    expect(out[1]!.record.details).toMatchObject({ shard: 's3', op: 'read' });
    expect(out[2]!.at).toBe(T0 + 2);
    expect(out[2]!.record).toMatchObject({ correlationId: 'c-late', details: { type: 'hydration', occurredAt: T0 - 5 * MIN, frontier: T0 + 2, lagMs: 5 * MIN + 2 } });
  });

  // A late event is audited twice, once per question an auditor asks: `event.late` (performance) counts late
  // events of every type, and the event's own record (`promotion.<phase>`, `hydration.error`, `index.error`) keeps
  // who did what — a late human rollback with its actor and reason was missing from `promotion.%`.
  it('audits a late promotion event as its promotion.<phase> too, the very record it gets in order', () => {
    const old = promotion(T0 - 5 * MIN, 'p1', 'rolled_back', { actor: 'alice', reason: 'p99 latency', correlationId: 'c-rb', rollbackTo: { version: '1.0.0', digest: 'd0' } });
    const out = audit([late(old, T0)]);
    expect(out.map((f) => [f.at, f.record.category, f.record.action, f.record.subjectId])).toEqual([
      [T0, 'performance', 'event.late', old.envelope.event.eventId],
      [T0, 'promotion', 'promotion.rolled_back', 'p1'],
    ]);
    expect(out[1]!.record).toEqual({
      at: T0 - 5 * MIN,
      category: 'promotion',
      action: 'promotion.rolled_back',
      env: 'prod',
      artifact: 'app',
      actor: 'alice',
      subjectId: 'p1',
      correlationId: 'c-rb',
      details: { eventId: old.envelope.event.eventId, rollbackTo: { version: '1.0.0', digest: 'd0' }, reason: 'p99 latency' },
    });
    // Identical to the record in order: every audit_log column is in its dedup key, so the same event processed in
    // order by one instance and late by another (an abandoned commit, then a rebalance) is stored once.
    expect(out[1]!.record).toEqual(audit([old])[0]!.record);
  });

  it('audits a late hydration or index error as its error record too, and a late ok event as event.late only', () => {
    const err = hydration(T0 - MIN, { status: 'error', error: 'boom', ruleId: 'r7' });
    const ixErr = indexOp(T0 - MIN, { status: 'error', instance: 'ix9' });
    const ok = hydration(T0 - MIN);
    const out = audit([late(err, T0), late(ixErr, T0), late(ok, T0)]);
    expect(out.map((f) => [f.record.at, f.record.category, f.record.action])).toEqual([
      [T0, 'performance', 'event.late'],
      [T0 - MIN, 'hydration', 'hydration.error'],
      [T0, 'performance', 'event.late'],
      [T0 - MIN, 'index', 'index.error'],
      [T0, 'performance', 'event.late'],
    ]);
  });

  it('does not audit ok hydrations, ok index ops, observations or advances', () => {
    expect(audit([hydration(T0), indexOp(T0), observation(T0, 'index:a', true), advance(Infinity)])).toEqual([]);
  });
});
