/**
 * The in-flight panels over a promotion retried under the same id (fixture
 * promotion-retried.ndjson, all staging, hand-checked from its lines):
 *   pR1  started 10:02, gate smoke failed 10:03, failed 10:03:30;
 *        started again 10:12, gate smoke passed 10:12:30, succeeded 10:13
 *   p05  started 10:12:10, gate smoke passed 10:12:30, succeeded 10:13:10
 *   pR2  started 10:31, gate passed 10:31:30, failed 10:32;
 *        started again 10:33, gate passed 10:33:30, succeeded 10:34
 *   p12  started 10:33:10, gate passed 10:33:30, succeeded 10:34:10
 * A retry runs again (the engine counts its duration and gate runs per
 * attempt): while it runs, the promotion is in flight, whatever an earlier
 * attempt ended with. The panels looked for "no end event at all", so a
 * retried promotion never showed as active: 1 at 10:12:45 instead of 2.
 */
import { describe, it, expect } from 'vitest';
import { replayedStore } from '../../helpers/replayed-store.js';
import { runPanel } from './panel-runner.js';

const replayed = replayedStore('promotion-retried.ndjson');
const at = (hhmmss: string) => new Date(`2026-11-27T${hhmmss}.000Z`);
const from = at('09:00:00');

const active = async (hhmmss: string) => (await runPanel(replayed.store, 'driftwatch-overview', 'Active promotions', 'All', at(hhmmss), {}, from))[0];
const inFlight = (hhmmss: string) => runPanel(replayed.store, 'driftwatch-promotions', 'Active promotions (in flight)', 'All', at(hhmmss), {}, from);

describe('a promotion retried under its id is in flight while its retry runs', () => {
  it('Overview Active promotions counts the retry: 2 at 10:12:45 (pR1, p05) and at 10:33:45 (pR2, p12)', async () => {
    expect(await active('10:03:15')).toEqual({ active_promotions: 2 }); // pR1's first attempt, p02
    expect(await active('10:05:00')).toEqual({ active_promotions: 0 }); // pR1 failed, p02 succeeded, p03 not started
    expect(await active('10:12:45')).toEqual({ active_promotions: 2 });
    expect(await active('10:33:45')).toEqual({ active_promotions: 2 });
    expect(await active('10:34:15')).toEqual({ active_promotions: 0 });
  });

  it("the in-flight table shows the running attempt: its start, its gates, its running time", async () => {
    const staging = { env: 'staging', actor: null, snapshot: 'none' };
    expect(await inFlight('10:12:45')).toEqual([
      // The failed smoke run was the first attempt's: this one has passed its gate and runs for 45 s.
      {
        ...staging, artifact: 'retry-a', promotion_id: 'pR1', version: '1.51.0', started_at: '2026-11-27 10:12:00.000',
        last_step: 'gate', last_step_at: '2026-11-27 10:12:30.000', gates_passed: 1, gates_failed: 0, running_minutes: 0.75,
      },
      {
        ...staging, artifact: 'svc-05', promotion_id: 'p05', version: '1.5.0', started_at: '2026-11-27 10:12:10.000',
        last_step: 'gate', last_step_at: '2026-11-27 10:12:30.000', gates_passed: 1, gates_failed: 0, running_minutes: 35 / 60,
      },
    ]);
    // The first attempt, while it ran: its failed gate is in the table.
    expect(await inFlight('10:03:15')).toMatchObject([
      { promotion_id: 'pR1', started_at: '2026-11-27 10:02:00.000', last_step: 'gate', gates_passed: 0, gates_failed: 1 },
      { promotion_id: 'p02', started_at: '2026-11-27 10:03:10.000', last_step: 'started', gates_passed: 0, gates_failed: 0 },
    ]);
    // pR2's retry at 10:33:15 has no gate yet; its first attempt's passed gate is not this attempt's.
    expect(await inFlight('10:33:15')).toMatchObject([
      { promotion_id: 'pR2', started_at: '2026-11-27 10:33:00.000', last_step: 'started', gates_passed: 0, gates_failed: 0, running_minutes: 0.25 },
      { promotion_id: 'p12', started_at: '2026-11-27 10:33:10.000', last_step: 'started' },
    ]);
  });
});
