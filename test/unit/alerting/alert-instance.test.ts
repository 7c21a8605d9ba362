import { describe, expect, it } from 'vitest';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import {
  AlertInstance,
  AlertTransitionError,
  alertFingerprint,
  alertTransitions,
  type AlertDetails,
} from '../../../processors/alerting/alert-instance.js';
import { stableId } from '../../../lib/ids.js';
import { MIN, T0, WALL, iso } from './helpers.js';

function instance() {
  let n = 0;
  return new AlertInstance('drift_detected', { env: 'prod', artifact: 'web' }, {
    escalation: defaultAlertsConfig().escalation,
    now: () => WALL,
    newAlertId: () => `id-${++n}`,
  });
}

const details: AlertDetails = {
  severity: 'high',
  annotations: { summary: 's', description: 'd' },
  startsAt: T0,
  incidentId: 'inc-1',
};

describe('alert instance state machine', () => {
  it('has the transition table inactive → firing → resolved', () => {
    expect(alertTransitions).toEqual({
      inactive: { fire: 'firing' },
      firing: { update: 'firing', resolve: 'resolved' },
      resolved: {},
    });
  });

  it('fires once, with deterministic fingerprint, id and emittedAt', () => {
    const a = instance();
    expect(a.state).toBe('inactive');
    const e = a.fire(T0 + 10_000, details);
    expect(a.state).toBe('firing');
    expect(e).toEqual({
      alertId: 'id-1',
      fingerprint: stableId('fp', 'drift_detected', 'artifact=web', 'env=prod'),
      rule: 'drift_detected',
      status: 'firing',
      severity: 'high',
      escalationLevel: 1,
      labels: { env: 'prod', artifact: 'web' },
      // Level 1 of the default escalation names the on-call engineer; these deps route no severity.
      annotations: { summary: 's', description: 'd', notify: 'On-Call Engineer' },
      startsAt: iso(T0),
      incidentId: 'inc-1',
      emittedAt: iso(WALL),
    });
  });

  it('guards every transition', () => {
    const a = instance();
    expect(() => a.resolve(T0)).toThrow(AlertTransitionError);
    expect(() => a.update(T0)).toThrow(/cannot update while inactive/);
    a.fire(T0, details);
    expect(() => a.fire(T0, details)).toThrow(/cannot fire while firing/);
    a.resolve(T0 + MIN);
    expect(a.state).toBe('resolved');
    expect(() => a.resolve(T0 + MIN)).toThrow(/cannot resolve while resolved/);
    expect(() => a.update(T0 + MIN)).toThrow(AlertTransitionError);
    expect(new AlertTransitionError('x').code).toBe('DW_ALERT_TRANSITION');
  });

  it('re-emits only on a severity or level change; annotations refresh silently', () => {
    const a = instance();
    a.fire(T0, details);
    expect(a.update(T0 + MIN, { annotations: { summary: 's2', description: 'd2' } })).toBeUndefined();
    expect(a.update(T0 + 2 * MIN, { severity: 'high' })).toBeUndefined();
    const bumped = a.update(T0 + 3 * MIN, { severity: 'critical' });
    expect(bumped).toMatchObject({ severity: 'critical', escalationLevel: 1, annotations: { summary: 's2' } });
    expect(a.update(T0 + 5 * MIN)).toMatchObject({ escalationLevel: 2, severity: 'critical' });
    expect(a.update(T0 + 6 * MIN)).toBeUndefined();
  });

  it('levels follow the age since startsAt, and an old alert starts at the right level', () => {
    const a = instance();
    expect(a.fire(T0 + 16 * MIN, details).escalationLevel).toBe(3);
    expect(a.nextEscalationAt()).toBe(T0 + 30 * MIN);
    expect(a.update(T0 + 30 * MIN)?.escalationLevel).toBe(4);
    expect(a.nextEscalationAt()).toBeUndefined();
    const r = a.resolve(T0 + 40 * MIN);
    expect(r).toMatchObject({ status: 'resolved', escalationLevel: 4, endsAt: iso(T0 + 40 * MIN), startsAt: iso(T0) });
    expect(a.nextEscalationAt()).toBeUndefined();
  });

  it('fingerprint: rule + identifying labels, whatever their order', () => {
    expect(alertFingerprint('drift_detected', { env: 'a', artifact: 'b' })).toBe(alertFingerprint('drift_detected', { artifact: 'b', env: 'a' }));
    expect(alertFingerprint('drift_detected', { env: 'a', artifact: 'b' })).not.toBe(alertFingerprint('rollback_failed', { env: 'a', artifact: 'b' }));
    expect(alertFingerprint('drift_detected', { env: 'a', artifact: 'b' })).not.toBe(alertFingerprint('drift_detected', { env: 'a', artifact: 'c' }));
  });
});
