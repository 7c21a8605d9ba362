/**
 * The alert lifecycle at its edges, as a team paging from the alert topic
 * meets them (SPEC §6, README "Consuming alerts"), over one hand-written
 * fixture (alert-lifecycle-edges.ndjson, default rules and options):
 * - prod/api: a drift that converges before its first escalation (L1, then
 *   resolved at L1); the same drift again later (a new instance: new
 *   startsAt, incident and ids); and reports that drift, converge and drift
 *   again within one millisecond (judged together, after the instant's last
 *   report: one instance, one incident);
 * - prod/pay: four rules firing on one key at once (snapshot_not_verified,
 *   drift_detected, rollback_failed, hydration_nondeterminism), each its own
 *   fingerprint, escalating and resolving on its own;
 * - staging/web: a drift still open when the input ends: the end of input
 *   moves event time past every timer, so it escalates while its source is
 *   remembered and resolves when the source expires (TTL 15 min + 1 ms),
 *   its resolution saying that the source fell silent (not that it converged).
 * Expectations by hand; the lifecycle invariants over every fixture
 * (alert-lifecycle-invariants.test.ts) cover this one too.
 */
import { describe, expect, it } from 'vitest';
import { alertShape, replayFixture, type ReplayOutput } from '../helpers/replay-fixture.js';
import { parseAlertsConfig } from '../../config/alerts-config.js';

const FIXTURE = 'alert-lifecycle-edges.ndjson';

describe('alert lifecycle edges', () => {
  let replayed: Promise<ReplayOutput> | undefined;
  const replay = () => (replayed ??= replayFixture(FIXTURE));

  it('emits each instance once firing, once per level reached, and once resolved', async () => {
    const { alerts, dlq } = await replay();
    expect(dlq).toEqual([]);
    const shapes = alerts.map(alertShape);
    const of = (subject: string) => shapes.filter((s) => s.includes(` ${subject} `));
    // First promotion at 10:00: any digest acceptable until 10:02 (README, acceptable digests). 10:03 rogue: drifted
    // at once; converged 10:04, before L2 (10:08). 10:10–10:12 again. 10:20:00.000 drifted (api-06a), converged
    // (api-06b) and drifted (api-06c) within the millisecond: judged once, after the instant's last report (README,
    // Event time) — one instance, drifted from 10:20, converged at 10:21.
    expect(of('prod/api')).toEqual([
      'drift_detected firing high L1 prod/api 2026-11-27T10:03:00.000Z',
      'drift_detected resolved high L1 prod/api 2026-11-27T10:03:00.000Z → 2026-11-27T10:04:00.000Z',
      'drift_detected firing high L1 prod/api 2026-11-27T10:10:00.000Z',
      'drift_detected resolved high L1 prod/api 2026-11-27T10:10:00.000Z → 2026-11-27T10:12:00.000Z',
      'drift_detected firing high L1 prod/api 2026-11-27T10:20:00.000Z',
      'drift_detected resolved high L1 prod/api 2026-11-27T10:20:00.000Z → 2026-11-27T10:21:00.000Z',
    ]);
    // Unverified snapshot 10:05:30 (L2 10:10:30, L3 10:20:30; verified one 10:23). Rolled back 10:08 to p1: pp2's
    // own digest p2 stays acceptable until 10:10, r1 still serves it then: drift and rollback_failed (critical)
    // from 10:10, L2 10:15, both end 10:22 when r1 serves p1. r-merge gives out-A and out-B for p1 in
    // [10:10, 10:15): determinism incident at 10:12, L2 10:17, resolved at the end of [10:15, 10:20) (one output).
    expect(of('prod/pay')).toEqual([
      'snapshot_not_verified firing high L1 prod/pay 2026-11-27T10:05:30.000Z',
      'drift_detected firing high L1 prod/pay 2026-11-27T10:10:00.000Z',
      'rollback_failed firing critical L1 prod/pay 2026-11-27T10:10:00.000Z',
      'snapshot_not_verified firing high L2 prod/pay 2026-11-27T10:05:30.000Z',
      'hydration_nondeterminism firing high L1 prod/pay 2026-11-27T10:12:00.000Z',
      'drift_detected firing high L2 prod/pay 2026-11-27T10:10:00.000Z',
      'rollback_failed firing critical L2 prod/pay 2026-11-27T10:10:00.000Z',
      'hydration_nondeterminism firing high L2 prod/pay 2026-11-27T10:12:00.000Z',
      'hydration_nondeterminism resolved high L2 prod/pay 2026-11-27T10:12:00.000Z → 2026-11-27T10:20:00.000Z',
      'snapshot_not_verified firing high L3 prod/pay 2026-11-27T10:05:30.000Z',
      'drift_detected resolved high L2 prod/pay 2026-11-27T10:10:00.000Z → 2026-11-27T10:22:00.000Z',
      'rollback_failed resolved critical L2 prod/pay 2026-11-27T10:10:00.000Z → 2026-11-27T10:22:00.000Z',
      'snapshot_not_verified resolved high L3 prod/pay 2026-11-27T10:05:30.000Z → 2026-11-27T10:23:00.000Z',
    ]);
    // The last event is 10:30; the end of input passes L2 (10:35), L3 (10:45) and r1's expiry (10:45:00.001).
    expect(of('staging/web')).toEqual([
      'drift_detected firing medium L1 staging/web 2026-11-27T10:30:00.000Z',
      'drift_detected firing medium L2 staging/web 2026-11-27T10:30:00.000Z',
      'drift_detected firing medium L3 staging/web 2026-11-27T10:30:00.000Z',
      'drift_detected resolved medium L3 staging/web 2026-11-27T10:30:00.000Z → 2026-11-27T10:45:00.001Z',
    ]);
    expect(shapes).toHaveLength(23); // nothing else: no MTTR breach (no recovery over 30 min), no rate rule
  });

  it('judges the reports of one millisecond together: one instance, one incident, its own ids', async () => {
    const { alerts, incidents } = await replay();
    const api = alerts.filter((a) => a.labels.artifact === 'api');
    expect(new Set(api.map((a) => a.fingerprint)).size).toBe(1);
    const at1020 = api.slice(4);
    expect(at1020.map((a) => a.startsAt)).toEqual(['2026-11-27T10:20:00.000Z', '2026-11-27T10:20:00.000Z']);
    expect(new Set(at1020.map((a) => a.incidentId)).size).toBe(1);
    expect(new Set(api.map((a) => a.incidentId)).size).toBe(3);
    // Each incident id is an incident of incidents.ndjson, and every alertId of the replay is its own.
    const ids = new Set(incidents.map((i) => i.incidentId));
    expect(api.every((a) => ids.has(a.incidentId))).toBe(true);
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(alerts.length);
  });

  it('carries the rule-driven severity, the routing of that severity and the correlation ids', async () => {
    const { alerts } = await replay();
    const first = (rule: string, artifact: string) => alerts.find((a) => a.rule === rule && a.labels.artifact === artifact)!;
    expect(first('rollback_failed', 'pay')).toMatchObject({
      severity: 'critical',
      correlationId: 'corr-rb', // the rollback's
      annotations: { notify: 'On-Call Engineer', channels: 'pagerduty, slack, email', respondWithin: '5m' },
    });
    expect(first('drift_detected', 'api')).toMatchObject({ correlationId: 'corr-api', annotations: { notify: 'On-Call Engineer, Senior Engineer', channels: 'slack, email', respondWithin: '30m' } });
    expect(first('drift_detected', 'web').annotations).toMatchObject({ notify: 'On-Call Engineer, Platform Team', channels: 'slack', respondWithin: '2h' });
    expect(first('hydration_nondeterminism', 'pay').labels).toEqual({ env: 'prod', artifact: 'pay', ruleId: 'r-merge' });
  });

  it("says on a drift's resolution when its sources fell silent rather than converged", async () => {
    // A pager closing a drift page needs to know whether the drift ended or its evidence stopped coming (the replicas
    // crashed, their reports stopped): the incident's reason says which (source_expired), the alert must too.
    const { alerts, incidents } = await replay();
    const reasons = new Map(incidents.map((i) => [i.incidentId, i.reason]));
    const resolved = alerts.filter((a) => a.status === 'resolved' && (a.rule === 'drift_detected' || a.rule === 'rollback_failed'));
    const note = /Resolved because no divergent source has reported for the source TTL \(DRIFTWATCH_SOURCE_TTL\): the drift was not seen to end \(incident reason source_expired\)\.$/;
    expect(resolved.filter((a) => note.test(a.annotations.description)).map((a) => `${a.rule} ${a.labels.env}/${a.labels.artifact}`)).toEqual(['drift_detected staging/web']);
    for (const a of resolved) expect(note.test(a.annotations.description)).toBe(reasons.get(a.incidentId) === 'source_expired');
    // Only the resolution carries it: the firing events of the same instance are as they were.
    const web = alerts.filter((a) => a.labels.artifact === 'web');
    expect(new Set(web.slice(0, 3).map((a) => a.annotations.description)).size).toBe(1);
    expect(web[3]!.annotations.description.startsWith(web[0]!.annotations.description + ' Resolved because')).toBe(true);
  });

  it('emits nothing for a disabled rule, and the others as before', async () => {
    const alertsYaml = 'rules:\n  drift_detected: { enabled: false }\n  snapshot_not_verified: { enabled: false }\n';
    const [{ alerts: all }, { alerts: some }] = [await replay(), await replayFixture(FIXTURE, { alerts: parseAlertsConfig(alertsYaml, 'alerts.yaml') })];
    expect(some.filter((a) => a.rule === 'drift_detected' || a.rule === 'snapshot_not_verified')).toEqual([]);
    const kept = (list: typeof all) => list.filter((a) => a.rule === 'rollback_failed' || a.rule === 'hydration_nondeterminism').map((a) => a.alertId);
    expect(kept(some)).toEqual(kept(all));
    expect(kept(some)).toHaveLength(6);
  });
});
