/**
 * alertId is derived from what the emission is (SPEC §6: unique per
 * emission), not drawn at random: the same input decided again — a second
 * replay of a file, the records a live instance reads again after an aborted
 * transaction or a handover — gives the same ids, so an alert consumer can
 * deduplicate on alertId (README "Consuming alerts").
 */
import { describe, expect, it } from 'vitest';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { AlertingProcessor } from '../../../processors/alerting/alerting-processor.js';
import type { Fact } from '../../../processors/facts.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { MIN, SEC, T0, advance, incidentFact, snapshotEvent, stateIncident } from './helpers.js';

/** A drift in prod that escalates to L3, resolves, and drifts again at the same key. */
const facts: Fact[] = [
  incidentFact(T0 + 10 * SEC, 'opened', stateIncident({ env: 'prod' })),
  advance(T0 + 20 * MIN),
  incidentFact(T0 + 21 * MIN, 'resolved', stateIncident({ env: 'prod', resolvedAt: T0 + 21 * MIN })),
  incidentFact(T0 + 22 * MIN, 'opened', stateIncident({ env: 'prod', incidentId: 'inc-2', startedAt: T0 + 22 * MIN })),
];

/** Drift alerts of `facts` from a processor with the default ids and a wall clock of its own. */
function decide(wall: number, input: Fact[] = facts, rule = 'drift_detected'): AlertEvent[] {
  const config = defaultAlertsConfig();
  for (const [name, r] of Object.entries(config.rules)) r.enabled = name === rule;
  const processor = new AlertingProcessor(config, undefined, { now: () => wall });
  const out: AlertEvent[] = [];
  for (const f of input) processor.handle(f, (d) => d.kind === 'alert' && out.push(d.alert));
  return out;
}

describe('alertId', () => {
  it('is the same when the same input is decided again, whatever the wall clock', () => {
    const first = decide(Date.parse('2030-01-01T00:00:00.000Z'));
    const again = decide(Date.parse('2030-01-02T08:00:00.000Z'));
    expect(first.map((a) => `${a.status} L${a.escalationLevel}`)).toEqual(['firing L1', 'firing L2', 'firing L3', 'resolved L3', 'firing L1']);
    expect(again.map((a) => a.alertId)).toEqual(first.map((a) => a.alertId));
    expect(again[0]!.emittedAt).not.toBe(first[0]!.emittedAt);
  });

  it('differs between the emissions of an alert instance and between instances of one fingerprint', () => {
    const alerts = decide(0);
    expect(new Set(alerts.map((a) => a.fingerprint)).size).toBe(1);
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(alerts.length);
    for (const a of alerts) expect(a.alertId).toMatch(/^alert-[0-9a-f]{20}$/);
  });

  it('differs between two instances of a fingerprint that begin in the same millisecond', () => {
    // Producers stamping whole seconds report an unverified, a verified and again an unverified snapshot at one instant:
    // firing, resolved, firing — two instances with the same fingerprint, startsAt, decision time, status, severity, level.
    const sameInstant = [snapshotEvent(T0, false, 'snap-1'), snapshotEvent(T0, true, 'snap-2'), snapshotEvent(T0, false, 'snap-3')];
    const alerts = decide(0, sameInstant, 'snapshot_not_verified');
    expect(alerts.map((a) => `${a.status} ${a.startsAt}`)).toEqual(['firing', 'resolved', 'firing'].map((s) => `${s} ${new Date(T0).toISOString()}`));
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(3);
    expect(decide(1, sameInstant, 'snapshot_not_verified').map((a) => a.alertId)).toEqual(alerts.map((a) => a.alertId));
  });
});
