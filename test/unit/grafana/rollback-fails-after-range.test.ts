/**
 * Rollback success counts a rollback as failed when the environment still
 * drifted after it (a rollback_failed alert began under it), whenever that
 * became known — not only when the alert began inside the same range.
 * Fixture rollback-fails-after-range.ndjson (2026-12-01, UTC), hand-checked:
 *   qa/ok     p-4 rolled back to e1 at 10:20; h7 runs e1 at 10:21, within the 120 s grace: a clean rollback
 *   prod/pay  p-2 rolled back to d1 at 10:59:30; h5 still runs d2 when the grace ends, 11:01:30: a state
 *             incident, rollback_failed from 11:01:30 (h5 reports d2 at 11:03, d1 at 11:05: resolved)
 * Over 10:00–11:00 both rollbacks are in the range and one of them failed: 1/2. Before, the failure was
 * paired with rollbacks by the range of its alert's start, so 10:00–11:00 read 2/2 (100 %) and
 * 11:00–12:00, with no rollback, dropped it: the failed rollback counted in no range.
 */
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { replayedStore } from '../../helpers/replayed-store.js';
import { runPanel } from './panel-runner.js';
import { at } from './hand-checked.js';

const replayed = replayedStore(fileURLToPath(new URL('./fixtures/rollback-fails-after-range.ndjson', import.meta.url)));
const rollbackSuccess = (from: string, to: string) => runPanel(replayed.store, 'driftwatch-promotions', 'Rollback success (target > 99 %)', 'All', at(to), {}, at(from));

describe('a rollback that fails after the end of the range', () => {
  it('the replay: rollback_failed on prod/pay from 11:01:30, none on qa/ok', () => {
    const failed = replayed.replay.alerts.filter((a) => a.rule === 'rollback_failed' && a.status === 'firing');
    expect(failed.map((a) => [a.labels.env, a.labels.artifact, a.startsAt])).toEqual([['prod', 'pay', '2026-12-01T11:01:30.000Z']]);
  });

  it('counts as failed in the range of the rollback, and in no other', async () => {
    expect(await rollbackSuccess('10:00:00', '11:00:00')).toEqual([{ rollback_success: 0.5, rollbacks: 2, failed_rollbacks: 1 }]);
    expect(await rollbackSuccess('10:30:00', '11:00:00')).toEqual([{ rollback_success: 0, rollbacks: 1, failed_rollbacks: 1 }]);
    expect(await rollbackSuccess('10:00:00', '10:30:00')).toEqual([{ rollback_success: 1, rollbacks: 1, failed_rollbacks: 0 }]);
    expect(await rollbackSuccess('11:00:00', '12:00:00')).toEqual([{ rollback_success: null, rollbacks: 0, failed_rollbacks: 0 }]);
    expect(await rollbackSuccess('10:00:00', '12:00:00')).toEqual([{ rollback_success: 0.5, rollbacks: 2, failed_rollbacks: 1 }]);
  });
});
