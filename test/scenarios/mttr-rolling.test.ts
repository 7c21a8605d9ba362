/**
 * Rolling MTTR (SPEC §4.6) and the mttr_breach rule, worked out by hand:
 * mean, p50 and p90 of recovery time over the state incidents resolved in the
 * trailing (asOf − window, asOf], per env and overall ('*'), for 1 h, 24 h and
 * 7 d. Quantiles are nearest-rank (SPEC is silent; lib/quantiles.ts): p of n
 * sorted values is the ⌈p·n⌉-th, so p50 of an even count is the lower middle.
 * A breach: an incident open longer than 30 min, or a rolling 1 h mean above
 * 30 min (both strict).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertShape, replayFixture } from '../helpers/replay-fixture.js';
import { openEmbeddedStore } from '../../store/open-store.js';

const MIN = 60_000;

describe('rolling MTTR at the edges of SPEC §4.6', () => {
  it('mean, p50 and p90 per env and overall, odd and even counts, samples leaving the 1 h and 24 h windows at exactly their edge', async () => {
    const out = await replayFixture('mttr-quantiles.ndjson', { store: true });
    // Recoveries (resolvedAt): qa/old 5 min (11-26 10:20), qa/a 1 (10:01), qa/b 2 (10:04), qa/c 3 (10:08), qa/d 10
    // (10:20); prod/x 2 (10:02), prod/y 4 (10:07), prod/z 8 (10:19).
    expect(out.incidents.map((i) => `${String(i.env)}/${String(i.artifact)} ${String(i.recoveryMs)}`).sort()).toEqual(
      ['qa/old 5', 'qa/a 1', 'qa/b 2', 'qa/c 3', 'qa/d 10', 'prod/x 2', 'prod/y 4', 'prod/z 8'].map((s) => s.replace(/ (\d+)$/, (_m, n: string) => ` ${Number(n) * MIN}`)).sort(),
    );
    const store = await openEmbeddedStore(join(out.outDir, 'store'));
    try {
      const at = async (asOf: string) => {
        const rows = await store.query<Record<string, string | number | null>>(
          `SELECT scope, window, resolved_count, mean_ms, p50_ms, p90_ms, open_incidents FROM driftwatch.mttr_snapshots FINAL WHERE as_of = toDateTime64('${asOf}', 3, 'UTC') ORDER BY scope, window`,
        );
        return Object.fromEntries(
          rows.map((r) => [`${String(r.scope)} ${String(r.window)}`, [Number(r.resolved_count), r.mean_ms === null ? null : Math.round(Number(r.mean_ms)), r.p50_ms === null ? null : Number(r.p50_ms), r.p90_ms === null ? null : Number(r.p90_ms), Number(r.open_incidents)]]),
        );
      };
      // asOf 10:20:00.000 (qa/d resolves, the last one). 1 h = (09:20, 10:20]: all seven of 11-27.
      //   qa [1,2,3,10]: mean 4, p50 = 2nd of 4 = 2, p90 = 4th (⌈3.6⌉) = 10.
      //   prod [2,4,8]: mean 14/3 min = 280 000 ms, p50 = 2nd (⌈1.5⌉) = 4, p90 = 3rd (⌈2.7⌉) = 8.
      //   '*' [1,2,2,3,4,8,10]: mean 30/7 min ≈ 257 143 ms, p50 = 4th (⌈3.5⌉) = 3, p90 = 7th (⌈6.3⌉) = 10.
      // 24 h = (11-26 10:20, 10:20]: qa/old resolved at exactly 11-26 10:20:00.000 is out — the same as 1 h.
      // 7 d: qa/old in. qa [1,2,3,5,10]: mean 21/5 = 4.2 min, p50 = 3rd = 3, p90 = 5th = 10;
      //   '*' [1,2,2,3,4,5,8,10]: mean 35/8 = 4.375 min, p50 = 4th = 3, p90 = 8th = 10.
      const m = (x: number) => x * MIN;
      expect(await at('2026-11-27 10:20:00.000')).toEqual({
        '* 1h': [7, 257143, m(3), m(10), 0],
        '* 24h': [7, 257143, m(3), m(10), 0],
        '* 7d': [8, 262500, m(3), m(10), 0],
        'prod 1h': [3, 280000, m(4), m(8), 0],
        'prod 24h': [3, 280000, m(4), m(8), 0],
        'prod 7d': [3, 280000, m(4), m(8), 0],
        'qa 1h': [4, m(4), m(2), m(10), 0],
        'qa 24h': [4, m(4), m(2), m(10), 0],
        'qa 7d': [5, 252000, m(3), m(10), 0],
      });
      // asOf 11:01:00.000: qa/a (resolved 10:01:00.000) leaves the hour at exactly its edge — the snapshot published
      // for that departure. 1 h: qa [2,3,10] mean 5, p50 = 2nd = 3, p90 = 3rd = 10; prod unchanged (x resolved
      // 10:02); '*' [2,2,3,4,8,10] mean 29/6 min = 290 000, p50 = 3rd (⌈3⌉) = 3, p90 = 6th (⌈5.4⌉) = 10. 24 h: as at 10:20.
      expect(await at('2026-11-27 11:01:00.000')).toMatchObject({
        '* 1h': [6, 290000, m(3), m(10), 0],
        '* 24h': [7, 257143, m(3), m(10), 0],
        'prod 1h': [3, 280000, m(4), m(8), 0],
        'qa 1h': [3, m(5), m(3), m(10), 0],
        'qa 24h': [4, m(4), m(2), m(10), 0],
      });
      // asOf 11:02:00.000: prod/x leaves. prod [4,8], an even count: mean 6, p50 = 1st (⌈1⌉) = 4 (the lower middle,
      // not the midpoint 6), p90 = 2nd (⌈1.8⌉) = 8.
      expect(await at('2026-11-27 11:02:00.000')).toMatchObject({ 'prod 1h': [2, m(6), m(4), m(8), 0] });
      // asOf 11:20:00.000: qa/d, the last of the hour, leaves: an empty window reads as no figures (NULL), not 0.
      expect(await at('2026-11-27 11:20:00.000')).toMatchObject({ 'qa 1h': [0, null, null, null, 0], 'qa 24h': [4, m(4), m(2), m(10), 0] });
    } finally {
      await store.close();
    }
    // Nothing here is open longer than 30 min nor has a mean above it.
    expect(out.alerts.filter((a) => a.rule === 'mttr_breach')).toEqual([]);
  });

  it('three incidents resolved at the same millisecond: the stored snapshot of that instant counts all three', async () => {
    const out = await replayFixture('mttr-same-instant.ndjson', { store: true });
    // qa/a 10:00 → 10:05 (5 min), prod/b 10:01 → 10:05 (4), qa/c 10:02 → 10:05 (3). Each resolution publishes a
    // snapshot as of 10:05:00.000; the one the store keeps for that instant must be the state after all three, not one
    // taken between them: '*' [3,4,5] mean 4, p50 4, p90 5; qa [3,5] mean 4, p50 3 (lower middle), p90 5; prod [4].
    const store = await openEmbeddedStore(join(out.outDir, 'store'));
    try {
      const rows = await store.query<Record<string, string | number>>(
        "SELECT scope, resolved_count, mean_ms, p50_ms, p90_ms, open_incidents FROM driftwatch.mttr_snapshots FINAL WHERE window = '1h' AND as_of = toDateTime64('2026-11-27 10:05:00.000', 3, 'UTC') ORDER BY scope",
      );
      expect(rows.map((r) => [r.scope, Number(r.resolved_count), Number(r.mean_ms), Number(r.p50_ms), Number(r.p90_ms), Number(r.open_incidents)])).toEqual([
        ['*', 3, 4 * MIN, 4 * MIN, 5 * MIN, 0],
        ['prod', 1, 4 * MIN, 4 * MIN, 4 * MIN, 0],
        ['qa', 2, 4 * MIN, 3 * MIN, 5 * MIN, 0],
      ]);
    } finally {
      await store.close();
    }
  });

  it('mttr_breach: exactly 30 min is no breach, 30 min + 1 ms is; it ends when the mean drops or the slow recovery leaves the hour', async () => {
    const { incidents, alerts } = await replayFixture('mttr-breach-edges.ndjson');
    const inc = (env: string) => incidents.filter((i) => i.env === env).map((i) => `${String(i.startedAt)} → ${String(i.resolvedAt)} ${String(i.recoveryMs)}`);
    expect(inc('stage')).toEqual(['2026-11-27T12:00:00.000Z → 2026-11-27T12:30:00.000Z 1800000']);
    expect(inc('perf')).toEqual(['2026-11-27T12:00:00.000Z → 2026-11-27T12:30:00.001Z 1800001']);
    const breach = (env: string) => alerts.filter((a) => a.rule === 'mttr_breach' && a.labels.env === env).map(alertShape);
    // stage: open exactly 30 min (not longer), and a mean of exactly 30 min (not above): no breach at all.
    expect(breach('stage')).toEqual([]);
    // perf: resolved at 12:30:00.001 — the instant it would have been open longer than 30 min; its resolution comes
    // first, but the 1 h mean is now 30 min + 1 ms > 30 min: a breach from 12:30:00.001. L2 12:35:00.001, L3
    // 12:45:00.001, L4 13:00:00.001; it ends when the recovery leaves the hour, at 13:30:00.001.
    expect(breach('perf')).toEqual([
      'mttr_breach firing high L1 perf 2026-11-27T12:30:00.001Z',
      'mttr_breach firing high L2 perf 2026-11-27T12:30:00.001Z',
      'mttr_breach firing high L3 perf 2026-11-27T12:30:00.001Z',
      'mttr_breach firing high L4 perf 2026-11-27T12:30:00.001Z',
      'mttr_breach resolved high L4 perf 2026-11-27T12:30:00.001Z → 2026-11-27T13:30:00.001Z',
    ]);
    // ops: ops/o open 12:00 → 12:40 (breach from 12:30:00.001, L2 at 12:35:00.001); resolved with 40 min the mean
    // keeps it; ops/q opens at 12:41 (no change, no re-emission) and resolves at 12:42 with 1 min: mean 20.5 min,
    // nothing open → resolved at 12:42:00.000, before L3 (12:45:00.001).
    expect(breach('ops')).toEqual([
      'mttr_breach firing high L1 ops 2026-11-27T12:30:00.001Z',
      'mttr_breach firing high L2 ops 2026-11-27T12:30:00.001Z',
      'mttr_breach resolved high L2 ops 2026-11-27T12:30:00.001Z → 2026-11-27T12:42:00.000Z',
    ]);
    // The overall scope is never alerted on, and no other env breached.
    expect(new Set(alerts.filter((a) => a.rule === 'mttr_breach').map((a) => a.labels.env))).toEqual(new Set(['perf', 'ops']));

    const drift = (env: string, artifact: string) => alerts.filter((a) => a.rule === 'drift_detected' && a.labels.env === env && a.labels.artifact === artifact);
    // stage/s: 30 min exactly — L4 is due at the very instant it converges: no L4 on its way out.
    expect(drift('stage', 's').map((a) => `${a.status} L${a.escalationLevel}`)).toEqual(['firing L1', 'firing L2', 'firing L3', 'resolved L3']);
    // perf/p: open at 12:30:00.000 (30 min old) and resolved 1 ms later: L4 was reached.
    expect(drift('perf', 'p').map((a) => `${a.status} L${a.escalationLevel}`)).toEqual(['firing L1', 'firing L2', 'firing L3', 'firing L4', 'resolved L4']);
    // dev2/r: drifted 12:00 → 12:03, again 12:04 → 12:10: two incidents, two firing instances of one fingerprint,
    // each with exactly one resolution and its own incident id; the second escalates at 12:09 on its own age.
    const r = drift('dev2', 'r');
    expect(r.map(alertShape)).toEqual([
      'drift_detected firing medium L1 dev2/r 2026-11-27T12:00:00.000Z',
      'drift_detected resolved medium L1 dev2/r 2026-11-27T12:00:00.000Z → 2026-11-27T12:03:00.000Z',
      'drift_detected firing medium L1 dev2/r 2026-11-27T12:04:00.000Z',
      'drift_detected firing medium L2 dev2/r 2026-11-27T12:04:00.000Z',
      'drift_detected resolved medium L2 dev2/r 2026-11-27T12:04:00.000Z → 2026-11-27T12:10:00.000Z',
    ]);
    expect(new Set(r.map((a) => a.fingerprint)).size).toBe(1);
    const ids = incidents.filter((i) => i.env === 'dev2').sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt))).map((i) => i.incidentId);
    expect(ids).toHaveLength(2);
    expect(r.map((a) => a.incidentId)).toEqual([ids[0], ids[0], ids[1], ids[1], ids[1]]);
    // Severity overrides: `prod*` matches production-eu (high) but not preprod (medium, the rule's default).
    expect(drift('production-eu', 'g').map((a) => `${a.status} ${a.severity}`)).toEqual(['firing high', 'resolved high']);
    expect(drift('preprod', 'g').map((a) => `${a.status} ${a.severity}`)).toEqual(['firing medium', 'resolved medium']);
    expect(incidents.find((i) => i.env === 'production-eu')).toMatchObject({ severity: 'high' });
    expect(incidents.find((i) => i.env === 'preprod')).toMatchObject({ severity: 'medium' });
  });
});
