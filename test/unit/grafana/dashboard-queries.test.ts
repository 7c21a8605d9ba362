/**
 * Every panel query of every dashboard runs on the embedded engine (chDB,
 * ClickHouse 26.x) after a replay of all scenarios: macros expanded as the
 * ClickHouse plugin does (grafana-macros.ts), at least one row, and the
 * columns each panel's visualisation relies on.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../../store/open-store.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { expandGrafanaSql, parseGrafanaInterval } from './grafana-macros.js';
import { replayScenario, scenarioEventTo, scenarioFrom, scenarioTo, seedEngineMetrics } from './scenario.js';
import { dashboards, envOptionValue, envOptions, panelContext, panelTargets as targets, runEachDistinct, runPanel, type EnvSelection, type VariableChoices } from './panel-runner.js';

/** Columns each target returns, in order; keyed "<dashboard uid>/<panel title>/<refId>". */
const expectedColumns: Record<string, string[]> = {
  'driftwatch-overview/System status/A': [
    'status', 'open_incidents', 'critical_open', 'critical_firing', 'mttr_breaches', 'rolling_mttr_minutes', 'success_rate', 'gate_failure_rate',
    'snapshot_health', 'mean_duration_minutes',
  ],
  'driftwatch-overview/Active promotions/A': ['active_promotions'],
  'driftwatch-overview/Open incidents/A': ['open_incidents'],
  'driftwatch-overview/Last drift detected/A': ['last_detected', 'severity', 'drift_key', 'kind'],
  'driftwatch-overview/Uptime (engine availability)/A': ['availability'],
  'driftwatch-overview/MTTR (target < 30 min)/A': ['mttr_minutes', 'resolved_incidents'],
  'driftwatch-overview/Alert delay p90, wall clock (target < 5 min)/A': ['delay_p90_s', 'delay_max_s'],
  'driftwatch-overview/Promotion success (target > 95 %)/A': ['success_rate'],
  'driftwatch-overview/Gate failure rate (target < 5 %)/A': ['gate_failure_rate'],
  'driftwatch-overview/Snapshot health (target 100 %)/A': ['snapshot_health'],
  'driftwatch-overview/Alerts fired/A': ['alerts_fired'],
  'driftwatch-overview/Drifted keys by environment/A': ['time', 'env', 'drifted_keys'],
  'driftwatch-overview/Alerts by rule/A': ['rule', 'severity', 'firing', 'resolved', 'max_escalation', 'last_event'],

  'driftwatch-drift/Incidents detected/A': ['incidents'],
  'driftwatch-drift/Worst alert delay, wall clock (target < 5 min)/A': ['worst_delay_s'],
  'driftwatch-drift/MTTR (target < 30 min)/A': ['mttr_minutes', 'resolved_incidents'],
  'driftwatch-drift/Recovery success (target > 95 %)/A': ['recovery_success', 'resolved_incidents'],
  'driftwatch-drift/Coverage (target 100 %)/A': ['coverage', 'active_keys', 'unpromoted_keys', 'unobserved_keys'],
  'driftwatch-drift/Severity breakdown/A': ['severity', 'incidents'],
  'driftwatch-drift/Incidents detected by severity/A': ['time', 'severity', 'incidents'],
  'driftwatch-drift/Alert delay, wall clock (live mode) vs 5 min target/A': ['time', 'worst_delay_s', 'p90_delay_s'],
  'driftwatch-drift/Rolling MTTR (24 h) vs 30 min target/A': ['time', 'env', 'mttr_minutes'],
  'driftwatch-drift/Time to resolve/A': ['time', 'kind', 'worst_recovery_minutes'],
  'driftwatch-drift/Incidents (resolution tracking)/A': [
    'started_at', 'detected_at', 'resolved_at', 'kind', 'severity', 'env', 'artifact', 'rule_id',
    'alert_delay_s', 'recovery_minutes', 'reason', 'expected_digest', 'divergent_digests', 'more_digests', 'correlation_id',
  ],
  'driftwatch-drift/Divergent observations by environment/A': ['time', 'env', 'divergent_ratio'],
  'driftwatch-drift/Daily incidents and worst alert delay/A': ['time', 'opened', 'resolved', 'worst_delay_s'],
  'driftwatch-drift/Drift hotspots/A': ['env', 'artifact', 'incidents', 'state_incidents', 'determinism_incidents', 'drifted_minutes', 'last_detected'],

  'driftwatch-promotions/Success rate (target > 95 %)/A': ['success_rate'],
  'driftwatch-promotions/Promotions ended/A': ['succeeded', 'failed', 'rolled_back'],
  'driftwatch-promotions/Mean duration (target < 5 min)/A': ['mean_duration_s'],
  'driftwatch-promotions/Gate failure rate (target < 5 %)/A': ['gate_failure_rate'],
  'driftwatch-promotions/Snapshot health (target 100 %)/A': ['snapshot_health'],
  'driftwatch-promotions/Rollbacks/A': ['rollbacks'],
  'driftwatch-promotions/Rollback success (target > 99 %)/A': ['rollback_success', 'rollbacks', 'failed_rollbacks'],
  'driftwatch-promotions/Success rate by environment/A': ['time', 'env', 'success_rate'],
  'driftwatch-promotions/Promotions/A': ['time', 'started', 'succeeded', 'failed', 'rolled_back'],
  'driftwatch-promotions/Promotion duration vs 5 min target/A': ['time', 'mean_s', 'worst_window_p90_s', 'max_s'],
  'driftwatch-promotions/Snapshots/A': ['time', 'verified', 'unverified'],
  'driftwatch-promotions/Gate performance/A': ['gate', 'passed_runs', 'failed_runs', 'failure_rate', 'worst_p90_ms'],
  'driftwatch-promotions/Gate failure rate by gate/A': ['time', 'gate', 'failure_rate'],
  'driftwatch-promotions/Rollback events/A': [
    'occurred_at', 'env', 'artifact', 'promotion_id', 'rollback_version', 'rollback_digest', 'actor', 'reason', 'correlation_id',
  ],
  'driftwatch-promotions/Active promotions (in flight)/A': [
    'env', 'artifact', 'promotion_id', 'version', 'actor', 'started_at', 'last_step', 'last_step_at', 'gates_passed', 'gates_failed', 'snapshot',
    'running_minutes',
  ],

  'driftwatch-hydration/Determinism incidents/A': ['determinism_incidents'],
  'driftwatch-hydration/Output consistency/A': ['consistency'],
  'driftwatch-hydration/Input validation success/A': ['validation_success'],
  'driftwatch-hydration/Hydration error rate/A': ['hydration_error_rate'],
  'driftwatch-hydration/Rules by output consistency/A': ['rule_id', 'input_windows', 'inconsistent', 'consistency'],
  'driftwatch-hydration/Nondeterministic rules/A': ['started_at', 'resolved_at', 'env', 'artifact', 'rule_id', 'input_digest', 'outputs', 'more_outputs', 'severity', 'reason'],
  'driftwatch-hydration/Rule executions per second/A': ['time', 'status', 'executions_per_s'],
  'driftwatch-hydration/Rule duration (p50 / p90) by rule/A': ['time', 'rule_id', 'p50_ms', 'p90_ms'],
  'driftwatch-hydration/Hydration error rate by environment/A': ['time', 'env', 'hydration_error_rate'],
  'driftwatch-hydration/Input records: accepted vs rejected/A': ['time', 'accepted_records', 'rejected_records', 'rejection_rate'],
  'driftwatch-hydration/Dead letters by reason/A': ['failed_check', 'records', 'example_reason', 'last_seen'],

  'driftwatch-operations/Engine heartbeat/A': ['seconds_since_last_metric'],
  'driftwatch-operations/Consumer lag (records)/A': ['consumer_lag'],
  'driftwatch-operations/Index error rate/A': ['index_error_rate'],
  'driftwatch-operations/Late events/A': ['late_events'],
  'driftwatch-operations/Index latency SLA (≤ 100 ms)/A': ['within_sla', 'index_ops'],
  'driftwatch-operations/Engine metrics (latest value)/A': ['name', 'labels', 'last_value', 'last_seen'],
  'driftwatch-operations/Throughput (events/s by type)/A': ['time', 'type', 'events_per_s'],
  'driftwatch-operations/Index latency (p50 / p90 / p99) vs 100 ms/A': ['time', 'op', 'p50_ms', 'p90_ms', 'p99_ms'],
  'driftwatch-operations/Error rates/A': ['time', 'index_error_rate', 'hydration_error_rate'],
  'driftwatch-operations/Late and dead-lettered records/A': ['time', 'source', 'records'],
  'driftwatch-operations/Error patterns/A': ['source', 'operation', 'pattern', 'errors', 'instances', 'keys', 'first_seen', 'last_seen', 'example'],
  'driftwatch-operations/Consumer lag by topic/A': ['time', 'topic', 'consumer_lag'],
  'driftwatch-operations/Watermark delay/A': ['time', 'watermark_delay_ms'],
  'driftwatch-operations/Engine memory/A': ['time', 'resident_memory_bytes'],
  'driftwatch-operations/Engine CPU/A': ['time', 'cpu_cores'],
  'driftwatch-operations/Store write backlog/A': ['time', 'pending_rows'],
  'driftwatch-operations/Engine disk I/O/A': ['time', 'direction', 'bytes_per_s'],
  'driftwatch-operations/Network traffic/A': ['time', 'direction', 'bytes_per_s'],
};

/** Panels whose rows describe the state at the end of the range and have none at the scenario's end: an end where they do. */
const rangeEndWithRows: Record<string, Date> = {
  // Every promotion of the scenario has ended by its end; p-10 (qa) runs from 14:40:00 to 14:41:00.
  'driftwatch-promotions/Active promotions (in flight)/A': new Date('2026-11-27T14:40:45.000Z'),
};

let store: ChdbTransport;

beforeAll(async () => {
  const { outDir } = await replayScenario();
  store = await openEmbeddedStore(join(outDir, 'store'));
  await seedEngineMetrics(store);
});

afterAll(async () => {
  await store?.close();
});

const run = (panelTitle: string, uid: string, env: EnvSelection = 'All', to?: Date, choices?: VariableChoices) =>
  runPanel(store, uid, panelTitle, env, to, choices);

describe('dashboard panel queries on the embedded engine', () => {
  it('declares the expected columns of every target, and nothing else', () => {
    expect(targets.map((t) => t.key).sort()).toEqual(Object.keys(expectedColumns).sort());
  });

  for (const { key, dashboard, panel, target } of targets) {
    it(`${key} returns rows with its columns`, async () => {
      const rows = await store.query(expandGrafanaSql(target.rawSql!, panelContext(dashboard, panel, 'All', rangeEndWithRows[key])));
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(Object.keys(rows[0]!)).toEqual(expectedColumns[key]);
      if (target.format === 0) {
        expect(Object.keys(rows[0]!)[0]).toBe('time');
        // The plugin (sqlds) turns a long time series into a wide one with data.LongToWide, which refuses rows
        // not in ascending time ("long series must be sorted ascending by time to be converted").
        const times = rows.map((r) => new Date(`${String(r.time).replace(' ', 'T')}Z`).getTime());
        expect(times.every((t) => !Number.isNaN(t)), `${key}: time values`).toBe(true);
        expect(times.every((t, i) => i === 0 || times[i - 1]! <= t), `${key}: rows in ascending time`).toBe(true);
      }
    });
  }

  it('every target also runs with one and with two environments selected', async () => {
    const to = scenarioTo();
    await runEachDistinct(
      store,
      [['prod'], ['prod', 'qa']].flatMap((env) =>
        targets.map(({ key, dashboard, panel, target }) => ({ what: `${key} env=${env.join('+')}`, sql: expandGrafanaSql(target.rawSql!, panelContext(dashboard, panel, env, to)) })),
      ),
    );
  });

  it("every target also runs at the other intervals Grafana derives from the range and the panel's width (1 s to 1 h)", async () => {
    // The per-target test uses one minute; Grafana's interval is range / max data points, rounded, floored at the
    // panel's min interval, and $__timeInterval, $__interval_s take it (20 s for 6 h on a half-width panel).
    const to = scenarioTo();
    await runEachDistinct(
      store,
      [1000, 20_000, 3_600_000].flatMap((ms) =>
        targets.map(({ key, dashboard, panel, target }) => {
          const intervalMs = Math.max(panel.interval ? parseGrafanaInterval(panel.interval) : 0, ms);
          return { what: `${key} interval=${intervalMs} ms`, sql: expandGrafanaSql(target.rawSql!, { ...panelContext(dashboard, panel, 'All', to), intervalMs }) };
        }),
      ),
    );
  });

  it('every target also runs with each value of the custom variables (mttr_window, mttr_threshold_minutes)', async () => {
    const to = scenarioTo();
    await runEachDistinct(
      store,
      targets.flatMap(({ key, dashboard, panel, target }) =>
        dashboard.templating!.list
          .filter((x) => x.type === 'custom')
          .flatMap((v) => v.options!.map((o) => ({ what: `${key} ${v.name}=${o.value}`, sql: expandGrafanaSql(target.rawSql!, panelContext(dashboard, panel, 'All', to, { [v.name]: [o.value] })) }))),
      ),
    );
  });

  it('a custom variable\'s value is data whatever a link puts in it: quotes and backslashes are neither SQL nor dropped', async () => {
    // var-mttr_window=… can carry any text (Grafana keeps a value from the URL). No MTTR window is called any of
    // these, so there is no rolling MTTR — where 24h, had the quote or backslash been dropped, has one.
    const status = async (choices: VariableChoices) => (await run('System status', 'driftwatch-overview', 'All', undefined, choices))[0]!;
    expect(await status({ mttr_window: ['24h'] })).toMatchObject({ rolling_mttr_minutes: expect.closeTo((7 + 95 / 6 + 3) / 3, 4) });
    for (const window of ["24h'", '24h\\', "24h' OR '1'='1", '24h\\\' OR 1 --']) {
      expect(await status({ mttr_window: [window] }), window).toMatchObject({ rolling_mttr_minutes: null, mttr_breaches: 0 });
    }
    // A threshold is a whole number of minutes: anything else is refused as a value by toUInt32, not run as SQL.
    for (const threshold of ['5\\', "5' OR '1'='1"]) {
      await expect(status({ mttr_threshold_minutes: [threshold] }), threshold).rejects.toThrow(/Cannot parse string/);
    }
  });

  it('the env variable query lists the scenario environments, each with its hex(env) value', async () => {
    expect(envOptionValue('prod')).toBe('70726F64');
    for (const d of dashboards) {
      const options = await envOptions(store, d, scenarioFrom, scenarioTo());
      expect(options, d.uid).toEqual(['dev', 'prod', 'qa', 'staging'].map((text) => ({ text, value: envOptionValue(text) })));
    }
  });
});

describe('KPI panels show the hand-checked values of the scenario', () => {
  it('overview: MTTR 8.08 min, success 7/10, gate failures 2/5, snapshots 1/2, status YELLOW', async () => {
    // State incidents resolved: 7 + 6.5 + 15.83 (+1 ms: the canary is forgotten once silent for longer than the TTL) + 3
    // minutes (prod/api, staging/web, prod/search, prod/pay).
    const mttr = { mttr_minutes: expect.closeTo((97 / 12) + 1 / 240_000, 9), resolved_incidents: 4 };
    expect(await run('MTTR (target < 30 min)', 'driftwatch-overview')).toEqual([mttr]);
    // The drift dashboard's MTTR is the same figure: avg(recovery_ms) of the state incidents (the dev/cfg determinism
    // incident is not a recovery).
    expect(await run('MTTR (target < 30 min)', 'driftwatch-drift')).toEqual([mttr]);
    const [status] = await run('System status', 'driftwatch-overview');
    // Nothing open at the end, and every env's rolling 1 h MTTR has emptied (null); promotions ended: 8 succeeded, 2
    // failed, 1 rolled back — but p-7 (rollback fixture) succeeded and was rolled back: it ended once and is no
    // success, so 7 / 10 < 95 % → YELLOW (1). Before rolled_back_after_success this read 8 / 11.
    expect(status).toEqual({
      status: 1, open_incidents: 0, critical_open: 0, critical_firing: 0, mttr_breaches: 0, rolling_mttr_minutes: null,
      success_rate: expect.closeTo(7 / 10, 9), gate_failure_rate: expect.closeTo(2 / 5, 9),
      // Snapshots: qa's p-9 verified, p-10 not. Durations, started → terminal: 30 + 60 + 40 + 30 + 70 (p-5 failed) + 30 +
      // 60 + 20 + 60 + 60 (p-10 failed) = 460 s over 10 promotions.
      snapshot_health: 0.5, mean_duration_minutes: expect.closeTo(46 / 60, 9),
    });
    expect(await run('Promotion success (target > 95 %)', 'driftwatch-overview')).toEqual([{ success_rate: expect.closeTo(7 / 10, 9) }]);
    expect(await run('Promotions ended', 'driftwatch-promotions')).toEqual([{ succeeded: 7, failed: 2, rolled_back: 1 }]);
    expect(await run('Snapshot health (target 100 %)', 'driftwatch-overview')).toEqual([{ snapshot_health: 0.5 }]);
    expect(await run('Last drift detected', 'driftwatch-overview')).toEqual([
      { last_detected: '2026-11-27 14:02:00.000', severity: 'high', drift_key: 'dev/cfg', kind: 'determinism' },
    ]);
  });

  it("overview: System status reads the rolling MTTR of the mttr_breach rule's window (variable mttr_window, default 1h)", async () => {
    // At the end of the range every env's 1 h window has emptied; a 24 h or 7 d window still holds the recoveries of
    // the day: prod (7 + 15 5/6 + 3) / 3 minutes is the worst env (staging 6.5). No breach either way (< 30 min).
    const rolling = async (choices?: VariableChoices) => (await run('System status', 'driftwatch-overview', 'All', undefined, choices))[0]!;
    expect(await rolling()).toMatchObject({ rolling_mttr_minutes: null, mttr_breaches: 0 });
    expect(await rolling({ mttr_window: ['1h'] })).toMatchObject({ rolling_mttr_minutes: null, mttr_breaches: 0 });
    for (const window of ['24h', '7d']) {
      expect(await rolling({ mttr_window: [window] }), window).toMatchObject({ rolling_mttr_minutes: expect.closeTo((7 + 95 / 6 + 3) / 3, 4), mttr_breaches: 0 });
    }
  });

  it("drift: Rolling MTTR comes from the incidents, and agrees with a single instance's own 24 h snapshots", async () => {
    // A range ending with the scenario's events, where the engine's last snapshots were taken.
    const rows = (await run('Rolling MTTR (24 h) vs 30 min target', 'driftwatch-drift', 'All', scenarioEventTo)) as Array<{ time: string; env: string; mttr_minutes: number }>;
    const at = (env: string, hhmm: string) => rows.find((r) => r.env === env && r.time === `2026-11-27 ${hhmm}:00`)?.mttr_minutes;
    const last = (env: string) => rows.filter((r) => r.env === env).at(-1)!.mttr_minutes;
    // Each minute's value is as of its end: prod's first recovery (7 min, resolved at 10:20:00.000) counts in the minute
    // ending then, its second (15 min 50 s, resolved at 12:29:00.001) from the minute after 12:29.
    expect(at('prod', '10:18')).toBeUndefined();
    expect(at('prod', '10:19')).toBeCloseTo(7, 6);
    expect(at('prod', '12:28')).toBeCloseTo(7, 6);
    expect(at('prod', '12:29')).toBeCloseTo((7 + 95 / 6) / 2, 4);
    expect(last('prod')).toBeCloseTo((7 + 95 / 6 + 3) / 3, 4);
    expect(last('staging')).toBeCloseTo(6.5, 4);
    const engine = await store.query<{ scope: string; mttr_minutes: number }>(
      "SELECT scope, argMax(mean_ms, as_of) / 60000 AS mttr_minutes FROM driftwatch.mttr_snapshots FINAL WHERE window = '24h' AND scope != '*' AND mean_ms IS NOT NULL GROUP BY scope ORDER BY scope",
    );
    expect(engine.map((e) => e.scope)).toEqual(['prod', 'staging']);
    for (const { scope, mttr_minutes } of engine) expect(last(scope), scope).toBeCloseTo(mttr_minutes, 6);
  });

  it("overview: System status judges against the mttr_breach rule's threshold (variable mttr_threshold_minutes, default 30)", async () => {
    const status = async (to: Date | undefined, choices: VariableChoices) => (await run('System status', 'driftwatch-overview', 'All', to, choices))[0]!;
    // The rolling MTTR over 24 h is prod's (7 + 15 5/6 + 3) / 3 ≈ 8.6 min at the end of the range: above a 5-minute
    // threshold it is a breach (RED), below 10 or the default 30 it is not (YELLOW: promotion success 7/10).
    const day = { mttr_window: ['24h'] };
    const rolling = expect.closeTo((7 + 95 / 6 + 3) / 3, 4);
    expect(await status(undefined, day)).toMatchObject({ status: 1, mttr_breaches: 0, rolling_mttr_minutes: rolling });
    expect(await status(undefined, { ...day, mttr_threshold_minutes: ['30'] })).toMatchObject({ status: 1, mttr_breaches: 0 });
    expect(await status(undefined, { ...day, mttr_threshold_minutes: ['10'] })).toMatchObject({ status: 1, mttr_breaches: 0 });
    expect(await status(undefined, { ...day, mttr_threshold_minutes: ['5'] })).toMatchObject({ status: 2, mttr_breaches: 1, rolling_mttr_minutes: rolling });
    // prod/search's state incident opened at 12:13:10: at 12:20 it has been open 6 min 50 s, longer than 5 minutes but
    // not 30; at 12:15 (1 min 50 s) it is within both. Its env's 1 h window holds no recovery yet (null).
    const at = (hhmm: string) => new Date(`2026-11-27T${hhmm}:00.000Z`);
    expect(await status(at('12:20'), {})).toMatchObject({ status: 1, open_incidents: 1, mttr_breaches: 0, rolling_mttr_minutes: null });
    expect(await status(at('12:20'), { mttr_threshold_minutes: ['5'] })).toMatchObject({ status: 2, open_incidents: 1, mttr_breaches: 1 });
    expect(await status(at('12:15'), { mttr_threshold_minutes: ['5'] })).toMatchObject({ status: 1, open_incidents: 1, mttr_breaches: 0 });
    // Open exactly the threshold is not yet "longer than" it (the rule: age > threshold); a second more is ($__toTime
    // has second precision in the plugin's macros).
    const tie = new Date('2026-11-27T12:18:10.000Z');
    expect(await status(tie, { mttr_threshold_minutes: ['5'] })).toMatchObject({ status: 1, open_incidents: 1, mttr_breaches: 0 });
    expect(await status(new Date(tie.getTime() + 1000), { mttr_threshold_minutes: ['5'] })).toMatchObject({ status: 2, open_incidents: 1, mttr_breaches: 1 });
  });

  it('overview: System status is RED while a critical alert fires and its critical drift is open', async () => {
    const status = async (hhmmss: string, env: EnvSelection = 'All') =>
      (await run('System status', 'driftwatch-overview', env, new Date(`2026-11-27T${hhmmss}.000Z`)))[0]!;
    // rollback_failed prod/pay (critical by default) fires at 13:10:00 and resolves at 13:13:00; the drift incident
    // open on prod/pay meanwhile is critical too: it began after the rollback (processors/state-drift/drift-severity.ts;
    // it read high before, drift_detected's prod classification alone).
    expect(await status('13:09:59')).toMatchObject({ critical_firing: 0, critical_open: 0 });
    expect(await status('13:10:00')).toMatchObject({ status: 2, critical_firing: 1, critical_open: 1 });
    expect(await status('13:12:59')).toMatchObject({ status: 2, critical_firing: 1, critical_open: 1 });
    expect(await status('13:13:00')).toMatchObject({ critical_firing: 0, critical_open: 0 });
    // The env filter applies: nothing critical fires in staging.
    expect(await status('13:12:00', ['staging'])).toMatchObject({ critical_firing: 0 });
  });

  it('promotions: the promotions in flight at the end of the range, each with its latest step, gates and snapshot so far', async () => {
    const at = (hhmmss: string, env: EnvSelection = 'All') => run('Active promotions (in flight)', 'driftwatch-promotions', env, new Date(`2026-11-27T${hhmmss}.000Z`));
    const p9 = { env: 'qa', artifact: 'billing', promotion_id: 'p-9', version: '1.0.0', actor: 'ci-bot', started_at: '2026-11-27 14:30:00.000' };
    // 14:30:45: p-9 passed unit (14:30:20) and smoke (14:30:40), no snapshot yet, 45 s in.
    expect(await at('14:30:45')).toEqual([
      { ...p9, last_step: 'gate', last_step_at: '2026-11-27 14:30:40.000', gates_passed: 2, gates_failed: 0, snapshot: 'none', running_minutes: 0.75 },
    ]);
    // 14:30:55: its snapshot verified at 14:30:50; it succeeds at 14:31:00 and leaves the table.
    expect(await at('14:30:55')).toMatchObject([{ promotion_id: 'p-9', last_step: 'snapshot', snapshot: 'verified' }]);
    expect(await at('14:31:00')).toEqual([]);
    // 14:40:45: p-10 failed its security gate and its snapshot is not verified — still running until it fails at 14:41.
    expect(await at('14:40:45')).toMatchObject([{ promotion_id: 'p-10', last_step: 'snapshot', gates_passed: 1, gates_failed: 1, snapshot: 'not verified', running_minutes: 0.75 }]);
    // Agrees with the Overview's count, and the env filter applies.
    expect(await run('Active promotions', 'driftwatch-overview', 'All', new Date('2026-11-27T14:40:45.000Z'))).toEqual([{ active_promotions: 1 }]);
    expect(await at('14:40:45', ['prod'])).toEqual([]);
  });

  it('recovery KPIs: 3 of the 4 resolved state incidents recovered; the one rollback failed', async () => {
    // prod/api, staging/web and prod/pay converged; prod/search ended when its canary fell silent (source_expired).
    expect(await run('Recovery success (target > 95 %)', 'driftwatch-drift')).toEqual([{ recovery_success: 0.75, resolved_incidents: 4 }]);
    expect(await run('Recovery success (target > 95 %)', 'driftwatch-drift', ['staging'])).toEqual([{ recovery_success: 1, resolved_incidents: 1 }]);
    // p-7 rolled prod/pay back at 13:05, and the key drifted from 13:10 (rollback_failed, one instance of three emissions).
    expect(await run('Rollback success (target > 99 %)', 'driftwatch-promotions')).toEqual([{ rollback_success: 0, rollbacks: 1, failed_rollbacks: 1 }]);
    expect(await run('Rollback success (target > 99 %)', 'driftwatch-promotions', ['qa'])).toEqual([{ rollback_success: null, rollbacks: 0, failed_rollbacks: 0 }]);
  });

  it('the env filter narrows a KPI: prod promotions (5 − 1 rolled back after success) / (5 + 1 failed + 1 rolled back − 1)', async () => {
    expect(await run('Success rate (target > 95 %)', 'driftwatch-promotions', ['prod'])).toEqual([{ success_rate: expect.closeTo(4 / 6, 9) }]);
  });

  it('alerts fired counts alert instances, not their escalations', async () => {
    // 7 instances fired: drift on prod/api, staging/web, prod/search, prod/pay; rollback_failed prod/pay;
    // hydration_nondeterminism dev/cfg; snapshot_not_verified qa/billing — in 15 firing emissions (escalations L2–L4).
    expect(await run('Alerts fired', 'driftwatch-overview')).toEqual([{ alerts_fired: 7 }]);
    const byRule = await run('Alerts by rule', 'driftwatch-overview');
    expect(byRule.map((r) => [r.rule, r.severity, r.firing, r.resolved, r.max_escalation])).toEqual([
      ['drift_detected', 'high', 3, 3, 3],
      ['drift_detected', 'medium', 1, 1, 2],
      ['hydration_nondeterminism', 'high', 1, 1, 2],
      ['rollback_failed', 'critical', 1, 1, 1],
      // Never verified, and qa/billing reports no other snapshot: resolved a day after it (its window), at the end of input.
      ['snapshot_not_verified', 'high', 1, 1, 4],
    ]);
  });

  it('operations: the heartbeat is NULL without a metric in the day before the end of the range, else its age', async () => {
    // The default range ends an hour past the wall clock, days after the seeded points.
    expect(await run('Engine heartbeat', 'driftwatch-operations')).toEqual([{ seconds_since_last_metric: null }]);
    const fiveMinutesAfterLastPoint = new Date(scenarioEventTo.getTime() + 5 * 60_000);
    expect(await run('Engine heartbeat', 'driftwatch-operations', 'All', fiveMinutesAfterLastPoint)).toEqual([{ seconds_since_last_metric: 300 }]);
  });

  it('operations: consumer lag is no value, not 0 records, when no instance reported one in the range', async () => {
    // A replay, the demo, or an engine down for the whole range writes no consumer_lag point: 0 would read "caught up".
    const weekBefore = new Date('2026-11-20T09:00:00.000Z');
    const lag = (from: Date, to: Date) => runPanel(store, 'driftwatch-operations', 'Consumer lag (records)', 'All', to, {}, from);
    expect(await lag(weekBefore, new Date(weekBefore.getTime() + 6 * 3_600_000))).toEqual([{ consumer_lag: null }]);
    // With points: the latest of each partition, summed; at 14:59 (i = 359 minutes after 09:00) 359 % 40 + (359 × 7) % 90 = 39 + 83.
    expect(await lag(new Date('2026-11-27T14:00:00.000Z'), new Date('2026-11-27T14:59:00.000Z'))).toEqual([{ consumer_lag: 122 }]);
  });

  it('operations: index latency SLA is the share of index operations within 100 ms, 14 of 15 (qa: 3 of 4)', async () => {
    // ops-signals: qa's one write took 250 ms; every other index op of the scenario took at most 12 ms.
    expect(await run('Index latency SLA (≤ 100 ms)', 'driftwatch-operations')).toEqual([{ within_sla: expect.closeTo(14 / 15, 9), index_ops: 15 }]);
    expect(await run('Index latency SLA (≤ 100 ms)', 'driftwatch-operations', ['qa'])).toEqual([{ within_sla: 0.75, index_ops: 4 }]);
  });

  it('operations: engine CPU is the counter increase per second, not its running total, summed over the instances', async () => {
    // process_cpu_seconds_total grows 0.25 s per one-minute point on engine-a and 0.5 s on engine-b: 0.75 s per minute
    // for the group (the mean of the two instances, 0.375 s, is what a sum over both before dividing gave).
    const cpu = await run('Engine CPU', 'driftwatch-operations');
    expect(cpu.length).toBeGreaterThan(300);
    for (const r of cpu) expect(r.cpu_cores).toBeCloseTo(0.75 / 60, 9);
  });

  it('operations: disk and network bytes per second from their counters, one series per direction', async () => {
    // Per one-minute point: disk read 6 kB (engine-a) + 3 kB (engine-b), write 60 kB (engine-a); network receive 120 kB
    // (engine-a), transmit 30 kB (engine-a) + 90 kB (engine-b). Summed over the instances: read 150 B/s, transmit 2000 B/s.
    const rates = async (title: string) => {
      const rows = (await run(title, 'driftwatch-operations')) as Array<{ direction: string; bytes_per_s: number }>;
      expect(rows.length).toBeGreaterThan(300);
      return Object.fromEntries(['read', 'write', 'receive', 'transmit'].map((d) => [d, [...new Set(rows.filter((r) => r.direction === d).map((r) => r.bytes_per_s))]]));
    };
    expect(await rates('Engine disk I/O')).toEqual({ read: [150], write: [1000], receive: [], transmit: [] });
    expect(await rates('Network traffic')).toEqual({ read: [], write: [], receive: [2000], transmit: [2000] });
  });

  it("drift: the daily panel selects UTC days whatever the server's time zone", async () => {
    // drift_detection_daily.day is a UTC date; the scenario's incidents all open on 2026-11-27 (UTC).
    const t = targets.find((x) => x.key === 'driftwatch-drift/Daily incidents and worst alert delay/A')!;
    const daysIn = async (from: string, to: string, timeZone: string) => {
      const sql = expandGrafanaSql(t.target.rawSql!, panelContext(t.dashboard, t.panel, 'All', new Date(to), {}, new Date(from)));
      const rows = await store.query(`${sql} SETTINGS session_timezone = '${timeZone}'`);
      return rows.map((r) => String(r.time).slice(0, 10));
    };
    for (const timeZone of ['UTC', 'Asia/Tokyo', 'America/Los_Angeles']) {
      // 15:30Z on the 27th is already the 28th in Tokyo: the 27th's row must still be in range.
      expect(await daysIn('2026-11-27T15:30:00Z', '2026-11-28T03:00:00Z', timeZone), timeZone).toEqual(['2026-11-27']);
      // 00:30Z on the 28th is still the 27th in Los Angeles: the 27th's row must not be.
      expect(await daysIn('2026-11-28T00:30:00Z', '2026-11-28T06:00:00Z', timeZone), timeZone).toEqual([]);
    }
  });

  it('drift: severity breakdown lists all four levels', async () => {
    // prod/pay's drift outlived its rollback: critical (drift-severity.ts); the other three prod ones high.
    expect(await run('Severity breakdown', 'driftwatch-drift')).toEqual([
      { severity: 'critical', incidents: 1 },
      { severity: 'high', incidents: 3 },
      { severity: 'medium', incidents: 1 },
      { severity: 'low', incidents: 0 },
    ]);
  });

  it('promotions: gate performance per gate', async () => {
    expect(await run('Gate performance', 'driftwatch-promotions')).toEqual([
      { gate: 'security', passed_runs: 0, failed_runs: 1, failure_rate: 1, worst_p90_ms: 9000 },
      { gate: 'smoke', passed_runs: 1, failed_runs: 1, failure_rate: 0.5, worst_p90_ms: 45000 },
      { gate: 'unit', passed_runs: 2, failed_runs: 0, failure_rate: 0, worst_p90_ms: 15000 },
    ]);
  });

  it('hydration: r-merge gave two outputs for one input in 2 of its 3 windows', async () => {
    expect(await run('Rules by output consistency', 'driftwatch-hydration')).toEqual([
      { rule_id: 'r-merge', input_windows: 3, inconsistent: 2, consistency: expect.closeTo(1 / 3, 9) },
      { rule_id: 'r-render', input_windows: 19, inconsistent: 0, consistency: 1 },
    ]);
  });

  it('overview: System status is YELLOW on a missed promotion KPI alone (snapshot health < 100 %, mean duration > 5 min)', async () => {
    // Three qa windows a week before the scenario, each a range of its own; every promotion succeeded, no gate ran.
    // Last in the file: the rows stay, outside every range the other tests query.
    const cols = 'window_start, window_end, env, instance_id, started, succeeded, promotions_ended, duration_count, duration_sum_ms, snapshots_verified, snapshots_unverified';
    await store.command(`INSERT INTO driftwatch.promotion_windows (${cols}) VALUES
      ('2026-11-20 10:00:00.000', '2026-11-20 10:05:00.000', 'qa', '', 1, 1, 1, 1, 60000, 1, 0),
      ('2026-11-20 10:05:00.000', '2026-11-20 10:10:00.000', 'qa', '', 1, 1, 1, 1, 60000, 0, 1),
      ('2026-11-20 10:10:00.000', '2026-11-20 10:15:00.000', 'qa', '', 1, 1, 1, 1, 360000, 1, 0)`);
    // The success rate reads promotion_outcomes (0010): the three promotions, one per window, each succeeded.
    await store.command(`INSERT INTO driftwatch.promotion_outcomes (env, promotion_id, artifact, first_ended_at, outcome, decided_at, version) VALUES
      ('qa', 'wk-1', 'pay', '2026-11-20 10:01:00.000', 'succeeded', '2026-11-20 10:01:00.000', 1),
      ('qa', 'wk-2', 'pay', '2026-11-20 10:06:00.000', 'succeeded', '2026-11-20 10:06:00.000', 1),
      ('qa', 'wk-3', 'pay', '2026-11-20 10:11:00.000', 'succeeded', '2026-11-20 10:11:00.000', 1)`);
    const status = async (from: string) => {
      const start = new Date(`2026-11-20T${from}:00.000Z`);
      return (await runPanel(store, 'driftwatch-overview', 'System status', ['qa'], new Date(start.getTime() + 299_000), {}, start))[0]!;
    };
    const met = { open_incidents: 0, critical_firing: 0, mttr_breaches: 0, success_rate: 1, gate_failure_rate: null };
    expect(await status('10:00')).toMatchObject({ ...met, status: 0, snapshot_health: 1, mean_duration_minutes: 1 });
    expect(await status('10:05')).toMatchObject({ ...met, status: 1, snapshot_health: 0, mean_duration_minutes: 1 });
    expect(await status('10:10')).toMatchObject({ ...met, status: 1, snapshot_health: 1, mean_duration_minutes: 6 });
  });
});
