/**
 * Every KPI and trend panel of the five dashboards shows, for the fixed range
 * 2026-12-01 10:00–11:00 UTC of the hand-checked scenario (hand-checked.ts
 * has the timeline), the value computed by hand — not only rows with the
 * right columns. The edges: an incident that started before the range and
 * resolved in it (A), one open at the range's end (C), a promotion that
 * started before the range (p-x) and one that ends after it (p-q), a late
 * event, and 5-minute windows and hours that start exactly at the range's end.
 *
 * Raw-event panels follow the plugin's $__timeFilter, both ends inclusive
 * (the 11:00:00.000 hydration counts); window and rollup panels take the
 * windows that start in [from, to), so a window starting at the range's end —
 * all of it after the range — counts in the next range, not in this one too.
 */
import { describe, it, expect } from 'vitest';
import { replayedStore } from '../../helpers/replayed-store.js';
import { runPanel, type EnvSelection } from './panel-runner.js';
import { at, handCheckedFixture, rangeFrom, rangeTo } from './hand-checked.js';

const s = replayedStore(handCheckedFixture);
const panel = (uid: string, title: string, env: EnvSelection = 'All') => runPanel(s.store, uid, title, env, rangeTo, {}, rangeFrom);
const one = async (uid: string, title: string, env: EnvSelection = 'All') => (await panel(uid, title, env))[0];

describe('Framework Health Overview, 10:00–11:00', () => {
  it('System status YELLOW: C open at the end, success 2/3, gates 1/3, snapshots 1/2, mean duration (4 + 3 + 4) / 3 min', async () => {
    expect(await one('driftwatch-overview', 'System status')).toEqual({
      status: 1, open_incidents: 1, critical_open: 0, critical_firing: 0, mttr_breaches: 0,
      // prod's 1 h rolling MTTR at 11:00: A (20 min, resolved 10:10) and B (6 min): 13 min; C is open 10 min, under 30.
      rolling_mttr_minutes: 13,
      success_rate: 2 / 3, gate_failure_rate: 1 / 3, snapshot_health: 0.5,
      // p-q's 5 minutes ended at 11:03, in the window starting at 11:00: after the range.
      mean_duration_minutes: 11 / 3,
    });
  });

  it('the stats: 1 in flight (p-q), 1 open (C), MTTR of A and B, 4 alert instances first fired in the range', async () => {
    expect(await one('driftwatch-overview', 'Active promotions')).toEqual({ active_promotions: 1 });
    expect(await one('driftwatch-overview', 'Open incidents')).toEqual({ open_incidents: 1 });
    expect(await one('driftwatch-overview', 'Last drift detected')).toEqual({ last_detected: '2026-12-01 10:50:00.000', severity: 'medium', drift_key: 'stage/db', kind: 'state' });
    // A started before the range and counts with its whole 20 minutes; C resolved after it and does not count.
    expect(await one('driftwatch-overview', 'MTTR (target < 30 min)')).toEqual({ mttr_minutes: 13, resolved_incidents: 2 });
    expect(await one('driftwatch-overview', 'Promotion success (target > 95 %)')).toEqual({ success_rate: 2 / 3 });
    // unit passed (p-y, p-z), smoke failed (p-y); p-x's unit at 09:59 is in the 09:55 window.
    expect(await one('driftwatch-overview', 'Gate failure rate (target < 5 %)')).toEqual({ gate_failure_rate: 1 / 3 });
    expect(await one('driftwatch-overview', 'Snapshot health (target 100 %)')).toEqual({ snapshot_health: 0.5 });
    // D (10:12), B (10:20), snapshot_not_verified stage/db (10:32:30), C (10:50); A's alert first fired at 09:50.
    expect(await one('driftwatch-overview', 'Alerts fired')).toEqual({ alerts_fired: 4 });
  });

  it('Drifted keys by environment: the 10:00 hour only, not the 11:00 hour that starts at the range end', async () => {
    const rows = await panel('driftwatch-overview', 'Drifted keys by environment');
    expect(rows.map((r) => [r.time, r.env, r.drifted_keys]).sort()).toEqual([
      ['2026-12-01 10:00:00', 'dev', 0],
      ['2026-12-01 10:00:00', 'prod', 2], // api (A), web (B)
      ['2026-12-01 10:00:00', 'stage', 1], // db (C)
    ]);
  });

  it('Alerts by rule: first firings, resolutions and escalations inside the range', async () => {
    const rows = await panel('driftwatch-overview', 'Alerts by rule');
    expect(rows.map((r) => [r.rule, r.severity, r.firing, r.resolved, r.max_escalation])).toEqual([
      ['drift_detected', 'medium', 1, 0, 2], // C: L1 10:50, L2 10:55, resolves 11:20
      ['drift_detected', 'high', 1, 2, 3], // B fires; A (L3 at 10:05) and B resolve
      ['hydration_nondeterminism', 'high', 1, 1, 2],
      ['snapshot_not_verified', 'high', 1, 0, 3], // 10:32:30, L2 10:37:30, L3 10:47:30
    ]);
  });
});

describe('Drift Detection, 10:00–11:00', () => {
  it('detected in the range: B, C and D (A was detected at 09:50); severity high 2, medium 1', async () => {
    expect(await one('driftwatch-drift', 'Incidents detected')).toEqual({ incidents: 3 });
    expect(await one('driftwatch-drift', 'MTTR (target < 30 min)')).toEqual({ mttr_minutes: 13, resolved_incidents: 2 });
    expect(await one('driftwatch-drift', 'Recovery success (target > 95 %)')).toEqual({ recovery_success: 1, resolved_incidents: 2 });
    const severities = await panel('driftwatch-drift', 'Severity breakdown');
    expect(severities.map((r) => [r.severity, r.incidents])).toEqual([['critical', 0], ['high', 2], ['medium', 1], ['low', 0]]);
  });

  it('Coverage: 3 of the 5 active keys promoted and observed (dev/cfg never promoted, stage/cache neither promoted by 11:00 nor observed)', async () => {
    expect(await one('driftwatch-drift', 'Coverage (target 100 %)')).toEqual({ coverage: 0.6, active_keys: 5, unpromoted_keys: 2, unobserved_keys: 1 });
  });

  it('Rolling MTTR (24 h): prod 20 min from the minute A resolved in, 13 once B resolved; stage none (C resolves after)', async () => {
    const rows = await panel('driftwatch-drift', 'Rolling MTTR (24 h) vs 30 min target');
    expect(new Set(rows.map((r) => r.env))).toEqual(new Set(['prod']));
    const by = Object.fromEntries(rows.map((r) => [String(r.time).slice(11, 16), r.mttr_minutes]));
    expect([by['10:08'], by['10:09'], by['10:24'], by['10:25'], by['10:59']]).toEqual([undefined, 20, 20, 13, 13]);
    expect(rows).toHaveLength(51); // 10:09 … 10:59
  });

  it('Time to resolve and the hotspots: A whole (20 min) where it resolved, C clipped to 10 min inside the range', async () => {
    expect((await panel('driftwatch-drift', 'Time to resolve')).map((r) => [r.time, r.kind, r.worst_recovery_minutes])).toEqual([
      ['2026-12-01 10:10:00', 'state', 20],
      ['2026-12-01 10:20:00', 'determinism', 8],
      ['2026-12-01 10:26:00', 'state', 6],
    ]);
    expect((await panel('driftwatch-drift', 'Drift hotspots')).map((r) => [r.env, r.artifact, r.incidents, r.drifted_minutes])).toEqual([
      ['stage', 'db', 1, 10], // C 10:50 → the range's end
      ['prod', 'api', 1, 10], // A from the range's start → 10:10
      ['dev', 'cfg', 1, 8],
      ['prod', 'web', 1, 6],
    ]);
  });

  it('Daily incidents: the day of the range, and no day that starts at its end (a range ending at midnight)', async () => {
    const daily = (from: string, to: string) => runPanel(s.store, 'driftwatch-drift', 'Daily incidents and worst alert delay', 'All', new Date(to), {}, new Date(from));
    expect((await daily('2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z')).map((r) => [r.time, r.opened, r.resolved])).toEqual([['2026-12-01 00:00:00', 4, 4]]);
    // 30 Nov 00:00 to 1 Dec 00:00: all of 1 Dec lies after the range.
    expect(await daily('2026-11-30T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual([]);
  });

  it('Divergent observations: one ratio per 5-minute window starting in the range, none for the 11:00 window', async () => {
    const rows = await panel('driftwatch-drift', 'Divergent observations by environment');
    expect(rows.map((r) => [String(r.time).slice(11, 16), r.env, r.divergent_ratio])).toEqual([
      ['10:00', 'prod', 0.5], // h1 a0 divergent, h2 w2 ok
      ['10:05', 'prod', 0],
      ['10:10', 'prod', 0],
      ['10:10', 'dev', 0],
      ['10:15', 'dev', 0],
      ['10:20', 'prod', 1],
      ['10:25', 'prod', 0],
      ['10:35', 'stage', 0],
      ['10:40', 'prod', null], // only the late event: no observation counted in a closed window
      ['10:45', 'prod', 0],
      ['10:50', 'stage', 1],
    ]);
  });
});

describe('Promotion Monitoring, 10:00–11:00', () => {
  it('the KPIs: p-x (started before the range) counts, p-q (ends after it) does not', async () => {
    expect(await one('driftwatch-promotions', 'Success rate (target > 95 %)')).toEqual({ success_rate: 2 / 3 });
    expect(await one('driftwatch-promotions', 'Promotions ended')).toEqual({ succeeded: 2, failed: 1, rolled_back: 0 });
    // p-x 240 s + p-y 180 s + p-z 240 s; p-q's 300 s belongs to the 11:00 window.
    expect(await one('driftwatch-promotions', 'Mean duration (target < 5 min)')).toEqual({ mean_duration_s: 220 });
    expect(await one('driftwatch-promotions', 'Gate failure rate (target < 5 %)')).toEqual({ gate_failure_rate: 1 / 3 });
    expect(await one('driftwatch-promotions', 'Snapshot health (target 100 %)')).toEqual({ snapshot_health: 0.5 });
    expect(await one('driftwatch-promotions', 'Rollbacks')).toEqual({ rollbacks: 0 });
    expect(await one('driftwatch-promotions', 'Rollback success (target > 99 %)')).toEqual({ rollback_success: null, rollbacks: 0, failed_rollbacks: 0 });
  });

  it('the trends: a point per window starting in the range, none at 11:00', async () => {
    const hhmm = (rows: Array<Record<string, unknown>>) => rows.map((r) => ({ ...r, time: String(r.time).slice(11, 16) }));
    expect(hhmm(await panel('driftwatch-promotions', 'Promotions'))).toEqual([
      { time: '10:00', started: 0, succeeded: 1, failed: 0, rolled_back: 0 },
      { time: '10:30', started: 1, succeeded: 0, failed: 1, rolled_back: 0 },
      { time: '10:40', started: 1, succeeded: 1, failed: 0, rolled_back: 0 },
      { time: '10:55', started: 1, succeeded: 0, failed: 0, rolled_back: 0 },
    ]);
    expect(hhmm(await panel('driftwatch-promotions', 'Promotion duration vs 5 min target')).map((r) => [r.time, r.mean_s, r.max_s])).toEqual([
      ['10:00', 240, 240],
      ['10:30', 180, 180],
      ['10:40', 240, 240],
    ]);
    expect(hhmm(await panel('driftwatch-promotions', 'Snapshots')).filter((r) => r.verified !== 0 || r.unverified !== 0)).toEqual([
      { time: '10:30', verified: 0, unverified: 1 },
      { time: '10:40', verified: 1, unverified: 0 },
    ]);
    expect(hhmm(await panel('driftwatch-promotions', 'Success rate by environment'))).toEqual([
      { time: '10:00', env: 'prod', success_rate: 1 },
      { time: '10:30', env: 'stage', success_rate: 0 },
      { time: '10:40', env: 'prod', success_rate: 1 },
    ]);
  });

  it('gates and the promotion in flight at the end', async () => {
    expect(await panel('driftwatch-promotions', 'Gate performance')).toEqual([
      { gate: 'smoke', passed_runs: 0, failed_runs: 1, failure_rate: 1, worst_p90_ms: 60000 },
      { gate: 'unit', passed_runs: 2, failed_runs: 0, failure_rate: 0, worst_p90_ms: 20000 },
    ]);
    expect(await panel('driftwatch-promotions', 'Gate failure rate by gate')).toEqual([
      { time: '2026-12-01 10:00:00', gate: 'smoke', failure_rate: 1 },
      { time: '2026-12-01 10:00:00', gate: 'unit', failure_rate: 0 },
    ]);
    expect(await panel('driftwatch-promotions', 'Active promotions (in flight)')).toMatchObject([
      { env: 'stage', artifact: 'cache', promotion_id: 'p-q', started_at: '2026-12-01 10:58:00.000', last_step: 'started', running_minutes: 2 },
    ]);
  });
});

describe('Hydration Rules and Operational Metrics, 10:00–11:00', () => {
  it('determinism, consistency and errors', async () => {
    expect(await one('driftwatch-hydration', 'Determinism incidents')).toEqual({ determinism_incidents: 1 });
    // ok hydrations by (key, rule, input, 5-minute window), 10:00 to 11:00:00 inclusive: 12 groups, c1 in 10:10 gave two outputs.
    expect(await one('driftwatch-hydration', 'Output consistency')).toEqual({ consistency: 11 / 12 });
    expect(await panel('driftwatch-hydration', 'Rules by output consistency')).toEqual([
      { rule_id: 'r-merge', input_windows: 2, inconsistent: 1, consistency: 0.5 },
      { rule_id: 'r-render', input_windows: 10, inconsistent: 0, consistency: 1 },
    ]);
    // Windows starting 10:00–10:55 counted 12 hydrations, one failed (the late 10:30 one counts in no window, SPEC §4.7).
    expect(await one('driftwatch-hydration', 'Hydration error rate')).toEqual({ hydration_error_rate: 1 / 12 });
    expect(await one('driftwatch-operations', 'Index error rate')).toEqual({ index_error_rate: 1 / 3 });
    expect(await one('driftwatch-operations', 'Late events')).toEqual({ late_events: 1 });
    expect(await one('driftwatch-operations', 'Index latency SLA (≤ 100 ms)')).toEqual({ within_sla: 2 / 3, index_ops: 3 });
    expect((await panel('driftwatch-operations', 'Error patterns')).map((r) => [r.source, r.operation, r.pattern, r.errors])).toEqual([
      ['index', 'read', '(no shard)', 1],
      ['hydration', 'r-render', 'timeout after # ms', 1],
    ]);
  });

  it('per-second rates over a range whose ends cut a minute: events over the seconds inside the range', async () => {
    const rows = await runPanel(s.store, 'driftwatch-operations', 'Throughput (events/s by type)', 'All', at('10:40:45'), {}, at('10:32:15'));
    expect(rows.map((r) => [String(r.time).slice(11, 16), r.type, r.events_per_s])).toEqual([
      ['10:32', 'promotion', 1 / 45], // p-y's snapshot at 10:32:30; its smoke gate at 10:32:00 is before the range
      ['10:33', 'promotion', 1 / 60],
      ['10:35', 'hydration', 1 / 60],
      ['10:36', 'index', 1 / 60],
      ['10:40', 'promotion', 2 / 45], // p-z started 10:40:00, gate 10:40:30
    ]);
  });
});
