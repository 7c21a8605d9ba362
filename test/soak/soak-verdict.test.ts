/**
 * The soak's verdict: equal outputs pass; a difference on a key that had a
 * late event is explained (inconclusive); one on another key, a duplicate
 * alertId or a different dead-letter count fails; with several instance ids
 * the per-env rules' alerts are left out of the comparison.
 */
import { describe, it, expect } from 'vitest';
import type { AlertEvent } from '../../schemas/alert-event.js';
import type { ReplayReference } from '../integration/live/reference.js';
import { soakVerdict, type SoakOutputs } from './soak-verdict.js';
import { lostRecords } from './broker-loss.js';

const alert = (rule: string, labels: Record<string, string>, status: 'firing' | 'resolved', id: string): AlertEvent =>
  ({ alertId: id, fingerprint: `fp-${rule}`, rule, status, severity: 'high', escalationLevel: 1, labels, annotations: { summary: '', description: '' }, startsAt: '2026-01-05T00:10:00.000Z', emittedAt: '2026-12-07T10:00:00.000Z' }) as AlertEvent;

const drift = (artifact: string, status: 'firing' | 'resolved' = 'firing') => alert('drift_detected', { env: 'prod', artifact }, status, `a-${artifact}-${status}`);
const rate = alert('promotion_success_rate_low', { env: 'prod' }, 'firing', 'a-rate');
const incident = (artifact: string, resolved: string | null) => ({ incident_id: `inc-${artifact}`, env: 'prod', artifact, resolved_at: resolved });

const ref: ReplayReference = {
  alerts: [drift('api'), drift('api', 'resolved'), drift('web'), rate],
  incidents: [incident('api', '2026-01-05 00:20:00.000'), incident('web', null)],
  incidentRecords: [],
  dlq: [{ line: 3, reason: 'bad', raw: 'x' }],
};

const live = (over: Partial<SoakOutputs> = {}): SoakOutputs => ({
  alerts: ref.alerts,
  incidents: ref.incidents,
  dlqCount: 1,
  lateAudited: 0,
  lateScraped: 0,
  lateKeys: new Set(),
  shared: false,
  store: {},
  ...over,
});

describe('soak verdict', () => {
  it("replay's outputs pass", () => {
    expect(soakVerdict(live(), ref).verdict).toBe('pass');
  });

  it('a missing resolution on a key without late events fails; on a key with one, it is explained', () => {
    const alerts = ref.alerts.filter((a) => a.alertId !== 'a-api-resolved');
    const failed = soakVerdict(live({ alerts }), ref);
    expect(failed.verdict).toBe('FAIL');
    expect(failed.alerts.missing.unexplained).toEqual(['drift_detected resolved high L1 {artifact=api,env=prod} 2026-01-05T00:10:00.000Z']);
    const late = soakVerdict(live({ alerts, lateAudited: 3, lateKeys: new Set(['prod/api']) }), ref);
    expect(late.verdict).toBe('inconclusive');
    expect(late.alerts.missing).toEqual({ unexplained: [], explained: 1 });
  });

  it('an alert emitted twice under one alertId fails, late events or not', () => {
    const v = soakVerdict(live({ alerts: [...ref.alerts, drift('web')], lateKeys: new Set(['prod/web']) }), ref);
    expect(v.duplicateAlertIds).toEqual(['a-web-firing']);
    expect(v.verdict).toBe('FAIL');
  });

  it('an incident or a store row that differs is judged by its key; a dead letter more fails', () => {
    expect(soakVerdict(live({ incidents: [incident('api', null), incident('web', null)] }), ref).verdict).toBe('FAIL');
    const row = JSON.stringify({ env: 'prod', artifact: 'web', observations: 3 });
    expect(soakVerdict(live({ store: { drift_windows: { onlyLive: [row], onlyReplay: [] } }, lateKeys: new Set(['prod/web']) }), ref).verdict).toBe('inconclusive');
    expect(soakVerdict(live({ store: { drift_windows: { onlyLive: [row], onlyReplay: [] } } }), ref).verdict).toBe('FAIL');
    expect(soakVerdict(live({ dlqCount: 2 }), ref).verdict).toBe('FAIL');
  });

  it("several instance ids: the per-env rules' alerts are each instance's share, not compared", () => {
    const alerts = ref.alerts.filter((a) => a !== rate);
    expect(soakVerdict(live({ alerts }), ref).verdict).toBe('FAIL');
    const v = soakVerdict(live({ alerts, shared: true }), ref);
    expect(v).toMatchObject({ verdict: 'pass', compared: 'keyed alerts', shareAlerts: { live: 0, replay: 1 } });
    // Two shares deciding one per-env alert at the same event time: one alertId twice, as documented.
    expect(soakVerdict(live({ alerts: [...ref.alerts, rate], shared: true }), ref).verdict).toBe('pass');
  });

  it('a broker fault that lost acknowledged records: inconclusive, differences or not, and the loss is in the verdict', () => {
    const before = new Map([['in/0', 120], ['in/1', 80], ['alerts/0', 7]]);
    const lost = lostRecords(before, new Map([['in/0', 120], ['in/1', 75], ['alerts/0', 9]]));
    expect(lost).toEqual({ 'in/1': 5 }); // an end offset that went on is not a loss
    expect(lostRecords(before, new Map([['in/0', 120], ['in/1', 80]]))).toEqual({ 'alerts/0': 7 });
    const missing = ref.alerts.filter((a) => a.alertId !== 'a-api-resolved');
    expect(soakVerdict(live({ alerts: missing, brokerLost: 5 }), ref)).toMatchObject({ verdict: 'inconclusive', brokerLost: 5 });
    expect(soakVerdict(live({ brokerLost: 5 }), ref).verdict).toBe('inconclusive');
    expect(soakVerdict(live({ brokerLost: 0 }), ref).verdict).toBe('pass');
  });
});
