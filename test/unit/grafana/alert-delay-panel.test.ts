/**
 * The dashboards' detection time (seed KPI: drift detected within 5 minutes
 * of occurring). An incident's detectedAt − startedAt is in event time and 0
 * by construction, and every detection-time panel showed it: the overview's
 * p90, the drift dashboard's worst, its timeseries, the incident list and the
 * daily rollup. What an operator waits is the wall clock between the drift
 * starting and its alert leaving the engine: the first firing emission's
 * emitted_at − starts_at, which each of them shows now (the drift
 * dashboard's timeseries was already there; the event-time one is gone). On a
 * store of its own, with alert rows whose emitted_at is set by hand (a replay
 * writes its own run time) and the incidents they name.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../../store/open-store.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { RowMapper, type Row } from '../../../store/row-mappers.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import type { Incident } from '../../../processors/facts.js';
import { runPanel, type EnvSelection } from './panel-runner.js';

const PANEL = 'Alert delay, wall clock (live mode) vs 5 min target';

/**
 * One emission of an alert: `startsAt` and `emittedAt` as hh:mm:ss on 2026-11-27. Its event time (the store's
 * event_time, part of the alerts' sorting key) is startsAt for the first firing and + 5 min for the L2 escalation
 * and the resolution here, as the engine emits them.
 */
function emission(
  rule: string, fingerprint: string, env: string, status: AlertEvent['status'], level: number, startsAt: string, emittedAt: string, incidentId?: string,
): AlertEvent {
  const at = (hms: string) => `2026-11-27T${hms}.000Z`;
  return {
    // Derived from the emission (alert-id.ts), not from when it left: the same emission again has the same id.
    alertId: `${fingerprint}-${startsAt}-${status}-${level}`, fingerprint, rule, status, severity: 'high', escalationLevel: level,
    labels: { env, artifact: 'pay' }, annotations: { summary: rule, description: rule },
    startsAt: at(startsAt), ...(status === 'resolved' ? { endsAt: at(emittedAt) } : {}), emittedAt: at(emittedAt),
    ...(incidentId === undefined ? {} : { incidentId }),
  };
}

const alerts: AlertEvent[] = [
  // prod drift at 10:00, alerted 45 s later; its escalation (5 min on) and resolution are not detections.
  emission('drift_detected', 'fp-prod', 'prod', 'firing', 1, '10:00:00', '10:00:45', 'inc-prod-1'),
  emission('drift_detected', 'fp-prod', 'prod', 'firing', 2, '10:00:00', '10:05:45', 'inc-prod-1'),
  emission('drift_detected', 'fp-prod', 'prod', 'resolved', 2, '10:00:00', '10:07:00', 'inc-prod-1'),
  // The same key drifting again at 11:00 is a new occurrence (same fingerprint), alerted after 60 s.
  emission('drift_detected', 'fp-prod', 'prod', 'firing', 1, '11:00:00', '11:01:00', 'inc-prod-2'),
  // staging drift at 10:02 alerted 6.5 min later (a lagging engine): over the target.
  emission('drift_detected', 'fp-staging', 'staging', 'firing', 1, '10:02:00', '10:08:30', 'inc-staging'),
  // A determinism incident is drift too: emitted at 10:03:20 by a run that crashed before its transaction committed,
  // then again at 10:03:50 by its restart (same event time, so the same row of alerts: FINAL keeps the last insert,
  // the emission the alert topic carries): 50 s.
  emission('hydration_nondeterminism', 'fp-dev', 'dev', 'firing', 1, '10:03:00', '10:03:20', 'inc-dev'),
  emission('hydration_nondeterminism', 'fp-dev', 'dev', 'firing', 1, '10:03:00', '10:03:50', 'inc-dev'),
  // Rate and MTTR alerts are not drift detections.
  emission('mttr_breach', 'fp-mttr', 'prod', 'firing', 1, '10:04:00', '10:40:00'),
];

/** The incidents the alerts name, and one no alert named (qa); detected = started, as the engine records them. */
const incidents: Array<{ id: string; kind: Incident['kind']; env: string; started: string; resolved?: string }> = [
  { id: 'inc-prod-1', kind: 'state', env: 'prod', started: '10:00:00', resolved: '10:07:00' },
  { id: 'inc-staging', kind: 'state', env: 'staging', started: '10:02:00' },
  { id: 'inc-dev', kind: 'determinism', env: 'dev', started: '10:03:00' },
  { id: 'inc-qa', kind: 'state', env: 'qa', started: '10:30:00' },
  { id: 'inc-prod-2', kind: 'state', env: 'prod', started: '11:00:00' },
];

let store: ChdbTransport;

beforeAll(async () => {
  store = await openEmbeddedStore(join(mkdtempSync(join(tmpdir(), 'dw-alert-delay-')), 'store'));
  const mapper = new RowMapper();
  for (const alert of alerts) {
    const at = Date.parse(alert.startsAt) + (alert.escalationLevel === 1 && alert.status === 'firing' ? 0 : 5 * 60_000);
    const rows: string[] = [];
    mapper.map({ kind: 'alert', at, alert }, (_table, row: Row) => rows.push(JSON.stringify(row)));
    await store.insert('driftwatch.alerts', rows); // one insert each: the later one is the last insert
  }
  const rows: string[] = [];
  for (const i of incidents) {
    const startedAt = Date.parse(`2026-11-27T${i.started}.000Z`);
    const incident: Incident = {
      incidentId: i.id, kind: i.kind, env: i.env, artifact: 'pay', severity: 'high', startedAt, detectedAt: startedAt, resolvedAt: null, divergentDigests: ['sha256:x'],
    };
    mapper.map({ kind: 'incident', at: startedAt, change: 'opened', incident }, (_table, row: Row) => rows.push(JSON.stringify(row)));
    if (i.resolved === undefined) continue;
    const resolvedAt = Date.parse(`2026-11-27T${i.resolved}.000Z`);
    const resolved = { ...incident, resolvedAt, reason: 'converged', recoveryMs: resolvedAt - startedAt };
    mapper.map({ kind: 'incident', at: resolvedAt, change: 'resolved', incident: resolved }, (_table, row: Row) => rows.push(JSON.stringify(row)));
  }
  await store.insert('driftwatch.incidents', rows);
});

afterAll(async () => {
  await store?.close();
});

const from = new Date('2026-11-27T09:00:00.000Z');
const to = new Date('2026-11-27T12:00:00.000Z');
const run = (env: EnvSelection) => runPanel(store, 'driftwatch-drift', PANEL, env, to, undefined, from);
const panel = (uid: string, title: string, env: EnvSelection = 'All', range: [Date, Date] = [from, to]) => runPanel(store, uid, title, env, range[1], undefined, range[0]);

describe('drift: alert delay in wall clock', () => {
  it('is the first firing emission of each drift occurrence (the one the alert topic carries) minus its start, per interval of its start', async () => {
    expect(await run('All')).toEqual([
      { time: '2026-11-27 10:00:00', worst_delay_s: 45, p90_delay_s: 45 },
      { time: '2026-11-27 10:02:00', worst_delay_s: 390, p90_delay_s: 390 },
      { time: '2026-11-27 10:03:00', worst_delay_s: 50, p90_delay_s: 50 },
      { time: '2026-11-27 11:00:00', worst_delay_s: 60, p90_delay_s: 60 },
    ]);
  });

  it('follows the env filter', async () => {
    expect((await run(['staging'])).map((r) => r.worst_delay_s)).toEqual([390]);
  });

  it('overview: p90 and worst of the drifts that started in the range; no value when none did', async () => {
    const stat = (env: EnvSelection, range?: [Date, Date]) => panel('driftwatch-overview', 'Alert delay p90, wall clock (target < 5 min)', env, range);
    // 45, 50, 60 and 390 s: the nearest-rank p90 of four is the 4th.
    expect(await stat('All')).toEqual([{ delay_p90_s: 390, delay_max_s: 390 }]);
    // prod and dev: 45, 50, 60 s — the 3rd of three.
    expect(await stat(['prod', 'dev'])).toEqual([{ delay_p90_s: 60, delay_max_s: 60 }]);
    const quiet: [Date, Date] = [new Date('2026-11-27T12:00:00.000Z'), new Date('2026-11-27T13:00:00.000Z')];
    expect(await stat('All', quiet)).toEqual([{ delay_p90_s: null, delay_max_s: null }]);
  });

  it('drift: the worst alert delay of the drifts that started in the range', async () => {
    const title = 'Worst alert delay, wall clock (target < 5 min)';
    expect(await panel('driftwatch-drift', title)).toEqual([{ worst_delay_s: 390 }]);
    expect(await panel('driftwatch-drift', title, ['prod'])).toEqual([{ worst_delay_s: 60 }]);
    expect(await panel('driftwatch-drift', title, ['qa'])).toEqual([{ worst_delay_s: null }]);
  });

  it('drift: each incident of the list with the delay of the first firing alert naming it (none for one no alert named)', async () => {
    const rows = await panel('driftwatch-drift', 'Incidents (resolution tracking)');
    expect(rows.map((r) => [r.env, r.started_at, r.alert_delay_s])).toEqual([
      ['prod', '2026-11-27 11:00:00.000', 60],
      ['qa', '2026-11-27 10:30:00.000', null],
      ['dev', '2026-11-27 10:03:00.000', 50], // emitted again by a restart: FINAL keeps the one the alert topic carries
      ['staging', '2026-11-27 10:02:00.000', 390],
      ['prod', '2026-11-27 10:00:00.000', 45], // not its escalation, 5 min later
    ]);
  });

  it('drift: the daily panel shows the worst alert delay of the drifts that started that day', async () => {
    const daily = (env: EnvSelection) => panel('driftwatch-drift', 'Daily incidents and worst alert delay', env);
    expect(await daily('All')).toEqual([{ time: '2026-11-27 00:00:00', opened: 5, resolved: 1, worst_delay_s: 390 }]);
    expect(await daily(['prod'])).toEqual([{ time: '2026-11-27 00:00:00', opened: 2, resolved: 1, worst_delay_s: 60 }]);
    expect(await daily(['qa'])).toEqual([{ time: '2026-11-27 00:00:00', opened: 1, resolved: 0, worst_delay_s: null }]);
  });
});
