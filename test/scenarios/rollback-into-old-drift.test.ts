/**
 * rollback_failed for a drift older than the rollback (SPEC §6: escalation by
 * the age of the firing alert), worked out by hand. prod/rb: d2 desired since
 * 10:00, r1 serves a rogue digest from 10:05 (re-reported every 10 min, so it
 * is never forgotten), the promotion is rolled back to d1 at 10:36, r1 still
 * serves the rogue digest at 10:37 and d1 at 10:45.
 */
import { describe, expect, it } from 'vitest';
import { alertShape, replayFixture } from '../helpers/replay-fixture.js';

describe('a rollback into a drift that is already old', () => {
  it('rollback_failed starts at the rollback, L1 first, not at the drift\'s start already escalated', async () => {
    const { incidents, alerts } = await replayFixture('rollback-into-old-drift.ndjson');
    // One incident throughout: 10:05 → 10:45 (40 min), its desired state from the rollback at the end.
    expect(incidents).toEqual([
      expect.objectContaining({ startedAt: '2026-11-27T10:05:00.000Z', resolvedAt: '2026-11-27T10:45:00.000Z', reason: 'converged', expectedDigest: 'sha256:d1', divergentDigests: ['sha256:evil'], recoveryMs: 40 * 60_000 }),
    ]);
    // drift_detected follows the drift itself: L2 10:10, L3 10:20, L4 10:35, resolved 10:45.
    expect(alerts.filter((a) => a.rule === 'drift_detected').map((a) => `${a.status} L${a.escalationLevel}`)).toEqual(['firing L1', 'firing L2', 'firing L3', 'firing L4', 'resolved L4']);
    // rollback_failed's condition — still drifting while the desired state comes from a rollback — begins at the
    // rollback, 10:36: that is its startsAt and the age its escalation counts from (L2 at 10:41; resolved at 10:45,
    // before L3 at 10:51). Counting from the drift's 10:05 would page L4 (the director) the second the rollback is
    // made: the alert would be born 31 min old.
    expect(alerts.filter((a) => a.rule === 'rollback_failed').map(alertShape)).toEqual([
      'rollback_failed firing critical L1 prod/rb 2026-11-27T10:36:00.000Z',
      'rollback_failed firing critical L2 prod/rb 2026-11-27T10:36:00.000Z',
      'rollback_failed resolved critical L2 prod/rb 2026-11-27T10:36:00.000Z → 2026-11-27T10:45:00.000Z',
    ]);
    expect(alerts.find((a) => a.rule === 'rollback_failed')!.annotations.notify).toBe('On-Call Engineer');
  });
});
