/**
 * A drift that outlives a rollback is the seed's "critical drift" (README,
 * Alert rules: rollback_failed is the default critical rule). Its incident
 * says so: an incident's severity is drift_detected's classification, raised
 * to rollback_failed's while the desired state comes from a rollback, and
 * never lowered — so the Drift Detection dashboard's severity classification
 * (Critical/High/Medium/Low in the seed) shows it as critical, as its alert is.
 * The alerts keep their own rules' severities.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { replayFixture } from '../helpers/replay-fixture.js';
import { openEmbeddedStore } from '../../store/open-store.js';
import { defaultAlertsConfig } from '../../config/alerts-config.js';

const firing = (alerts: Array<{ rule: string; status: string; severity: string }>) =>
  alerts.filter((a) => a.status === 'firing').map((a) => `${a.rule} ${a.severity}`);

describe('the severity of a drift that outlives a rollback', () => {
  it('is critical from the start when the drift begins after the rollback (rollback.ndjson: prod/pay at 13:10)', async () => {
    const { incidents, alerts } = await replayFixture('rollback.ndjson');
    expect(incidents).toEqual([expect.objectContaining({ env: 'prod', artifact: 'pay', severity: 'critical' })]);
    expect(firing(alerts)).toEqual(['drift_detected high', 'rollback_failed critical']);
  });

  it('rises to critical at the rollback when the drift is older, and stays there (rollback-into-old-drift.ndjson)', async () => {
    const { incidents, alerts, outDir } = await replayFixture('rollback-into-old-drift.ndjson', { store: true });
    expect(incidents).toEqual([expect.objectContaining({ startedAt: '2026-11-27T10:05:00.000Z', severity: 'critical' })]);
    // Its lifecycle (the audit trail keeps every change): opened high at 10:05 (prod: at least high), critical from
    // the update that gives it the rollback's desired state (10:36), resolved critical at 10:45.
    const store = await openEmbeddedStore(join(outDir, 'store'));
    try {
      const rows = await store.query(
        "SELECT toString(at) AS at, action, JSONExtractString(details, 'severity') AS severity, JSONExtractString(details, 'desiredFrom') AS from " +
          "FROM driftwatch.audit_log FINAL WHERE category = 'drift' ORDER BY at",
      );
      expect(rows).toEqual([
        { at: '2026-11-27 10:05:00.000', action: 'incident.opened', severity: 'high', from: 'promotion' },
        { at: '2026-11-27 10:36:00.000', action: 'incident.updated', severity: 'critical', from: 'rollback' },
        { at: '2026-11-27 10:45:00.000', action: 'incident.resolved', severity: 'critical', from: 'rollback' },
      ]);
    } finally {
      await store.close();
    }
    expect(firing(alerts).filter((a) => a.startsWith('drift_detected'))).toEqual(['drift_detected high', 'drift_detected high', 'drift_detected high', 'drift_detected high']);
  });

  it("takes rollback_failed's classification from alerts.yaml: set to high, the incident stays high", async () => {
    const alerts = defaultAlertsConfig();
    alerts.rules.rollback_failed.severity = 'high';
    const { incidents } = await replayFixture('rollback.ndjson', { alerts });
    expect(incidents).toEqual([expect.objectContaining({ env: 'prod', artifact: 'pay', severity: 'high' })]);
  });

  it("is drift_detected's alone with rollback_failed turned off: no critical incident without its critical alert", async () => {
    // A critical incident turns Framework Health's system status RED; with the rule off no critical alert fires.
    const alerts = defaultAlertsConfig();
    alerts.rules.rollback_failed.enabled = false;
    const { incidents, alerts: emitted } = await replayFixture('rollback.ndjson', { alerts });
    expect(firing(emitted)).toEqual(['drift_detected high']);
    expect(incidents).toEqual([expect.objectContaining({ env: 'prod', artifact: 'pay', severity: 'high' })]);
  });
});
