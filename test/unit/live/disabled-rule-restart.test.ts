/**
 * A live instance restarted with a rule turned off (`enabled: false`) while
 * that rule's alert was firing: the restore resolves it at the frontier it
 * resumes at, as an output of its next commit (alert topic; the store gets
 * the same fact), once — whichever member restores the key, and not again
 * after that commit (processors/alerting/alerting-processor.ts).
 *
 * And turned back on while the condition it judges holds: drift_detected for
 * a drift that began while it was off fires at the restored frontier, in the
 * next commit, once — not at the incident's next update. The incident itself
 * is untouched.
 */
import { describe, expect, it } from 'vitest';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import type { Fact, FactOf } from '../../../processors/facts.js';
import { Changelog, T, advance, commit, iso, push, startGeneration } from './rebalance-harness.js';

const succeeded = (id: string, artifact: string, hms: string) => ({ type: 'promotion', eventId: id, occurredAt: iso(hms), env: 'prod', artifact, promotionId: `p-${artifact}`, phase: 'succeeded', version: '2', digest: 'sha256:d1' });
const served = (id: string, artifact: string, hms: string, digest: string) => ({ type: 'index', eventId: id, occurredAt: iso(hms), env: 'prod', artifact, op: 'read', instance: 'i1', servedDigest: digest, latencyMs: 3, status: 'ok' });

/** The rule's alerts, without `emittedAt` (the wall clock: the harness does not fix the alerting processor's). */
const alertsOf = (facts: Fact[], rule: string) =>
  facts.filter((f): f is FactOf<'alert'> => f.kind === 'alert' && f.alert.rule === rule).map(({ alert: { emittedAt: _wall, ...alert } }) => alert);

const driftOff = () => {
  const c = defaultAlertsConfig();
  c.rules.drift_detected.enabled = false;
  return c;
};

describe('restart with a firing alert\'s rule turned off', () => {
  it('the key\'s owner resolves it at its restored frontier, in its next commit, once', async () => {
    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0]);
    push(a, T.promotion, 0, 0, succeeded('p1', 'a0', '09:40:00'));
    push(a, T.index, 0, 0, served('i1', 'a0', '09:50:00', 'sha256:zz')); // divergent: drift from 09:50
    advance(a, '10:00:00');
    await commit(a, log, 'A');
    const fired = alertsOf(a.facts, 'drift_detected');
    expect(fired.map((x) => [x.status, x.escalationLevel])).toEqual([['firing', 1], ['firing', 2]]);

    // A member owning another partition has nothing of it.
    const other = await startGeneration(log, 'B', [1], 2, driftOff());
    expect(alertsOf(other.facts, 'drift_detected')).toEqual([]);

    // A restarts with the rule off; its first commit after the restore is abandoned (a rebalance), so B, taking
    // partition 0 over, restores the same state and decides the same resolution: one alert for a read_committed reader.
    const a2 = await startGeneration(log, 'A', [0], 2, driftOff());
    const resolved = alertsOf(a2.facts, 'drift_detected');
    expect(resolved.map((x) => [x.status, x.escalationLevel, x.severity, x.startsAt, x.endsAt])).toEqual([
      ['resolved', 2, fired[1]!.severity, fired[0]!.startsAt, iso('10:00:00')],
    ]);
    expect(resolved[0]!.annotations.description).toMatch(/rule drift_detected is disabled in alerts\.yaml/);
    expect(a2.facts.filter((f) => f.kind === 'incident')).toEqual([]); // the incident is untouched
    const b = await startGeneration(log, 'B', [0, 1], 3, driftOff());
    expect(alertsOf(b.facts, 'drift_detected')).toEqual(resolved);

    const produced = (await commit(b, log, 'B')).get(T.alerts) ?? [];
    expect(produced.map((m) => [m.headers?.['dw-rule'], m.headers?.['dw-status']])).toEqual([['drift_detected', 'resolved']]);
    expect(JSON.parse(String(produced[0]!.value)).alertId).toBe(resolved[0]!.alertId);

    // Committed with the key's new state: the next restore has nothing to resolve.
    const b2 = await startGeneration(log, 'B', [0, 1], 4, driftOff());
    advance(b2, '10:30:00');
    expect(alertsOf(b2.facts, 'drift_detected')).toEqual([]);
  });
});

describe('restart with a rule turned back on while its condition holds', () => {
  it('drift_detected fires for the drift still open at the restored frontier, in the next commit, once', async () => {
    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0], 1, driftOff());
    push(a, T.promotion, 0, 0, succeeded('p1', 'a0', '09:40:00'));
    push(a, T.index, 0, 0, served('i1', 'a0', '09:50:00', 'sha256:zz')); // divergent: drift from 09:50
    advance(a, '10:00:00');
    await commit(a, log, 'A');
    expect(a.facts.filter((f) => f.kind === 'incident').map((f) => (f as FactOf<'incident'>).change)).toEqual(['opened']);
    expect(alertsOf(a.facts, 'drift_detected')).toEqual([]);

    // A member restoring the same state decides the same alert (its commit abandoned by a rebalance, B takes over).
    const a2 = await startGeneration(log, 'A', [0], 2);
    const fired = alertsOf(a2.facts, 'drift_detected');
    expect(fired.map((x) => [x.status, x.escalationLevel, x.startsAt])).toEqual([['firing', 2, iso('09:50:00')]]);
    expect(a2.facts.filter((f) => f.kind === 'incident')).toEqual([]);
    const b = await startGeneration(log, 'B', [0], 3);
    expect(alertsOf(b.facts, 'drift_detected')).toEqual(fired);
    const produced = (await commit(b, log, 'B')).get(T.alerts) ?? [];
    expect(produced.map((m) => [m.headers?.['dw-rule'], m.headers?.['dw-status']])).toEqual([['drift_detected', 'firing']]);

    // Committed with the key's record: the next restore fires nothing again. The alert goes on as if the rule had
    // been on: level 3 at 15 minutes of drift, resolved with its incident (the source expires at 10:05).
    const b2 = await startGeneration(log, 'B', [0], 4);
    expect(alertsOf(b2.facts, 'drift_detected')).toEqual([]);
    advance(b2, '10:06:00');
    expect(alertsOf(b2.facts, 'drift_detected').map((x) => [x.status, x.escalationLevel, x.alertId === fired[0]!.alertId, x.endsAt ?? null])).toEqual([
      ['firing', 3, false, null],
      ['resolved', 3, false, '2026-11-27T10:05:00.001Z'],
    ]);
    expect(b2.facts.filter((f) => f.kind === 'incident').map((f) => (f as FactOf<'incident'>).incident.reason)).toEqual(['source_expired']);
  });
});
