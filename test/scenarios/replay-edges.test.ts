/**
 * Scenario tests at the edges of SPEC §3–§4 and §6: events exactly at a
 * boundary (a grace end, a source expiry, the lateness bound, a window edge,
 * an escalation age, the trailing MTTR hour), ties in event time, odd
 * promotion lifecycles, several sources ending one drift. Each expectation is
 * worked out by hand from SPEC (defaults: lateness 30 s, grace 120 s, source
 * TTL 15 min, escalation L2 at 5 min, L3 at 15 min, L4 at 30 min), the
 * reasoning next to it.
 *
 * One convention decides the instants where two things coincide: the events
 * of an instant are taken in before what time alone does at that instant (a
 * grace end, a source expiry, an escalation). A replica that reports the new
 * digest at the very millisecond its grace ends never drifted; a source that
 * reports at the very millisecond it would be forgotten is not forgotten.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertShape, fixturesDir, replayFixture } from '../helpers/replay-fixture.js';
import { openEmbeddedStore } from '../../store/open-store.js';

/** incident → one line: key, start, resolution, reason, recovery. */
function incidentShape(i: Record<string, unknown>): string {
  const rule = i.ruleId === undefined ? '' : ` ${String(i.ruleId)}`;
  return `${String(i.env)}/${String(i.artifact)}${rule} ${String(i.startedAt)} → ${String(i.resolvedAt)} ${String(i.reason)} ${String(i.recoveryMs)}`;
}

const sortedShapes = (incidents: Array<Record<string, unknown>>) => incidents.map(incidentShape).sort();

describe('replay at the edges of the SPEC', () => {
  it('grace end: the previous digest is acceptable until since + grace, exclusive, by event and by timer alike', async () => {
    const { incidents, alerts, summary } = await replayFixture('grace-end-exact.ndjson');
    expect(summary).toMatchObject({ late: 0, deadLetters: 0 });
    // Each key: new desired digest succeeded at 10:11:00 → the previous one acceptable while t < 10:13:00.000.
    // prod/api: r2 reports a2 at exactly 10:13:00.000 — its latest digest is acceptable at every instant (a1 up to
    //   10:12:59.999, a2 from 10:13:00.000): no drift, no alert (it was once a 0 ms incident, fired and resolved).
    // prod/web: r3 reports w1 at 10:12:59.999 (acceptable) and again at 10:13:00.000 (not: the event path) →
    //   drifted from 10:13:00.000, converged at 10:14.
    // prod/cat: i1 last reported c1 at 10:12, nothing at 10:13 → divergent when the grace ends (the timer path), at
    //   the same 10:13:00.000, converged at 10:15.
    expect(sortedShapes(incidents)).toEqual([
      'prod/cat 2026-11-27T10:13:00.000Z → 2026-11-27T10:15:00.000Z converged 120000',
      'prod/web 2026-11-27T10:13:00.000Z → 2026-11-27T10:14:00.000Z converged 60000',
    ]);
    for (const i of incidents) expect(i.detectedAt).toBe(i.startedAt);
    expect(alerts.map(alertShape).sort()).toEqual([
      'drift_detected firing high L1 prod/cat 2026-11-27T10:13:00.000Z',
      'drift_detected firing high L1 prod/web 2026-11-27T10:13:00.000Z',
      'drift_detected resolved high L1 prod/cat 2026-11-27T10:13:00.000Z → 2026-11-27T10:15:00.000Z',
      'drift_detected resolved high L1 prod/web 2026-11-27T10:13:00.000Z → 2026-11-27T10:14:00.000Z',
    ]);
  });

  it('source TTL: a source reporting at the very millisecond it would be forgotten is not forgotten', async () => {
    const { incidents, alerts } = await replayFixture('source-expiry-exact.ndjson');
    // Every key: r1 reports a rogue digest at 11:00:00.000 → drifted. Silent for longer than 15 min from
    // 11:15:00.001 on, unless it reports at that instant:
    // staging/f: reports the rogue digest again at 11:15:00.001 → still drifted, one incident (not one expired and
    //   a new one opened in the same millisecond), converged at 11:16.
    // staging/g: reports the desired digest at 11:15:00.001 → the report ended the drift: converged, not expired.
    // staging/h: says nothing → forgotten at 11:15:00.001, source_expired.
    expect(sortedShapes(incidents)).toEqual([
      'staging/f 2026-11-27T11:00:00.000Z → 2026-11-27T11:16:00.000Z converged 960000',
      'staging/g 2026-11-27T11:00:00.000Z → 2026-11-27T11:15:00.001Z converged 900001',
      'staging/h 2026-11-27T11:00:00.000Z → 2026-11-27T11:15:00.001Z source_expired 900001',
    ]);
    // One firing per escalation level and one resolution per key: L2 at 11:05, L3 at 11:15, none restarted at L1.
    const f = alerts.filter((a) => a.labels.artifact === 'f').map(alertShape);
    expect(f).toEqual([
      'drift_detected firing medium L1 staging/f 2026-11-27T11:00:00.000Z',
      'drift_detected firing medium L2 staging/f 2026-11-27T11:00:00.000Z',
      'drift_detected firing medium L3 staging/f 2026-11-27T11:00:00.000Z',
      'drift_detected resolved medium L3 staging/f 2026-11-27T11:00:00.000Z → 2026-11-27T11:16:00.000Z',
    ]);
    expect(alerts.filter((a) => a.status === 'resolved').map((a) => a.labels.artifact).sort()).toEqual(['f', 'g', 'h']);
  });

  it('two divergent sources ending for different reasons: the reason names the one that ended the drift', async () => {
    const { incidents } = await replayFixture('two-sources-resolve.ndjson');
    // All keys: r1 rogue at 10:05 (incident), r2 rogue at 10:06.
    // prod/m: r1 converges at 10:10 (r2 still divergent), r2 silent since 10:06 → forgotten at 10:21:00.001.
    // prod/n: r1 silent since 10:05 → forgotten at 10:20:00.001 (r2 still divergent), r2 converges at 10:25.
    // prod/o: r1 serves o2 before it is promoted, r2 converges at 10:08, po2 starts at 10:11 → o2 in flight.
    // prod/q: r2 converges at 10:20:00.001, the instant r1 is forgotten: the report is what the instant's judgement
    //   sees end the drift (both went at once; events of an instant come before its expiries).
    expect(sortedShapes(incidents)).toEqual([
      'prod/m 2026-11-27T10:05:00.000Z → 2026-11-27T10:21:00.001Z source_expired 960001',
      'prod/n 2026-11-27T10:05:00.000Z → 2026-11-27T10:25:00.000Z converged 1200000',
      'prod/o 2026-11-27T10:05:00.000Z → 2026-11-27T10:11:00.000Z promoted 360000',
      'prod/q 2026-11-27T10:05:00.000Z → 2026-11-27T10:20:00.001Z converged 900001',
    ]);
    expect(incidents.find((i) => i.artifact === 'o')).toMatchObject({ divergentDigests: ['sha256:o2', 'sha256:ox'], expectedDigest: 'sha256:o1' });
  });

  it('the lateness bound: an event exactly the allowed lateness behind the watermark is on time, 1 ms more is late', async () => {
    const { incidents, summary } = await replayFixture('lateness-edge.ndjson');
    // After the 10:05:00 event: watermark 10:04:30, frontier 10:04:00. "Older than the watermark by more than the
    // allowed lateness" = older than 10:04:00.000. i2's rogue report at 10:04:00.000 is on time and starts its
    // incident at its own time; j2's at 10:03:59.999 is late: counted, and judged from the frontier, 10:04:00.000.
    expect(summary).toMatchObject({ records: 9, events: 8, late: 1, deadLetters: 0 }); // events: released in order
    expect(sortedShapes(incidents)).toEqual([
      'prod/l1 2026-11-27T10:04:00.000Z → 2026-11-27T10:06:00.000Z converged 120000',
      'prod/l2 2026-11-27T10:04:00.000Z → 2026-11-27T10:06:00.000Z converged 120000',
    ]);
  });

  it('detectedAt − startedAt stays 0: a grace end followed by hours of silence, and a drift started by a late promotion', async () => {
    const { incidents, alerts, summary } = await replayFixture('detection-delay.ndjson');
    // prod/quiet: q2 succeeded 10:11 → r1 (on q1 since 10:11:30) divergent at 10:13:00; no event at all until
    //   13:00, which fires the timer: detected at 10:13:00 in event time all the same. r1 forgotten at 10:26:30.001.
    // prod/latep: lp2 (10:05) arrives after a 10:07 event → late, effective from the frontier 10:06:00: d1 stays
    //   acceptable until 10:08:00, then r1 (last on d1) drifts; back on d2 at 10:09.
    expect(summary).toMatchObject({ late: 1 });
    expect(sortedShapes(incidents)).toEqual([
      'prod/latep 2026-11-27T10:08:00.000Z → 2026-11-27T10:09:00.000Z converged 60000',
      'prod/quiet 2026-11-27T10:13:00.000Z → 2026-11-27T10:26:30.001Z source_expired 810001',
    ]);
    for (const i of incidents) expect(i.detectedAt).toBe(i.startedAt);
    expect(alerts.filter((a) => a.status === 'firing' && a.escalationLevel === 1).map((a) => `${a.labels.artifact} ${a.startsAt}`).sort()).toEqual([
      'latep 2026-11-27T10:08:00.000Z',
      'quiet 2026-11-27T10:13:00.000Z',
    ]);
  });

  it('events at one instant give the same incidents and alerts in any file order (ties: promotions first, then eventId)', async () => {
    const path = join(fixturesDir, 'same-instant.ndjson');
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
    // The same file with every run of equal occurredAt reversed (all within the lateness bound).
    const at = (l: string) => (JSON.parse(l) as { occurredAt: string }).occurredAt;
    const swapped = lines.map((l, i) => [l, i] as const).sort(([a, i], [b, j]) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : j - i)).map(([l]) => l);
    expect(swapped).not.toEqual(lines);
    const other = join(mkdtempSync(join(tmpdir(), 'dw-ties-')), 'same-instant-swapped.ndjson');
    writeFileSync(other, swapped.join('\n') + '\n');

    const a = await replayFixture('same-instant.ndjson');
    const b = await replayFixture(other);
    // r1 reports t1 (ev-a) and a rogue digest (ev-b) at 10:05:00.000: released by eventId, the rogue one is r1's latest
    // → drifted at 10:05. At 10:06:00.000 pt2 makes t2 desired and r2 reports t2: the promotion goes first, so r2 is
    // never divergent. r1 reports t2 at 10:07: converged.
    expect(sortedShapes(a.incidents)).toEqual(['prod/t 2026-11-27T10:05:00.000Z → 2026-11-27T10:07:00.000Z converged 120000']);
    expect(a.incidents[0]).toMatchObject({ expectedDigest: 'sha256:t2', divergentDigests: ['sha256:evil'] });
    expect(b.incidents).toEqual(a.incidents);
    expect(b.alerts.map(alertShape)).toEqual(a.alerts.map(alertShape));
    expect(a.summary).toMatchObject({ late: 0, duplicates: 0 });
  });

  it('promotion lifecycles out of the ordinary', async () => {
    const { incidents, alerts } = await replayFixture('promotion-edges.ndjson');
    // prod/a: succeeded without started → desired a1 (SPEC §4.1 needs no start); the key's first desired state, so any
    //   digest is acceptable until 10:02 (README): r1 on a0 drifts at 10:02 (timer), converges at 10:04.
    // prod/b: pb2 (canary b2) rolled back to b1, the digest already desired: desired stays b1, the canary's b2 stays
    //   acceptable for the grace after the rollback (until 10:08): c1 still on b2 → drift 10:08, a failed rollback.
    // prod/c: failed after succeeded, same promotionId: `failed` changes nothing → c2 stays desired, no incident.
    // prod/d: failed of a promotion never started: its digest dx acceptable for the grace after the failure
    //   (until 10:12) → c1 on dx drifts at 10:12, converged at 10:13.
    expect(sortedShapes(incidents)).toEqual([
      'prod/a 2026-11-27T10:02:00.000Z → 2026-11-27T10:04:00.000Z converged 120000',
      'prod/b 2026-11-27T10:08:00.000Z → 2026-11-27T10:09:00.000Z converged 60000',
      'prod/d 2026-11-27T10:12:00.000Z → 2026-11-27T10:13:00.000Z converged 60000',
    ]);
    expect(incidents.find((i) => i.artifact === 'b')).toMatchObject({ expectedDigest: 'sha256:b1', divergentDigests: ['sha256:b2'] });
    expect(alerts.filter((a) => a.rule === 'rollback_failed').map(alertShape)).toEqual([
      'rollback_failed firing critical L1 prod/b 2026-11-27T10:08:00.000Z',
      'rollback_failed resolved critical L1 prod/b 2026-11-27T10:08:00.000Z → 2026-11-27T10:09:00.000Z',
    ]);
    expect(alerts.filter((a) => a.rule !== 'drift_detected' && a.rule !== 'rollback_failed')).toEqual([]);
  });

  it('a promotion in flight for more than 24 h stops making its digest acceptable (a lost terminal event)', async () => {
    const { incidents, alerts } = await replayFixture('long-promotion.ndjson');
    // pl2 started 11-27 10:00 (l2) and succeeds only 11-28 10:30. Its canary c1 is fine while it is in flight, for at
    // most 24 h (README): from 11-28 10:00:00 on l2 is divergent; c1 (last on l2 at 10:05) is forgotten at
    // 10:20:00.001, before the success. Its duration is not measured either (no promotion_duration_high).
    expect(sortedShapes(incidents)).toEqual(['staging/long 2026-11-28T10:00:00.000Z → 2026-11-28T10:20:00.001Z source_expired 1200001']);
    expect(alerts.map((a) => a.rule).filter((r) => r !== 'drift_detected')).toEqual([]);
  });

  it('determinism windows are epoch-aligned [start, start + 5 min): an output at the window end belongs to the next one', async () => {
    const { incidents, alerts } = await replayFixture('determinism-window-edges.ndjson');
    // r-a: out-1 at 14:04:59.999 and out-2 at 14:05:00.000 are in different windows → no incident.
    // r-b: out-1 at 14:00:00.000, out-2 at 14:04:59.999 → open at 14:04:59.999; one output in [14:05, 14:10) →
    //   resolved at 14:10:00.000.
    // r-c: two outputs at 14:00:00.000 → open then; conflicting again in [14:05, 14:10), consistent in [14:10, 14:15)
    //   → resolved at 14:15:00.000, exactly 15 min after it fired: L2 at 14:05, no L3 on its way out.
    expect(sortedShapes(incidents)).toEqual([
      'dev/cfg r-b 2026-11-27T14:04:59.999Z → 2026-11-27T14:10:00.000Z consistent 300001',
      'dev/cfg r-c 2026-11-27T14:00:00.000Z → 2026-11-27T14:15:00.000Z consistent 900000',
    ]);
    expect(alerts.filter((a) => a.labels.ruleId === 'r-c').map((a) => `${a.status} L${a.escalationLevel}`)).toEqual(['firing L1', 'firing L2', 'resolved L2']);
    expect(alerts.filter((a) => a.labels.ruleId === 'r-b').map((a) => `${a.status} L${a.escalationLevel}`)).toEqual(['firing L1', 'firing L2', 'resolved L2']);
  });

  it('escalation: a drift that ends at the very instant of L2 (5 min) or L3 (15 min) resolves without escalating', async () => {
    const { alerts } = await replayFixture('escalation-exact.ndjson');
    expect(alerts.map(alertShape)).toEqual([
      'drift_detected firing medium L1 staging/e 2026-11-27T11:00:00.000Z',
      'drift_detected firing high L1 prod/e 2026-11-27T11:00:00.000Z',
      'drift_detected resolved medium L1 staging/e 2026-11-27T11:00:00.000Z → 2026-11-27T11:05:00.000Z',
      'drift_detected firing high L2 prod/e 2026-11-27T11:00:00.000Z',
      'drift_detected resolved high L2 prod/e 2026-11-27T11:00:00.000Z → 2026-11-27T11:15:00.000Z',
    ]);
  });

  it('MTTR: an incident resolved exactly 1 h before a snapshot is out of its trailing hour, per env and overall', async () => {
    const out = await replayFixture('mttr-hour-boundary.ndjson', { store: true });
    // qa/a drifts 10:00 → 10:31 (31 min); qa/b 11:00 → 11:31 (31 min), resolved exactly 1 h after qa/a.
    expect(sortedShapes(out.incidents)).toEqual([
      'qa/a 2026-11-27T10:00:00.000Z → 2026-11-27T10:31:00.000Z converged 1860000',
      'qa/b 2026-11-27T11:00:00.000Z → 2026-11-27T11:31:00.000Z converged 1860000',
    ]);
    // mttr_breach: qa/a open > 30 min from 10:30:00.001; rolling 1 h MTTR 31 min until qa/a leaves the hour at
    // 11:31:00.000 — the instant qa/b (open > 30 min since 11:30:00.001) resolves with 31 min: one breach throughout,
    // ending when qa/b leaves the hour at 12:31:00.000. One firing instance, one resolution.
    expect(out.alerts.filter((a) => a.rule === 'mttr_breach').map(alertShape)).toEqual([
      'mttr_breach firing high L1 qa 2026-11-27T10:30:00.001Z',
      'mttr_breach firing high L2 qa 2026-11-27T10:30:00.001Z',
      'mttr_breach firing high L3 qa 2026-11-27T10:30:00.001Z',
      'mttr_breach firing high L4 qa 2026-11-27T10:30:00.001Z',
      'mttr_breach resolved high L4 qa 2026-11-27T10:30:00.001Z → 2026-11-27T12:31:00.000Z',
    ]);
    const store = await openEmbeddedStore(join(out.outDir, 'store'));
    try {
      const rows = await store.query<{ scope: string; resolved_count: number | string }>(
        "SELECT scope, resolved_count FROM driftwatch.mttr_snapshots FINAL WHERE window = '1h' AND as_of = toDateTime64('2026-11-27 11:31:00.000', 3, 'UTC') ORDER BY scope",
      );
      // At 11:31:00.000 the trailing hour is (10:31, 11:31]: qa/b only.
      expect(rows.map((r) => [r.scope, Number(r.resolved_count)])).toEqual([
        ['*', 1],
        ['qa', 1],
      ]);
    } finally {
      await store.close();
    }
  });
});
