/**
 * The drift dashboard's wall-clock detection delay (seed KPI: drift detected
 * within 5 minutes of occurring). An incident's detectedAt − startedAt is in
 * event time and 0 by construction; what an operator waits is the wall clock
 * between the drift starting and its alert leaving the engine: the first
 * firing emission's emitted_at − starts_at. On a store of its own, with alert
 * rows whose emitted_at is set by hand (a replay writes its own run time).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../../store/open-store.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { RowMapper, type Row } from '../../../store/row-mappers.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { runPanel, type EnvSelection } from './panel-runner.js';

const PANEL = 'Alert delay, wall clock (live mode) vs 5 min target';

/**
 * One emission of an alert: `startsAt` and `emittedAt` as hh:mm:ss on 2026-11-27. Its event time (the store's
 * event_time, part of the alerts' sorting key) is startsAt for the first firing and + 5 min for the L2 escalation
 * and the resolution here, as the engine emits them.
 */
function emission(
  rule: string, fingerprint: string, env: string, status: AlertEvent['status'], level: number, startsAt: string, emittedAt: string,
): AlertEvent {
  const at = (hms: string) => `2026-11-27T${hms}.000Z`;
  return {
    alertId: `${fingerprint}-${status}-${level}-${emittedAt}`, fingerprint, rule, status, severity: 'high', escalationLevel: level,
    labels: { env, artifact: 'pay' }, annotations: { summary: rule, description: rule },
    startsAt: at(startsAt), ...(status === 'resolved' ? { endsAt: at(emittedAt) } : {}), emittedAt: at(emittedAt),
  };
}

const alerts: AlertEvent[] = [
  // prod drift at 10:00, alerted 45 s later; its escalation (5 min on) and resolution are not detections.
  emission('drift_detected', 'fp-prod', 'prod', 'firing', 1, '10:00:00', '10:00:45'),
  emission('drift_detected', 'fp-prod', 'prod', 'firing', 2, '10:00:00', '10:05:45'),
  emission('drift_detected', 'fp-prod', 'prod', 'resolved', 2, '10:00:00', '10:07:00'),
  // The same key drifting again at 11:00 is a new occurrence (same fingerprint), alerted after 60 s.
  emission('drift_detected', 'fp-prod', 'prod', 'firing', 1, '11:00:00', '11:01:00'),
  // staging drift at 10:02 alerted 6.5 min later (a lagging engine): over the target.
  emission('drift_detected', 'fp-staging', 'staging', 'firing', 1, '10:02:00', '10:08:30'),
  // A determinism incident is drift too: emitted at 10:03:20 by a run that crashed before its transaction committed,
  // then again at 10:03:50 by its restart (same event time, so the same row of alerts: FINAL keeps the last insert,
  // the emission the alert topic carries): 50 s.
  emission('hydration_nondeterminism', 'fp-dev', 'dev', 'firing', 1, '10:03:00', '10:03:20'),
  emission('hydration_nondeterminism', 'fp-dev', 'dev', 'firing', 1, '10:03:00', '10:03:50'),
  // Rate and MTTR alerts are not drift detections.
  emission('mttr_breach', 'fp-mttr', 'prod', 'firing', 1, '10:04:00', '10:40:00'),
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
});

afterAll(async () => {
  await store?.close();
});

const from = new Date('2026-11-27T09:00:00.000Z');
const to = new Date('2026-11-27T12:00:00.000Z');
const run = (env: EnvSelection) => runPanel(store, 'driftwatch-drift', PANEL, env, to, undefined, from);

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
});
