/**
 * The incident panels show a past range as it stood at its end: each incident's severity, resolution, digests
 * as of $__toTime, not as they stand now. Fixture incidents-as-of-range-end.ndjson (2026-12-01, UTC), hand-checked:
 *   dev/cfg   r-merge gives o1 (10:36) then o2 (10:37) for c1: determinism incident Q opens at 10:37, high;
 *             o3 and o1 in the 11:00 window (11:02, 11:03): Q names o1, o2, o3 from 11:03; one output in the
 *             11:05 window (11:06): Q resolves at 11:10, consistent
 *   prod/pay  p-1 promotes d1 (09:41); h1 runs x9 at 10:40: state incident P opens, high (prod), expected d1;
 *             h2 runs x8 at 10:55, h3 x7 at 11:00:00 (the range's last instant): P names x8, x9, then x7, x8, x9;
 *             p-2 promotes d2 at 11:11 (P expects d2), rolled back to d1 at 11:12: P becomes critical;
 *             h1 runs d1 at 11:20: P resolves, converged, 40 min
 * Over 10:00–11:00 both are open, both high, and the 11:00:00 change counts (the range's end is inclusive, as
 * for open incidents). The store's incidents table holds only each incident's latest row (written in one batch,
 * or merged), so a panel that read it alone showed P critical and resolved at 11:20 over 10:00–11:00, System
 * status RED; the changes up to the range's end are in audit_log.
 */
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { replayedStore } from '../../helpers/replayed-store.js';
import { runPanel } from './panel-runner.js';
import { at } from './hand-checked.js';

const s = replayedStore(fileURLToPath(new URL('./fixtures/incidents-as-of-range-end.ndjson', import.meta.url)));
const panel = (uid: string, title: string, to: string, from = '10:00:00') => runPanel(s.store, uid, title, 'All', at(to), {}, at(from));

const incidentsTable = async (to: string) =>
  (await panel('driftwatch-drift', 'Incidents (resolution tracking)', to)).map((r) => [r.kind, r.severity, r.resolved_at, r.reason, r.recovery_minutes, r.expected_digest, r.divergent_digests]);
const nondeterministicRules = async (to: string) =>
  (await panel('driftwatch-hydration', 'Nondeterministic rules', to)).map((r) => [r.severity, r.resolved_at, r.reason, r.outputs, r.more_outputs]);

describe('incident panels as of the end of the range', () => {
  it('the replay: P critical from 11:12, resolved 11:20; Q resolved 11:10 — the incidents table keeps only that', async () => {
    // Without FINAL: the replay wrote each incident's changes in one batch, collapsed to the latest as inserted, so the
    // panels below must take the earlier states from audit_log (were the rows kept, they would not be tested here).
    const rows = await s.store.query('SELECT kind, severity, resolved_at, changed_at FROM driftwatch.incidents ORDER BY kind');
    expect(rows).toEqual([
      { kind: 'determinism', severity: 'high', resolved_at: '2026-12-01 11:10:00.000', changed_at: '2026-12-01 11:10:00.000' },
      { kind: 'state', severity: 'critical', resolved_at: '2026-12-01 11:20:00.000', changed_at: '2026-12-01 11:20:00.000' },
    ]);
  });

  it('System status: YELLOW over 10:00–11:00 (P open and high then, 20 min), RED once P is critical', async () => {
    expect(await panel('driftwatch-overview', 'System status', '11:00:00')).toMatchObject([{ status: 1, open_incidents: 2, critical_open: 0, critical_firing: 0, mttr_breaches: 0 }]);
    // 11:12: critical, and the rollback_failed alert fires; P is 32 minutes open too (an MTTR breach).
    expect(await panel('driftwatch-overview', 'System status', '11:15:00')).toMatchObject([{ status: 2, open_incidents: 1, critical_open: 1, critical_firing: 1 }]);
    expect(await panel('driftwatch-overview', 'System status', '11:11:30')).toMatchObject([{ open_incidents: 1, critical_open: 0, critical_firing: 0 }]);
  });

  it('Last drift detected: P, high as of 11:00, critical as of 11:30', async () => {
    expect(await panel('driftwatch-overview', 'Last drift detected', '11:00:00')).toEqual([{ last_detected: '2026-12-01 10:40:00.000', severity: 'high', drift_key: 'prod/pay', kind: 'state' }]);
    expect(await panel('driftwatch-overview', 'Last drift detected', '11:30:00')).toEqual([{ last_detected: '2026-12-01 10:40:00.000', severity: 'critical', drift_key: 'prod/pay', kind: 'state' }]);
  });

  it('Severity breakdown and Incidents detected by severity: both high over 10:00–11:00; P critical over 10:00–12:00', async () => {
    const breakdown = async (to: string) => (await panel('driftwatch-drift', 'Severity breakdown', to)).map((r) => [r.severity, r.incidents]);
    expect(await breakdown('11:00:00')).toEqual([['critical', 0], ['high', 2], ['medium', 0], ['low', 0]]);
    expect(await breakdown('12:00:00')).toEqual([['critical', 1], ['high', 1], ['medium', 0], ['low', 0]]);
    expect(await panel('driftwatch-drift', 'Incidents detected by severity', '11:00:00')).toEqual([
      { time: '2026-12-01 10:37:00', severity: 'high', incidents: 1 },
      { time: '2026-12-01 10:40:00', severity: 'high', incidents: 1 },
    ]);
  });

  it('Incidents (resolution tracking): open, high, the digests named by 11:00:00; resolved with the later changes over 10:00–12:00', async () => {
    expect(await incidentsTable('11:00:00')).toEqual([
      ['state', 'high', null, null, null, 'd1', ['x7', 'x8', 'x9']],
      ['determinism', 'high', null, null, null, null, ['o1', 'o2']],
    ]);
    // 11:11:30: P judged against p-2's d2, not yet the rollback's d1.
    expect((await incidentsTable('11:11:30'))[0]).toEqual(['state', 'high', null, null, null, 'd2', ['x7', 'x8', 'x9']]);
    expect(await incidentsTable('12:00:00')).toEqual([
      ['state', 'critical', '2026-12-01 11:20:00.000', 'converged', 40, 'd1', ['x7', 'x8', 'x9']],
      ['determinism', 'high', '2026-12-01 11:10:00.000', 'consistent', 33, null, ['o1', 'o2', 'o3']],
    ]);
  });

  it('Nondeterministic rules: Q open with two outputs over 10:00–11:00, resolved with three over 10:00–12:00', async () => {
    expect(await nondeterministicRules('11:00:00')).toEqual([['high', null, null, ['o1', 'o2'], null]]);
    expect(await nondeterministicRules('12:00:00')).toEqual([['high', '2026-12-01 11:10:00.000', 'consistent', ['o1', 'o2', 'o3'], null]]);
  });

  it('the counts that needed no change: open incidents and drift hotspots already read the resolution against the end', async () => {
    expect(await panel('driftwatch-overview', 'Open incidents', '11:00:00')).toEqual([{ open_incidents: 2 }]);
    const hotspots = await panel('driftwatch-drift', 'Drift hotspots', '11:00:00');
    expect(hotspots.map((r) => [r.env, r.artifact, r.drifted_minutes])).toEqual([['dev', 'cfg', 23], ['prod', 'pay', 20]]);
  });
});
