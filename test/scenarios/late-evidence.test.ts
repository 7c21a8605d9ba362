/**
 * Late events (SPEC §4.7) as evidence for determinism and alerts, worked out
 * by hand. Frontier = newest event time − 2 × allowed lateness (60 s); an event
 * older than the frontier is late: counted, stored, "never silently lost", and
 * it does not reopen a closed window. A 5-minute window [s, s + 5 min) closes
 * when the frontier reaches s + 5 min, so a late event of a window the frontier
 * is still inside belongs to a window that is open.
 */
import { describe, expect, it } from 'vitest';
import { alertShape, replayFixture } from '../helpers/replay-fixture.js';

describe('late evidence (SPEC §4.7)', () => {
  it('a late conflicting hydration counts in its still-open window, not in a closed one; a late unverified snapshot still alerts', async () => {
    const { incidents, alerts, summary } = await replayFixture('late-evidence.ndjson');
    // Lines: L in1→o1 15:00; M 15:04 (frontier 15:03:00); L in1→o2 "15:02:59.999" → late, but its window
    // [15:00, 15:05) is open (the frontier is inside it): the conflict is known at the frontier, 15:03:00.000 → a
    // determinism incident from then (as a late state-drift observation is judged from the frontier). K in1→o1
    // 15:04:30; L in1→o1 15:06 (frontier 15:05:00: [15:00, 15:05) closes); K in1→o2 "15:04:59.999" → late and its
    // window closed: ignored (no reopening). The snapshot "15:04:00" → late too.
    expect(summary).toMatchObject({ late: 3, deadLetters: 0 });
    // L: one output per input in [15:05, 15:10) → resolved at 15:10:00.000, 7 min after the frontier opened it.
    expect(incidents.map((i) => `${String(i.ruleId)} ${String(i.startedAt)} → ${String(i.resolvedAt)} ${String(i.recoveryMs)} ${JSON.stringify(i.divergentDigests)}`)).toEqual([
      'L 2026-11-27T15:03:00.000Z → 2026-11-27T15:10:00.000Z 420000 ["o1","o2"]',
    ]);
    expect(incidents[0]).toMatchObject({ detectedAt: '2026-11-27T15:03:00.000Z' });
    // L2 at 15:08:00, resolved 15:10 (L3 would be 15:18).
    expect(alerts.filter((a) => a.rule === 'hydration_nondeterminism').map(alertShape)).toEqual([
      'hydration_nondeterminism firing high L1 dev/lt 2026-11-27T15:03:00.000Z',
      'hydration_nondeterminism firing high L2 dev/lt 2026-11-27T15:03:00.000Z',
      'hydration_nondeterminism resolved high L2 dev/lt 2026-11-27T15:03:00.000Z → 2026-11-27T15:10:00.000Z',
    ]);
    // The unverified snapshot reported "at 15:04:00", learnt when the frontier is 15:05:00: it fires from then (the
    // time it is known, as late drift evidence), and nothing verifies it later: escalation to L4 by its own age (the
    // end of input moves event time past every step), and no other snapshot of the key for a day after it was
    // learnt (the rule's window) resolves it as no longer measured.
    expect(alerts.filter((a) => a.rule === 'snapshot_not_verified').map(alertShape)).toEqual([
      'snapshot_not_verified firing high L1 stage/snap 2026-11-27T15:05:00.000Z',
      'snapshot_not_verified firing high L2 stage/snap 2026-11-27T15:05:00.000Z',
      'snapshot_not_verified firing high L3 stage/snap 2026-11-27T15:05:00.000Z',
      'snapshot_not_verified firing high L4 stage/snap 2026-11-27T15:05:00.000Z',
      'snapshot_not_verified resolved high L4 stage/snap 2026-11-27T15:05:00.000Z → 2026-11-28T15:05:00.000Z',
    ]);
  });
});
