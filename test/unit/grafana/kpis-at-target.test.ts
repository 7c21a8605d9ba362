/**
 * The seed's targets are strict (promotion success > 95 %, gate failure < 5 %,
 * mean promotion duration < 5 min): a range exactly at one misses it, so
 * System status is YELLOW, as the KPI's own stat is red (seed-panels.test.ts).
 * Fixture kpis-at-target.ndjson (2026-12-01, UTC), hand-checked, range 10:00–11:00:
 *   rate/api   p-1 … p-20 start every 2 min from 10:00 and end 60 s later; p-20 (10:38–10:39) failed: 19/20 = 95 %
 *   gates/db   g-1 10:02–10:04 succeeded, 20 gates check-1 … check-20 between, check-8 failed: 1/20 = 5 %
 *   slow/web   s-1 10:01–10:06 succeeded: 300 s, exactly 5 min
 * No hydration or index event: no incident, no drift, nothing critical. Each env on its own meets every
 * other KPI (rate's mean duration 60 s, no gates; gates' 120 s; slow's 100 %), so only the KPI at its
 * target can make it YELLOW.
 */
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { replayedStore } from '../../helpers/replayed-store.js';
import { runPanel } from './panel-runner.js';
import { at } from './hand-checked.js';

const replayed = replayedStore(fileURLToPath(new URL('./fixtures/kpis-at-target.ndjson', import.meta.url)));
const status = async (env: string) => (await runPanel(replayed.store, 'driftwatch-overview', 'System status', [env], at('11:00:00'), {}, at('10:00:00')))[0];

describe('System status with a KPI exactly at its target', () => {
  it('promotion success of exactly 95 % is YELLOW', async () => {
    expect(await status('rate')).toMatchObject({ status: 1, success_rate: 0.95, open_incidents: 0, critical_open: 0, critical_firing: 0, mttr_breaches: 0 });
  });

  it('gate failure of exactly 5 % is YELLOW', async () => {
    expect(await status('gates')).toMatchObject({ status: 1, success_rate: 1, gate_failure_rate: 0.05, mean_duration_minutes: 2 });
  });

  it('mean promotion duration of exactly 5 min is YELLOW', async () => {
    expect(await status('slow')).toMatchObject({ status: 1, success_rate: 1, mean_duration_minutes: 5 });
  });
});
