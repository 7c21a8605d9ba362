/**
 * The trend panels that read the hourly rollups (migration 0012) show what
 * their former queries over the window tables showed at an hourly interval,
 * and take in the whole first hour of a range that starts inside it.
 */
import { describe, expect, it } from 'vitest';
import { replayedStore } from '../../helpers/replayed-store.js';
import { runPanel } from './panel-runner.js';
import { replayScenario, scenarioFrom, scenarioTo } from './scenario.js';

const scenario = replayedStore(replayScenario);

const hourOf = (column: string) => `toStartOfInterval(toDateTime(${column}), INTERVAL 3600 second)`;
const sorted = (rows: Array<Record<string, unknown>>) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('panels on the hourly rollups', () => {
  it('overview: Drifted keys by environment, per hour, as from drift_windows', async () => {
    const rows = await runPanel(scenario.store, 'driftwatch-overview', 'Drifted keys by environment');
    const before = await scenario.store.query(
      `SELECT ${hourOf('window_start')} AS time, env, uniqExactIf(artifact, divergent_sources > 0) AS drifted_keys FROM driftwatch.drift_windows FINAL GROUP BY time, env`,
    );
    expect(sorted(rows)).toEqual(sorted(before));
    // One key drifted per hour and env (prod/api at 10, staging/web at 11, prod/search at 12, prod/pay at 13); dev and qa
    // had windows at 14 and no drift: a point at 0.
    expect(sorted(rows.filter((r) => r.time === '2026-11-27 14:00:00'))).toEqual([
      { time: '2026-11-27 14:00:00', env: 'dev', drifted_keys: 0 },
      { time: '2026-11-27 14:00:00', env: 'qa', drifted_keys: 0 },
    ]);
  });

  it('promotions: Gate failure rate by gate, per hour, as from gate_windows', async () => {
    const rows = await runPanel(scenario.store, 'driftwatch-promotions', 'Gate failure rate by gate');
    const before = await scenario.store.query(
      `SELECT ${hourOf('window_start')} AS time, gate, sum(failed) / nullIf(sum(passed + failed), 0) AS failure_rate FROM driftwatch.gate_windows FINAL GROUP BY time, gate`,
    );
    expect(sorted(rows)).toEqual(sorted(before));
    // prod's smoke failed at 12:10; qa's 14:00 hour: smoke passed, security failed, unit passed twice.
    expect(sorted(rows)).toEqual(
      sorted([
        { time: '2026-11-27 12:00:00', gate: 'smoke', failure_rate: 1 },
        { time: '2026-11-27 14:00:00', gate: 'security', failure_rate: 1 },
        { time: '2026-11-27 14:00:00', gate: 'smoke', failure_rate: 0 },
        { time: '2026-11-27 14:00:00', gate: 'unit', failure_rate: 0 },
      ]),
    );
  });

  it('a range starting inside an hour takes in that whole hour; the env filter applies', async () => {
    const from = new Date('2026-11-27T14:45:00.000Z');
    const gates = await runPanel(scenario.store, 'driftwatch-promotions', 'Gate failure rate by gate', 'All', scenarioTo(), {}, from);
    expect(gates.map((r) => r.gate).sort()).toEqual(['security', 'smoke', 'unit']);
    expect(await runPanel(scenario.store, 'driftwatch-promotions', 'Gate failure rate by gate', ['prod'], scenarioTo(), {}, from)).toEqual([]);
    const drift = await runPanel(scenario.store, 'driftwatch-overview', 'Drifted keys by environment', ['prod'], new Date('2026-11-27T10:59:59.000Z'), {}, scenarioFrom);
    expect(drift).toEqual([{ time: '2026-11-27 10:00:00', env: 'prod', drifted_keys: 1 }]);
  });
});
