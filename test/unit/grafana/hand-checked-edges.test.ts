/**
 * The hand-checked scenario's range (hand-checked.ts) at the edges where a
 * dashboard's numbers usually go wrong, each checked against a hand
 * computation:
 * - no data vs 0 % vs 100 %: an env with no promotions (dev), one whose only
 *   ended promotion failed (stage), one whose all succeeded (prod);
 * - every row stored twice, unmerged (a second replay into the store, a
 *   restart redoing writes): every panel and analyst query unchanged;
 * - two engine instances' shares of the per-env tables: counts add up;
 * - the session time zone of the store (a server's `timezone`): every panel
 *   and analyst query unchanged, times included.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { replayedStore } from '../../helpers/replayed-store.js';
import { bindQueryParams } from '../queries/query-params.js';
import { expandGrafanaSql } from './grafana-macros.js';
import { panelContext, panelTargets, runPanel, type EnvSelection } from './panel-runner.js';
import { handCheckedFixture, rangeFrom, rangeParams, rangeTo } from './hand-checked.js';

const s = replayedStore(handCheckedFixture);
const one = async (uid: string, title: string, env: EnvSelection = 'All') => (await runPanel(s.store, uid, title, env, rangeTo, {}, rangeFrom))[0];

const queriesDir = new URL('../../../sql/queries/', import.meta.url);
const queryExtras: Record<string, Record<string, number>> = { 'drift-hotspots.sql': { limit: 20 }, 'rollbacks-and-recovery.sql': { horizon_minutes: 60 } };

/** Every panel target and analyst query over the range, by name; `timeZone` sets the session's. */
async function everything(timeZone?: string): Promise<Record<string, unknown>> {
  const inZone = (sql: string) => (timeZone === undefined ? sql : `${sql}\nSETTINGS session_timezone = '${timeZone}'`);
  const out: Record<string, unknown> = {};
  for (const t of panelTargets) out[t.key] = await s.store.query(inZone(expandGrafanaSql(t.target.rawSql!, panelContext(t.dashboard, t.panel, 'All', rangeTo, {}, rangeFrom))));
  for (const file of readdirSync(queriesDir).filter((f) => f.endsWith('.sql'))) {
    const sql = readFileSync(new URL(file, queriesDir), 'utf8').trim().replace(/;$/, '');
    out[file] = await s.store.query(inZone(bindQueryParams(sql, { ...rangeParams, ...queryExtras[file] })));
  }
  return out;
}

describe('hand-checked scenario, 10:00–11:00: edges', () => {
  it('no data, 0 % and 100 %: dev has no promotion KPI, stage 0 % success, prod 100 %', async () => {
    const kpis = async (env: string) => ({
      success: (await one('driftwatch-promotions', 'Success rate (target > 95 %)', [env]))!.success_rate,
      gates: (await one('driftwatch-promotions', 'Gate failure rate (target < 5 %)', [env]))!.gate_failure_rate,
      snapshots: (await one('driftwatch-promotions', 'Snapshot health (target 100 %)', [env]))!.snapshot_health,
      mean_s: (await one('driftwatch-promotions', 'Mean duration (target < 5 min)', [env]))!.mean_duration_s,
      ended: await one('driftwatch-promotions', 'Promotions ended', [env]),
      status: (await one('driftwatch-overview', 'System status', [env]))!.status,
    });
    // dev ran hydrations only: no promotion KPI is 0 % or 100 %, and it is GREEN (its D resolved at 10:20).
    expect(await kpis('dev')).toEqual({ success: null, gates: null, snapshots: null, mean_s: null, ended: { succeeded: null, failed: null, rolled_back: null }, status: 0 });
    // stage: p-y failed (p-q ended after the range); unit passed, smoke failed; its snapshot not verified; C open: YELLOW.
    expect(await kpis('stage')).toEqual({ success: 0, gates: 0.5, snapshots: 0, mean_s: 180, ended: { succeeded: 0, failed: 1, rolled_back: 0 }, status: 1 });
    // prod: p-x and p-z succeeded; p-z's unit gate passed; its snapshot verified; (240 + 240) / 2 s; nothing open: GREEN.
    expect(await kpis('prod')).toEqual({ success: 1, gates: 0, snapshots: 1, mean_s: 240, ended: { succeeded: 2, failed: 0, rolled_back: 0 }, status: 0 });
  });

  it('reads every panel and analyst query alike in any session time zone', async () => {
    const utc = await everything();
    // Nepal is UTC+05:45 and Newfoundland UTC−03:30: neither whole hours nor the same sign.
    for (const timeZone of ['Asia/Kathmandu', 'America/St_Johns']) {
      const other = await everything(timeZone);
      for (const key of Object.keys(utc)) expect(other[key], `${key} in ${timeZone}`).toEqual(utc[key]);
    }
  });

  it('shows the same with every row stored twice and not merged', async () => {
    const once = await everything();
    const tables = (await s.store.query<{ name: string }>("SELECT name FROM system.tables WHERE database = 'driftwatch' AND engine = 'ReplacingMergeTree'")).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['incidents', 'alerts', 'promotion_outcomes', 'promotion_windows', 'gate_windows', 'env_windows', 'drift_windows', 'mttr_snapshots']));
    for (const t of tables) {
      await s.store.command(`SYSTEM STOP MERGES driftwatch.${t}`);
      await s.store.command(`INSERT INTO driftwatch.${t} SELECT * FROM driftwatch.${t} SETTINGS insert_deduplicate = 0`);
    }
    const [{ n }] = await s.store.query<{ n: number }>('SELECT count() AS n FROM driftwatch.incidents');
    expect(Number(n)).toBeGreaterThan(4); // each incident's opened/resolved rows, twice over
    const twice = await everything();
    for (const key of Object.keys(once)) expect(twice[key], key).toEqual(once[key]);
    for (const t of tables) await s.store.command(`SYSTEM START MERGES driftwatch.${t}`);
  });

  it("adds up two instances' shares of the per-env tables (README, Known limits)", async () => {
    // A second instance's share: it saw one more prod promotion end in the 10:40 window (120 s, snapshot not verified),
    // one more smoke run pass in stage's 10:30 window, and 3 hydrations (1 failed) and 1 index op in prod's 10:05 window.
    await s.store.command(`INSERT INTO driftwatch.promotion_windows (window_start, window_end, env, instance_id, started, succeeded, promotions_ended,
      duration_count, duration_sum_ms, duration_p50_ms, duration_p90_ms, duration_max_ms, snapshots_verified, snapshots_unverified)
      VALUES ('2026-12-01 10:40:00.000', '2026-12-01 10:45:00.000', 'prod', 'engine-b', 1, 1, 1, 1, 120000, 120000, 120000, 120000, 0, 1)`);
    await s.store.command(`INSERT INTO driftwatch.gate_windows (window_start, window_end, env, gate, instance_id, passed, failed, duration_p50_ms, duration_p90_ms)
      VALUES ('2026-12-01 10:30:00.000', '2026-12-01 10:35:00.000', 'stage', 'smoke', 'engine-b', 1, 0, 5000, 5000)`);
    await s.store.command(`INSERT INTO driftwatch.env_windows (window_start, window_end, env, instance_id, observations, divergent_observations, hydrations, hydration_errors, index_ops, index_errors, late_events)
      VALUES ('2026-12-01 10:05:00.000', '2026-12-01 10:10:00.000', 'prod', 'engine-b', 2, 0, 3, 1, 1, 0, 0)`);
    // (240 + 180 + 240 + 120) s / 4; snapshots 1 of 3; gates 1 failed of 4 runs; hydrations 2 failed of 15; index 1 of 4.
    expect(await one('driftwatch-promotions', 'Mean duration (target < 5 min)')).toEqual({ mean_duration_s: 195 });
    expect(await one('driftwatch-promotions', 'Snapshot health (target 100 %)')).toEqual({ snapshot_health: 1 / 3 });
    expect(await one('driftwatch-promotions', 'Gate failure rate (target < 5 %)')).toEqual({ gate_failure_rate: 0.25 });
    expect(await one('driftwatch-hydration', 'Hydration error rate')).toEqual({ hydration_error_rate: 2 / 15 });
    expect(await one('driftwatch-operations', 'Index error rate')).toEqual({ index_error_rate: 0.25 });
    expect((await runPanel(s.store, 'driftwatch-promotions', 'Gate performance', 'All', rangeTo, {}, rangeFrom))[0]).toMatchObject({ gate: 'smoke', passed_runs: 1, failed_runs: 1, failure_rate: 0.5 });
    // The hourly rollup (maxMap per window and instance) keeps both shares of the 10:30 window.
    expect(await runPanel(s.store, 'driftwatch-promotions', 'Gate failure rate by gate', 'All', rangeTo, {}, rangeFrom)).toEqual([
      { time: '2026-12-01 10:00:00', gate: 'smoke', failure_rate: 0.5 },
      { time: '2026-12-01 10:00:00', gate: 'unit', failure_rate: 0 },
    ]);
    const promotions = await runPanel(s.store, 'driftwatch-promotions', 'Promotions', 'All', rangeTo, {}, rangeFrom);
    expect(promotions.find((r) => r.time === '2026-12-01 10:40:00')).toEqual({ time: '2026-12-01 10:40:00', started: 2, succeeded: 2, failed: 0, rolled_back: 0 });
  });
});
