/**
 * The hourly rollups of migration 0012 (drift_keys_hourly, gate_runs_hourly)
 * against the window tables they are fed from: after a replay of the
 * dashboard scenario and of a generated demo scenario, reading a rollup with
 * its -Merge functions gives what the same aggregation over the detail table
 * (FINAL) gives, per env and hour and over the whole range; rows inserted
 * again and the migration run again change nothing.
 */
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { defaultMigrationsDir, migrate, splitStatements } from '../../../store/migrations.js';
import { openEmbeddedStore } from '../../../store/open-store.js';
import { ScenarioGenerator } from '../../../engine/demo/scenario-generator.js';
import { replayFixture } from '../../helpers/replay-fixture.js';
import { replayedStore } from '../../helpers/replayed-store.js';
import { readmeExample } from '../../helpers/readme-example.js';
import { replayScenario } from '../grafana/scenario.js';

/** Each query's rows per (hour, env[, gate]) — by the rollup, then by the same aggregation over its detail table. */
const pairs = {
  drift: [
    `SELECT toString(hour) AS h, env, uniqExactMerge(keys) AS keys, uniqExactMerge(drifted_keys) AS drifted_keys
     FROM driftwatch.drift_keys_hourly GROUP BY h, env ORDER BY h, env`,
    `SELECT toString(toStartOfHour(window_start)) AS h, env, uniqExact(artifact) AS keys, uniqExactIf(artifact, divergent_sources > 0) AS drifted_keys
     FROM driftwatch.drift_windows FINAL GROUP BY h, env ORDER BY h, env`,
  ],
  driftWholeRange: [
    'SELECT env, uniqExactMerge(drifted_keys) AS drifted_keys FROM driftwatch.drift_keys_hourly GROUP BY env ORDER BY env',
    'SELECT env, uniqExactIf(artifact, divergent_sources > 0) AS drifted_keys FROM driftwatch.drift_windows FINAL GROUP BY env ORDER BY env',
  ],
  gates: [
    `SELECT toString(hour) AS h, env, gate, arraySum(maxMapMerge(passed).2) AS passed_runs, arraySum(maxMapMerge(failed).2) AS failed_runs
     FROM driftwatch.gate_runs_hourly GROUP BY h, env, gate ORDER BY h, env, gate`,
    `SELECT toString(toStartOfHour(window_start)) AS h, env, gate, sum(passed) AS passed_runs, sum(failed) AS failed_runs
     FROM driftwatch.gate_windows FINAL GROUP BY h, env, gate ORDER BY h, env, gate`,
  ],
} as const;

async function both(store: ChdbTransport, which: keyof typeof pairs) {
  const [rollup, detail] = pairs[which];
  return { rollup: await store.query(rollup), detail: await store.query(detail) };
}

async function expectRollupsEqualDetail(store: ChdbTransport): Promise<void> {
  for (const which of Object.keys(pairs) as Array<keyof typeof pairs>) {
    const { rollup, detail } = await both(store, which);
    expect(rollup.length, which).toBeGreaterThan(0);
    expect(rollup, which).toEqual(detail);
  }
}

describe('hourly rollups after a replay of the dashboard scenario', () => {
  const scenario = replayedStore(replayScenario);

  it('equal the aggregation over the window tables, per env and hour and over the whole range', async () => {
    await expectRollupsEqualDetail(scenario.store);
  });

  it('hold the hand-checked values: prod/api drifted in the 10:00 hour; qa ran unit twice in its 14:00 hour', async () => {
    // lagging-replica: prod/api's replica lags from 10:05; prod's other drifted keys (search, pay) are in later hours.
    const drift = await scenario.store.query(`SELECT uniqExactMerge(drifted_keys) AS drifted FROM driftwatch.drift_keys_hourly WHERE env = 'prod' AND hour = '2026-11-27 10:00:00'`);
    expect(drift).toEqual([{ drifted: 1 }]);
    // ops-signals: qa's unit gate passed in the 14:30 and the 14:40 window, one run each: 2 (the max of the two is 1).
    const gates = await scenario.store.query(
      `SELECT gate, arraySum(maxMapMerge(passed).2) AS passed, arraySum(maxMapMerge(failed).2) AS failed
       FROM driftwatch.gate_runs_hourly WHERE env = 'qa' AND hour = '2026-11-27 14:00:00' GROUP BY gate ORDER BY gate`,
    );
    expect(gates).toEqual([
      { gate: 'security', passed: 0, failed: 1 },
      { gate: 'smoke', passed: 1, failed: 0 },
      { gate: 'unit', passed: 2, failed: 0 },
    ]);
  });

  it("sql/README.md's daily examples: prod's three drifted keys of the day once each; the day's gate runs", async () => {
    const drift = await scenario.store.query(readmeExample('drifted keys per env and day'));
    // prod/api (10:00 hour), prod/search (12:00), prod/pay (13:00); staging/web (11:00).
    expect(drift.filter((r) => r.env === 'prod' || r.env === 'staging').map((r) => [r.env, r.drifted_keys])).toEqual([
      ['prod', 3],
      ['staging', 1],
    ]);
    const gates = await scenario.store.query(readmeExample('gate failure rate per gate and day'));
    expect(gates.map((r) => [r.gate, r.passed_runs, r.failed_runs, r.failure_rate])).toEqual([
      ['security', 0, 1, 1],
      ['smoke', 1, 1, 0.5],
      ['unit', 2, 0, 0],
    ]);
  });

  it('do not change when the window rows are inserted again (a second replay, a retried batch, a restart)', async () => {
    const before = { drift: await both(scenario.store, 'drift'), gates: await both(scenario.store, 'gates') };
    const parts = async () => (await scenario.store.query<{ n: number }>('SELECT count() AS n FROM driftwatch.gate_runs_hourly'))[0]!.n;
    const rowsBefore = await parts();
    // Without ingested_at (it takes the insert's time): a block of its own, not dropped by the block-checksum dedup, so the views see it.
    for (const table of ['drift_windows', 'gate_windows']) {
      const columns = (await scenario.store.query<{ name: string }>(`SELECT name FROM system.columns WHERE database = 'driftwatch' AND table = '${table}' AND name != 'ingested_at'`))
        .map((c) => c.name)
        .join(', ');
      await scenario.store.command(`INSERT INTO driftwatch.${table} (${columns}) SELECT ${columns} FROM driftwatch.${table}`);
    }
    expect(await parts()).toBeGreaterThan(rowsBefore); // the view did see the repeat
    expect({ drift: await both(scenario.store, 'drift'), gates: await both(scenario.store, 'gates') }).toEqual(before);
  });

  it("add another instance's share of the same windows, as the sum over the window rows does", async () => {
    const columns = 'window_start, window_end, env, gate, passed, failed';
    await scenario.store.command(`INSERT INTO driftwatch.gate_windows (${columns}, instance_id) SELECT ${columns}, 'engine-b' FROM driftwatch.gate_windows FINAL WHERE env = 'qa'`);
    await expectRollupsEqualDetail(scenario.store);
    const unit = await scenario.store.query(`SELECT arraySum(maxMapMerge(passed).2) AS passed FROM driftwatch.gate_runs_hourly WHERE env = 'qa' AND gate = 'unit'`);
    expect(unit).toEqual([{ passed: 4 }]);
  });

  it('do not change when migration 0012 runs again, back-fill included (a run cut half way is run again)', async () => {
    const before = { drift: await both(scenario.store, 'drift'), gates: await both(scenario.store, 'gates') };
    const file = readFileSync(join(defaultMigrationsDir(), '0012_hourly_rollups.sql'), 'utf8');
    for (const sql of splitStatements(file)) await scenario.store.command(sql);
    expect({ drift: await both(scenario.store, 'drift'), gates: await both(scenario.store, 'gates') }).toEqual(before);
  });
});

describe('hourly rollups after a replay of a generated demo scenario', () => {
  const demo = replayedStore(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dw-rollups-demo-')), 'events.ndjson');
    writeFileSync(file, [...new ScenarioGenerator({ seed: 5, spanMs: 3 * 3_600_000 })].map((r) => r.value).join('\n') + '\n');
    return replayFixture(file, { store: true });
  });

  it('equal the aggregation over the window tables', async () => {
    await expectRollupsEqualDetail(demo.store);
    // Generated promotions run gates: the comparison is not over empty tables.
    expect((await both(demo.store, 'gates')).rollup.length).toBeGreaterThan(3);
  });

  it("sql/README.md's gate runs per gate and day sum the envs' runs (every env runs the same gates in the same windows)", async () => {
    // A window's key in the rollup's maxMap is its start and instance, not its env: merged across envs, the
    // same window of two envs kept the larger count instead of the sum.
    const rows = await demo.store.query(readmeExample('gate failure rate per gate and day'));
    const detail = await demo.store.query(
      `SELECT toDate(window_start) AS day, gate, sum(passed) AS passed_runs, sum(failed) AS failed_runs,
              failed_runs / nullIf(passed_runs + failed_runs, 0) AS failure_rate
       FROM driftwatch.gate_windows FINAL GROUP BY day, gate ORDER BY day, gate`,
    );
    expect(detail.length).toBeGreaterThan(0);
    expect(rows).toEqual(detail);
  });
});

describe('migration 0012 on a store with windows written before it', () => {
  it('back-fills the rollups from the stored windows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-rollups-mig-'));
    // The store as 0011 left it: later migrations (0014 alters 0012's tables) come with the upgrade, in order.
    const later = readdirSync(defaultMigrationsDir()).filter((f) => f.endsWith('.sql') && f >= '0012').sort();
    cpSync(defaultMigrationsDir(), dir, { recursive: true });
    for (const f of later) rmSync(join(dir, f));
    const t = await openEmbeddedStore(mkdtempSync(join(tmpdir(), 'dw-rollups-data-')), { migrate: false });
    try {
      await migrate(t, { dir });
      await t.command(`INSERT INTO driftwatch.gate_windows (window_start, window_end, env, gate, instance_id, passed, failed) VALUES
        ('2026-11-20 10:00:00', '2026-11-20 10:05:00', 'qa', 'unit', 'a', 1, 0),
        ('2026-11-20 10:00:00', '2026-11-20 10:05:00', 'qa', 'unit', 'b', 1, 1),
        ('2026-11-20 10:55:00', '2026-11-20 11:00:00', 'qa', 'unit', 'a', 2, 0)`);
      await t.command(`INSERT INTO driftwatch.drift_windows (window_start, window_end, env, artifact, observations, divergent_observations, sources,
        divergent_sources, hydrations, hydration_errors, index_ops, index_errors, late_events) VALUES
        ('2026-11-20 10:00:00', '2026-11-20 10:05:00', 'qa', 'pay', 2, 1, 2, 1, 0, 0, 0, 0, 0),
        ('2026-11-20 10:05:00', '2026-11-20 10:10:00', 'qa', 'pay', 2, 1, 2, 1, 0, 0, 0, 0, 0),
        ('2026-11-20 10:05:00', '2026-11-20 10:10:00', 'qa', 'web', 2, 0, 2, 0, 0, 0, 0, 0, 0)`);
      for (const f of later) cpSync(join(defaultMigrationsDir(), f), join(dir, f));
      expect(await migrate(t, { dir })).toMatchObject({ applied: later });
      expect(later[0]).toBe('0012_hourly_rollups.sql');
      await expectRollupsEqualDetail(t);
      // qa's 10:00 hour: unit passed 1 + 1 + 2 and failed once; pay drifted in two windows, web in none.
      expect((await both(t, 'gates')).rollup).toEqual([{ h: '2026-11-20 10:00:00', env: 'qa', gate: 'unit', passed_runs: 4, failed_runs: 1 }]);
      expect((await both(t, 'drift')).rollup).toEqual([{ h: '2026-11-20 10:00:00', env: 'qa', keys: 2, drifted_keys: 1 }]);
    } finally {
      await t.close();
    }
  });
});
