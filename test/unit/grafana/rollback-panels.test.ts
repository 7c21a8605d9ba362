/**
 * The panels that a succeeded-then-rolled-back promotion, a long-running
 * promotion, an alert without an env and a restarted engine each got wrong,
 * on a store of their own: the rollback fixture alone (test/scenarios) plus
 *   - a promotion started two days before the range that never ended,
 *   - an alert whose env is '' (labels without env),
 *   - process_cpu_seconds_total points across an engine restart,
 *   - rolling MTTR snapshots of the next day, one above 30 min.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../../store/open-store.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { RowMapper, metricRow, type Row } from '../../../store/row-mappers.js';
import type { StoreTable } from '../../../store/tables.js';
import type { MttrSnapshot } from '../../../processors/facts.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { fixturesDir, replayFixture, type ReplayOutput } from '../../helpers/replay-fixture.js';
import { runPanel, type EnvSelection } from './panel-runner.js';

const longRunning = {
  type: 'promotion', eventId: 'long-1', occurredAt: '2026-11-25T12:00:00.000Z', env: 'qa', artifact: 'pay',
  promotionId: 'p-long', phase: 'started', version: '9.0.0', digest: 'sha256:p9',
};

const envlessAlert: AlertEvent = {
  alertId: 'a-envless', fingerprint: 'fp-envless', rule: 'index_error_rate_high', status: 'firing', severity: 'low',
  escalationLevel: 1, labels: {}, annotations: { summary: 'no env', description: 'an alert whose labels carry no env' },
  startsAt: '2026-11-27T13:30:00.000Z', emittedAt: '2026-11-27T13:30:00.000Z',
};

/** prod's rolling 1 h MTTR the next day: 40 min at 10:00, none (every recovery left the hour) at 11:00. */
const mttrAt = (hhmm: string, window: MttrSnapshot['window'], scope: string, meanMin: number | null): MttrSnapshot => ({
  asOf: Date.parse(`2026-11-28T${hhmm}:00.000Z`), scope, window, resolvedCount: meanMin === null ? 0 : 1,
  meanMs: meanMin === null ? null : meanMin * 60_000, p50Ms: null, p90Ms: null, openIncidents: 0, oldestOpenMs: null,
});
const mttrSnapshots = [
  mttrAt('10:00', '1h', 'prod', 40),
  mttrAt('10:00', '24h', 'qa', 45), // the 24 h window is not what mttr_breach judges
  mttrAt('10:00', '1h', '*', 50), // nor the overall scope
  mttrAt('11:00', '1h', 'prod', null),
];

/** A counter at 0, 6, 12 cpu-seconds, then (restarted) 3, 9: every one-minute step used 6 s, except 3 s after the restart. */
const cpuPoints: Array<[minute: number, value: number]> = [[0, 0], [1, 6], [2, 12], [3, 3], [4, 9]];
const cpuStart = Date.parse('2026-11-27T13:00:00.000Z');

let store: ChdbTransport;
let replay: ReplayOutput;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dw-rollback-panels-'));
  const input = join(dir, 'rollback-plus.ndjson');
  writeFileSync(input, JSON.stringify(longRunning) + '\n' + readFileSync(join(fixturesDir, 'rollback.ndjson'), 'utf8'));
  replay = await replayFixture(input, { store: true });
  store = await openEmbeddedStore(join(replay.outDir, 'store'));
  const rows: Partial<Record<StoreTable, string[]>> = {};
  const mapper = new RowMapper();
  const collect = (table: StoreTable, row: Row) => (rows[table] ??= []).push(JSON.stringify(row));
  mapper.map({ kind: 'alert', at: Date.parse(envlessAlert.startsAt), alert: envlessAlert }, collect);
  mapper.map({ kind: 'mttr', at: mttrSnapshots[0]!.asOf, snapshots: mttrSnapshots }, collect);
  for (const [table, lines] of Object.entries(rows)) await store.insert(`driftwatch.${table}`, lines);
  await store.insert(
    'driftwatch.engine_metrics',
    cpuPoints.map(([minute, value]) => JSON.stringify(metricRow('process_cpu_seconds_total', value, {}, cpuStart + minute * 60_000))),
  );
});

afterAll(async () => {
  await store?.close();
});

const run = (uid: string, title: string, env: EnvSelection = 'All', to?: Date) => runPanel(store, uid, title, env, to);

describe('panels over the rollback fixture', () => {
  it('success rate is 1 of 2 promotions: p-6 succeeded; p-7 succeeded, then was rolled back (not 2 of 3)', async () => {
    const half = [{ success_rate: 0.5 }];
    expect(await run('driftwatch-promotions', 'Success rate (target > 95 %)')).toEqual(half);
    expect(await run('driftwatch-overview', 'Promotion success (target > 95 %)')).toEqual(half);
    expect(await run('driftwatch-promotions', 'Promotions ended')).toEqual([{ succeeded: 1, failed: 0, rolled_back: 1 }]);
    const [status] = await run('driftwatch-overview', 'System status');
    expect(status).toMatchObject({ status: 1, open_incidents: 0, mttr_breaches: 0, success_rate: 0.5 });
    // Per 5-minute window: 13:00 p-6 succeeded (1/1); 13:05 p-7 succeeded at 13:06 and was rolled back at 13:08 (0/1).
    expect(await run('driftwatch-promotions', 'Success rate by environment')).toEqual([
      { time: '2026-11-27 13:00:00', env: 'prod', success_rate: 1 },
      { time: '2026-11-27 13:05:00', env: 'prod', success_rate: 0 },
    ]);
  });

  it('system status is RED while an env\'s latest rolling 1 h MTTR is above 30 min, and not once it has emptied', async () => {
    const at = (hhmm: string) => new Date(`2026-11-28T${hhmm}:00.000Z`);
    expect((await run('driftwatch-overview', 'System status', 'All', at('10:30')))[0]).toMatchObject({
      status: 2, open_incidents: 0, mttr_breaches: 1, rolling_mttr_minutes: 40,
    });
    // qa: no breach, and nothing measured in the range either (its one event, p-long's start, is two days before it): NO DATA.
    expect((await run('driftwatch-overview', 'System status', ['qa'], at('10:30')))[0]).toMatchObject({ status: -1, mttr_breaches: 0 });
    // At 11:00 prod's mean is NULL: no breach, even though an older snapshot said 40 min. Success 1/2 keeps it YELLOW.
    expect((await run('driftwatch-overview', 'System status', 'All', at('11:30')))[0]).toMatchObject({
      status: 1, mttr_breaches: 0, rolling_mttr_minutes: null,
    });
  });

  it('the rollback fixture fires no promotion_success_rate_low alert: 2 promotions, fewer than its 20', () => {
    expect(replay.alerts.filter((a) => a.rule === 'promotion_success_rate_low')).toEqual([]);
  });

  it('active promotions counts one started two days before the range and never ended', async () => {
    expect(await run('driftwatch-overview', 'Active promotions')).toEqual([{ active_promotions: 1 }]);
    expect(await run('driftwatch-overview', 'Active promotions', ['prod'])).toEqual([{ active_promotions: 0 }]);
  });

  it('alerts whose env is empty count under "All" (the dashboards\' allValue .* matches \'\'), not under one env', async () => {
    const fired = new Set(replay.alerts.filter((a) => a.status === 'firing').map((a) => `${a.fingerprint} ${a.startsAt}`)).size;
    expect(fired).toBe(2); // drift_detected and rollback_failed on prod/pay
    expect(await run('driftwatch-overview', 'Alerts fired')).toEqual([{ alerts_fired: fired + 1 }]);
    expect(await run('driftwatch-overview', 'Alerts fired', ['prod'])).toEqual([{ alerts_fired: fired }]);
    const byRule = await run('driftwatch-overview', 'Alerts by rule');
    expect(byRule.find((r) => r.rule === 'index_error_rate_high')).toMatchObject({ firing: 1, resolved: 0 });
  });

  it('engine CPU across a restart: 0.1 cores per minute, 0.05 in the minute the counter restarted from 0', async () => {
    expect(await run('driftwatch-operations', 'Engine CPU')).toEqual([
      { time: '2026-11-27 13:01:00', cpu_cores: 0.1 },
      { time: '2026-11-27 13:02:00', cpu_cores: 0.1 },
      { time: '2026-11-27 13:03:00', cpu_cores: 0.05 },
      { time: '2026-11-27 13:04:00', cpu_cores: 0.1 },
    ]);
  });

  it('the heartbeat is NULL when the engine wrote no metric in the day before the end of the range', async () => {
    expect(await run('driftwatch-operations', 'Engine heartbeat')).toEqual([{ seconds_since_last_metric: null }]);
  });
});
