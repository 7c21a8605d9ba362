/**
 * Late events of a window that has not closed count in it (SPEC §4.7: late
 * events are counted, "never silently lost", and do not reopen *closed*
 * windows), in every windowed aggregate; one of a closed window changes no
 * window. Worked out by hand. Frontier = newest event time − 2 × allowed
 * lateness (60 s); an event older than the frontier is late and learnt at the
 * frontier. A 5-minute window [s, s + 5 min) closes when the frontier reaches
 * s + 5 min, so a late event is of an open window exactly when the frontier
 * is still inside the event's own window.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertShape, replayFixture } from '../helpers/replay-fixture.js';
import { openEmbeddedStore } from '../../store/open-store.js';

async function rowsOf(outDir: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const store = await openEmbeddedStore(join(outDir, 'store'));
  try {
    return await store.query<Record<string, unknown>>(sql);
  } finally {
    await store.close();
  }
}

describe('late events of an open window (SPEC §4.7)', () => {
  it('drift windows and index_error_rate_high count a late index op, hydration and observation of the open window, not one of a closed window', async () => {
    const { outDir, alerts, incidents, summary } = await replayFixture('late-open-window-index.ndjson', { store: true });
    // ix/search, all served digest s1, no promotion (unmanaged: nothing drifts). In order: 18 ok index ops of i1 at
    // 10:01:00–10:01:17, an error of i1 at 10:02:00, an ok op at 10:04:00 (frontier 10:03:00). Then, late (older than
    // 10:03:00) but of the window [10:00, 10:05) the frontier is in: an index error of i2 at 10:02:30, an ok hydration
    // of h1 at 10:02:45, an ok index op of i3 at 10:02:50. An ok op at 10:06:30 moves the frontier to 10:05:30: the
    // window closes; an index error of i2 at 10:04:59.999 is then late of a closed window.
    expect(summary).toMatchObject({ late: 4, deadLetters: 0 });
    expect(incidents).toEqual([]);
    const windows = await rowsOf(
      outDir,
      "SELECT toString(window_start) w, observations o, sources s, hydrations h, index_ops ops, index_errors err, late_events late FROM driftwatch.drift_windows FINAL WHERE env = 'ix' ORDER BY window_start",
    );
    // [10:00, 10:05): ops 18 + 1 + 1 in order + 2 late = 22, errors 2 (10:02:00 and the late 10:02:30); observations
    // are the ok ops and hydrations: 19 in order + i3's + h1's = 21, from i1, i3 and h1; 3 late events.
    // [10:05, 10:10): the 10:06:30 op, and the late error of the closed window only as a late event (no op, no error).
    expect(windows).toEqual([
      { w: '2026-11-27 10:00:00.000', o: 21, s: 3, h: 1, ops: 22, err: 2, late: 3 },
      { w: '2026-11-27 10:05:00.000', o: 1, s: 1, h: 0, ops: 1, err: 0, late: 1 },
    ]);
    expect(await rowsOf(outDir, "SELECT hydrations h, index_ops ops, index_errors err, late_events late FROM driftwatch.env_windows FINAL WHERE env = 'ix' ORDER BY window_start")).toEqual([
      { h: 1, ops: 22, err: 2, late: 3 },
      { h: 0, ops: 1, err: 0, late: 1 },
    ]);
    // index_error_rate_high (5 %, 5-minute window, ≥ 20 ops): 2 / 22 = 9.1 % over 22 ops fires at 10:05 (without the
    // late error, 1 / 20 = 5 % is no breach: no alert at all). The 10:10 window alone, 0 / 1, resolves it at 10:10 —
    // the instant it would reach L2, so it does not escalate. Had the closed window's late error counted there (1 / 2,
    // too few ops to judge), the alert would have stayed firing until that window left the rule's window at 10:15.
    expect(alerts.filter((a) => a.rule === 'index_error_rate_high').map(alertShape)).toEqual([
      'index_error_rate_high firing medium L1 ix 2026-11-27T10:05:00.000Z',
      'index_error_rate_high resolved medium L1 ix 2026-11-27T10:05:00.000Z → 2026-11-27T10:10:00.000Z',
    ]);
  });

  it('promotion windows, outcomes and promotion_duration_high count late lifecycle events, gates and snapshots of the open window', async () => {
    const { outDir, alerts, incidents, summary } = await replayFixture('late-open-window-promotions.ndjson', { store: true });
    // Env pr (`tick` events in env tick move event time). In order: p1 started 09:45:00, p3 started 10:01:00; tick
    // 10:06:00 → frontier 10:05:00, window [10:00, 10:05) closed. Late, closed window: p3 failed 10:04:30 (not counted,
    // no outcome). In order: p6 succeeded 10:05:10, p5 succeeded 10:05:30 (no start known: no duration yet); tick
    // 10:07:00 → frontier 10:06:00. Late, open window [10:05, 10:10): p5 started 10:05:20 (after its own end: the attempt
    // it began ended at 10:05:30 → 10 s), p1 succeeded 10:05:40 (20 min 40 s after its start), p2 started 10:05:50,
    // p2's smoke gate failed 10:05:55, p2's verified snapshot 10:05:58. Late, of the closed window [10:00, 10:05): p6
    // started 10:04:50 — not a start of [10:05, 10:10), but its attempt ended at 10:05:10, in that open window: 20 s
    // there. p2 succeeded 10:07:30 in order (1 min 40 s). Tick 10:12:00 → frontier 10:11:00, [10:05, 10:10) closes;
    // p4 succeeded 10:09:00 is then late of a closed window: not counted, no outcome.
    expect(summary).toMatchObject({ late: 8, deadLetters: 0 });
    expect(incidents).toEqual([]);
    const windows = await rowsOf(
      outDir,
      "SELECT toString(window_start) w, started, succeeded, failed, promotions_ended ended, duration_count n, duration_sum_ms sum, snapshots_verified snaps FROM driftwatch.promotion_windows FINAL WHERE env = 'pr' ORDER BY window_start",
    );
    expect(windows).toEqual([
      { w: '2026-11-27 09:45:00.000', started: 1, succeeded: 0, failed: 0, ended: 0, n: 0, sum: 0, snaps: 0 },
      { w: '2026-11-27 10:00:00.000', started: 1, succeeded: 0, failed: 0, ended: 0, n: 0, sum: 0, snaps: 0 },
      // p5 and p2 started; p6, p5, p1 and p2 succeeded; durations 20 s + 10 s + 1240 s + 100 s.
      { w: '2026-11-27 10:05:00.000', started: 2, succeeded: 4, failed: 0, ended: 4, n: 4, sum: 1_370_000, snaps: 1 },
    ]);
    expect(await rowsOf(outDir, "SELECT toString(window_start) w, gate, passed, failed FROM driftwatch.gate_windows FINAL WHERE env = 'pr'")).toEqual([
      { w: '2026-11-27 10:05:00.000', gate: 'smoke', passed: 0, failed: 1 },
    ]);
    // Each promotion that ended in an open window has its outcome; p3 and p4 (late, closed windows) none.
    expect(
      await rowsOf(outDir, "SELECT promotion_id id, outcome, toString(first_ended_at) ended FROM driftwatch.promotion_outcomes FINAL WHERE env = 'pr' ORDER BY promotion_id"),
    ).toEqual([
      { id: 'p1', outcome: 'succeeded', ended: '2026-11-27 10:05:40.000' },
      { id: 'p2', outcome: 'succeeded', ended: '2026-11-27 10:07:30.000' },
      { id: 'p5', outcome: 'succeeded', ended: '2026-11-27 10:05:30.000' },
      { id: 'p6', outcome: 'succeeded', ended: '2026-11-27 10:05:10.000' },
    ]);
    // promotion_duration_high (mean > 5 min over 1 h, ≥ 1 promotion): 1370 s / 4 = 5 min 42.5 s at the close of
    // [10:05, 10:10) → fires at 10:10 (without the late events, p2's 100 s alone: no alert); L2 10:15, L3 10:25,
    // L4 10:40; no later window of pr: resolved when it leaves the hour, 11:10.
    expect(alerts.filter((a) => a.rule === 'promotion_duration_high').map(alertShape)).toEqual([
      'promotion_duration_high firing medium L1 pr 2026-11-27T10:10:00.000Z',
      'promotion_duration_high firing medium L2 pr 2026-11-27T10:10:00.000Z',
      'promotion_duration_high firing medium L3 pr 2026-11-27T10:10:00.000Z',
      'promotion_duration_high firing medium L4 pr 2026-11-27T10:10:00.000Z',
      'promotion_duration_high resolved medium L4 pr 2026-11-27T10:10:00.000Z → 2026-11-27T11:10:00.000Z',
    ]);
  });
});
