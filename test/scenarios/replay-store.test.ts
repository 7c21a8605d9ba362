/**
 * A replay writes its history and aggregates to the embedded store (chDB):
 * migrations run, and the rows match what the scenario contains.
 */
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { replayFixture } from '../helpers/replay-fixture.js';
import { openEmbeddedStore } from '../../store/open-store.js';

describe('replay into the embedded store', () => {
  it('stores raw history (late flagged), incidents, alerts, windows and dead letters', async () => {
    const { outDir } = await replayFixture('messy-rogue-version.ndjson', { store: true });
    const store = await openEmbeddedStore(join(outDir, 'store'));
    try {
      const one = async (sql: string) => (await store.query<Record<string, unknown>>(sql))[0]!;
      // 8 index events + 1 late one; duplicates stored once; rejected lines not in history.
      expect(await one('SELECT count() n, sum(late) late FROM driftwatch.index_events FINAL')).toEqual({ n: 9, late: 1 });
      expect(await one('SELECT count() n FROM driftwatch.promotion_events FINAL')).toEqual({ n: 2 });
      const incident = await one(
        "SELECT kind, env, artifact, toString(started_at) s, toString(resolved_at) r, reason, divergent_digests d FROM driftwatch.incidents FINAL",
      );
      expect(incident).toEqual({ kind: 'state', env: 'staging', artifact: 'web', s: '2026-11-27 11:03:00.000', r: '2026-11-27 11:09:30.000', reason: 'converged', d: ['sha256:evil'] });
      const alerts = await store.query<{ status: string; level: number; t: string }>(
        'SELECT status, escalation_level level, toString(event_time) t, notify, channels, respond_within FROM driftwatch.alerts FINAL ORDER BY event_time, status',
      );
      // Event time of each emission: fired at 11:03, escalated at 11:08, resolved at 11:09:30. With the routing each
      // carried: who its level names and the platform team (whom a medium alert escalates to), and the channels and
      // response target of a medium alert (staging drift).
      const medium = { channels: 'slack', respond_within: '2h' };
      expect(alerts).toEqual([
        { status: 'firing', level: 1, t: '2026-11-27 11:03:00.000', notify: 'On-Call Engineer, Platform Team', ...medium },
        { status: 'firing', level: 2, t: '2026-11-27 11:08:00.000', notify: 'Senior Engineer, Platform Team', ...medium },
        { status: 'resolved', level: 2, t: '2026-11-27 11:09:30.000', notify: 'Senior Engineer, Platform Team', ...medium },
      ]);
      expect(await one('SELECT count() n FROM driftwatch.dead_letters')).toEqual({ n: 6 });
      // Window 11:00–11:05 on staging/web: index observations at 11:01 (i1, i2), 11:03 and 11:04 (i2, divergent).
      const win = await one(
        "SELECT observations o, divergent_observations dob, sources s, divergent_sources ds FROM driftwatch.drift_windows FINAL WHERE window_start = toDateTime64('2026-11-27 11:00:00', 3, 'UTC')",
      );
      expect(win).toEqual({ o: 4, dob: 2, s: 2, ds: 1 });
    } finally {
      await store.close();
    }
  });

  it('a failed canary rolled back: no drift, and the promotion ends once (success rate 1 of 2, not 1 of 3)', async () => {
    const { outDir, incidents, alerts } = await replayFixture('failed-canary-rolled-back.ndjson', { store: true });
    // p-2's canary r1 served w2 from 10:01; p-2 failed at 10:03 (w2 acceptable until 10:05, the grace after a
    // failure) and was rolled back to w1 at 10:04; r1 served w1 again at 10:04:30, inside the grace: never drift.
    expect(incidents).toEqual([]);
    expect(alerts).toEqual([]);
    const store = await openEmbeddedStore(join(outDir, 'store'));
    try {
      const windows = await store.query<Record<string, unknown>>(
        'SELECT toString(window_start) w, started, succeeded, failed, rolled_back, rolled_back_after_success rbas, promotions_ended ended FROM driftwatch.promotion_windows FINAL ORDER BY window_start',
      );
      expect(windows).toEqual([
        { w: '2026-11-27 09:50:00.000', started: 1, succeeded: 1, failed: 0, rolled_back: 0, rbas: 0, ended: 1 },
        { w: '2026-11-27 10:00:00.000', started: 1, succeeded: 0, failed: 1, rolled_back: 1, rbas: 0, ended: 1 },
      ]);
      // The success rate as sql/README.md, the dashboards and promotion_success_rate_low compute it.
      const [rate] = await store.query<{ r: number }>(
        'SELECT sum(succeeded - rolled_back_after_success) / nullIf(sum(promotions_ended), 0) AS r FROM driftwatch.promotion_windows FINAL',
      );
      expect(rate!.r).toBe(0.5);
    } finally {
      await store.close();
    }
  });

  // Every table is partitioned by month, and ClickHouse refuses an insert touching more than 100 partitions by
  // default: a backfill of years of history (here 200 months, one promotion cycle and observations per month, in
  // one batch) failed the whole replay after its retries ("Too many partitions for single INSERT block").
  it('stores a history spanning 200 months in one batch', async () => {
    const lines: string[] = [];
    const month = (i: number) => new Date(Date.UTC(2009, i, 15)).toISOString();
    for (let i = 0; i < 200; i++) {
      const at = month(i);
      lines.push(JSON.stringify({ type: 'promotion', eventId: `p-${i}`, occurredAt: at, env: 'prod', artifact: 'api', promotionId: `p${i}`, phase: 'succeeded', version: `v${i}`, digest: `sha256:${i}` }));
      lines.push(JSON.stringify({ type: 'index', eventId: `i-${i}`, occurredAt: at.replace('T00:00:00.000Z', 'T00:10:00.000Z'), env: 'prod', artifact: 'api', op: 'read', instance: 'r1', servedDigest: `sha256:${i === 100 ? 'rogue' : i}`, latencyMs: 1, status: 'ok' }));
    }
    const dir = mkdtempSync(join(tmpdir(), 'dw-months-'));
    writeFileSync(join(dir, 'months.ndjson'), lines.join('\n') + '\n');
    const { outDir, summary, incidents } = await replayFixture(join(dir, 'months.ndjson'), { store: true });
    expect(summary).toMatchObject({ events: 400, deadLetters: 0, late: 0 });
    expect(incidents).toHaveLength(1); // the rogue digest of month 100
    const store = await openEmbeddedStore(join(outDir, 'store'));
    try {
      const count = async (sql: string) => Number((await store.query<{ n: string }>(sql))[0]!.n);
      expect(await count('SELECT count() AS n FROM driftwatch.promotion_events FINAL')).toBe(200);
      expect(await count('SELECT count() AS n FROM driftwatch.index_events FINAL')).toBe(200);
      expect(await count('SELECT uniqExact(toYYYYMM(occurred_at)) AS n FROM driftwatch.index_events')).toBe(200);
      expect(await count('SELECT count() AS n FROM driftwatch.incidents FINAL')).toBe(1);
    } finally {
      await store.close();
    }
  });
});
