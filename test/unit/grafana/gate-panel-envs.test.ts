/**
 * Gate failure rate by gate (promotions dashboard) over several envs: the
 * hourly rollup it reads (gate_runs_hourly, migration 0012) keys a window by
 * its start and instance, not its env, so the panel must merge per env and
 * add the envs' sums. A generated scenario runs the same gates in every env,
 * often in the same 5-minute window, which the dashboard scenario never does.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScenarioGenerator } from '../../../engine/demo/scenario-generator.js';
import { replayFixture } from '../../helpers/replay-fixture.js';
import { replayedStore } from '../../helpers/replayed-store.js';
import { runPanel } from './panel-runner.js';

const from = new Date('2026-01-05T00:00:00.000Z');
const to = new Date('2026-01-05T03:00:00.000Z');

const demo = replayedStore(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'dw-gate-panel-')), 'events.ndjson');
  writeFileSync(file, [...new ScenarioGenerator({ seed: 5, startAt: from.getTime(), spanMs: 3 * 3_600_000 })].map((r) => r.value).join('\n') + '\n');
  return replayFixture(file, { store: true });
});

const sorted = (rows: Array<Record<string, unknown>>) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('Gate failure rate by gate, all envs selected', () => {
  it("adds the envs' runs of a window, as the sum over gate_windows does (merged across envs, the rollup kept the larger)", async () => {
    const rows = await runPanel(demo.store, 'driftwatch-promotions', 'Gate failure rate by gate', 'All', to, {}, from);
    const detail = await demo.store.query(
      `SELECT toStartOfInterval(toDateTime(window_start), INTERVAL 3600 second) AS time, gate,
              sum(failed) / nullIf(sum(passed + failed), 0) AS failure_rate
       FROM driftwatch.gate_windows FINAL GROUP BY time, gate`,
    );
    expect(detail.length).toBeGreaterThan(3);
    expect(sorted(rows)).toEqual(sorted(detail));
  });
});
