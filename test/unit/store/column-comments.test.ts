/**
 * What an analyst sees of a column without reading the engine: its ClickHouse
 * COMMENT (DESCRIBE, system.columns, a SQL client's schema view). The columns
 * whose name hides a unit, a time base, a NULL meaning or a value domain carry
 * one (migration 0011), and its statements can run again (a migration cut
 * half way is run again from the start).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { defaultMigrationsDir, splitStatements } from '../../../store/migrations.js';
import { openEmbeddedStore } from '../../../store/open-store.js';

let dir: string;
let t: ChdbTransport;
let comments: Map<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dw-comments-'));
  t = await openEmbeddedStore(dir);
  const rows = await t.query<{ col: string; comment: string }>(
    `SELECT concat(table, '.', name) AS col, comment FROM system.columns WHERE database = 'driftwatch'
       AND table IN (SELECT name FROM system.tables WHERE database = 'driftwatch' AND engine NOT LIKE '%View')`,
  ); // a materialized view's columns are what its SELECT makes, not what analysts read
  comments = new Map(rows.map((r) => [r.col, r.comment]));
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('column comments', () => {
  it('every *_ms column says it holds milliseconds', () => {
    const ms = [...comments.keys()].filter((c) => c.endsWith('_ms'));
    expect(ms.length).toBeGreaterThan(10);
    for (const c of ms) expect(comments.get(c), c).toMatch(/milliseconds/);
  });

  it('the columns analysts misread say what they mean', () => {
    const expected: Record<string, RegExp> = {
      // Event time, not the wall clock; and which of the three alert times is the row's.
      'incidents.detected_at': /event time.*not the wall clock/,
      'alerts.event_time': /event time/,
      'alerts.emitted_at': /wall clock/,
      // 0003 called alert_id random; it is derived from the emission, and with instance_id tells emissions apart (0015).
      'alerts.alert_id': /derived from it.*Not random/,
      'alerts.emission_key': /alert_id again.*sorting key/,
      'alerts.instance_id': /per-env rules.*DRIFTWATCH_INSTANCE_ID.*Empty for the per-key rules/,
      // NULL while open; the values a column takes.
      'incidents.resolved_at': /NULL while open/,
      'incidents.recovery_ms': /NULL while open/,
      'incidents.reason': /converged \| promoted \| source_expired.*consistent/,
      'incidents.change': /opened \| updated \| resolved.*FINAL/,
      'mttr_snapshots.scope': /'\*'/,
      'mttr_snapshots.window': /1h \| 24h \| 7d/,
      // MTTR counts state incidents only, and a NULL mean is skipped by argMax.
      'mttr_snapshots.resolved_count': /state incidents/,
      'mttr_snapshots.mean_ms': /NULL when resolved_count = 0.*argMax\(tuple\(mean_ms\), as_of\)\.1/,
      'promotion_outcomes.outcome': /succeeded \| failed \| rolled_back \| succeeded_then_rolled_back/,
      // Late events: by arrival window in the windows, by event time in the raw history.
      // Late is older than the watermark by more than the allowed lateness (SPEC 4.7), not merely behind it (0013).
      'drift_windows.late_events': /more than the allowed lateness.*window open when they arrived/,
      'hydration_events.late': /older than the watermark by more than the allowed lateness/,
      'promotion_events.late': /older than the watermark by more than the allowed lateness/,
      'promotion_outcomes.decided_at': /occurred_at.*of the event that decided/,
      // The rollup's quantile states are not for percentiles.
      'drift_detection_daily.detection_ms': /not for percentiles/,
      // The gate rollup's window key has no env: merged across envs it keeps the larger count (0014).
      'gate_runs_hourly.passed': /GROUP BY env, gate.*then sum the envs and gates/,
      'gate_runs_hourly.failed': /GROUP BY env, gate.*then sum the envs and gates/,
      // The engine's memory is bounded: quantiles are exact below a bound and within 1 % past it, sources counted up to one (0016).
      'mttr_snapshots.p50_ms': /nearest rank.*exact .*up to 10000.*within 1 % past that.*NULL when resolved_count = 0/,
      'mttr_snapshots.p90_ms': /nearest rank.*exact .*up to 10000.*within 1 % past that/,
      'drift_windows.index_latency_p50_ms': /nearest rank.*exact up to 4096 operations, within 1 % past that/,
      'drift_windows.index_latency_p90_ms': /exact up to 4096 operations, within 1 % past that/,
      'promotion_windows.duration_p50_ms': /nearest rank.*exact up to 4096 attempts.*within 1 % past that/,
      'promotion_windows.duration_p90_ms': /exact up to 4096 attempts.*within 1 % past that/,
      'promotion_windows.duration_max_ms': /exact, but within 1 % past 4096 attempts/,
      'gate_windows.duration_p50_ms': /nearest rank.*exact up to 4096 runs of the gate, within 1 % past that/,
      'gate_windows.duration_p90_ms': /exact up to 4096 runs of the gate, within 1 % past that/,
      'drift_windows.sources': /counted up to DRIFTWATCH_MAX_SOURCES_PER_KEY/,
      'drift_windows.divergent_sources': /counted up to DRIFTWATCH_MAX_SOURCES_PER_KEY/,
    };
    for (const [col, re] of Object.entries(expected)) expect(comments.get(col), col).toMatch(re);
  });

  it('no comment promises a nearest-rank quantile without saying where it stops being exact', () => {
    const nearestRank = [...comments].filter(([, comment]) => /nearest rank/.test(comment));
    expect(nearestRank.length).toBeGreaterThanOrEqual(8);
    for (const [col, comment] of nearestRank) expect(comment, col).toMatch(/within 1 % past/);
  });

  it('the comment migrations run again, in order, without error and leave the comments as they were', async () => {
    for (const name of ['0011_column_comments.sql', '0013_column_comments_late.sql', '0014_gate_rollup_per_env_comments.sql', '0016_column_comments_bounded.sql']) {
      for (const sql of splitStatements(readFileSync(join(defaultMigrationsDir(), name), 'utf8'))) await t.command(sql);
    }
    const again = await t.query<{ comment: string }>(
      "SELECT comment FROM system.columns WHERE database = 'driftwatch' AND table = 'incidents' AND name = 'detected_at'",
    );
    expect(again[0]!.comment).toBe(comments.get('incidents.detected_at'));
    const late = await t.query<{ comment: string }>(
      "SELECT comment FROM system.columns WHERE database = 'driftwatch' AND table = 'index_events' AND name = 'late'",
    );
    expect(late[0]!.comment).toBe(comments.get('index_events.late'));
  });
});
