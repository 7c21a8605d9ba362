/**
 * The analysts' queries in sql/queries run on the embedded engine after a
 * replay of every scenario (see ../grafana/scenario.ts) and return the values
 * the fixtures imply, checked by hand in the comments.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbeddedStore } from '../../../store/open-store.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { replayScenario } from '../grafana/scenario.js';
import { bindQueryParams, queryParams } from './query-params.js';

const queriesDir = fileURLToPath(new URL('../../../sql/queries/', import.meta.url));
const files = readdirSync(queriesDir).filter((f) => f.endsWith('.sql')).sort();
const text = (file: string): string => readFileSync(join(queriesDir, file), 'utf8');

// The scenario's event times lie on 2026-11-27; dead letters carry the wall-clock ingestion time.
const day = { from: '2026-11-27 00:00:00', to: '2026-11-28 00:00:00' };
const ingestion = (): { from: string; to: string } => ({
  from: '2000-01-01 00:00:00',
  to: new Date(Date.now() + 86_400_000).toISOString().replace('T', ' ').slice(0, 19),
});

let store: ChdbTransport;

beforeAll(async () => {
  const { outDir } = await replayScenario();
  store = await openEmbeddedStore(join(outDir, 'store'));
});

afterAll(async () => {
  await store?.close();
});

/** Runs a query file; `timeZone` sets the session's time zone, as a server's `timezone` or chDB's TZ would. */
async function run(file: string, params: Record<string, string | number>, timeZone?: string): Promise<Array<Record<string, unknown>>> {
  const sql = bindQueryParams(text(file).trim().replace(/;$/, ''), params);
  return store.query(timeZone === undefined ? sql : `${sql}\nSETTINGS session_timezone = '${timeZone}'`);
}

describe('bindQueryParams', () => {
  it('casts each value to the declared type and rejects missing or unknown parameters', () => {
    expect(bindQueryParams('WHERE t >= {from:DateTime64(3)} LIMIT {n:UInt32}', { from: "2026-11-27 00:00:00", n: 5 })).toBe(
      "WHERE t >= CAST('2026-11-27 00:00:00', 'DateTime64(3)') LIMIT CAST('5', 'UInt32')",
    );
    expect(bindQueryParams('{s:String}', { s: "it's" })).toBe("CAST('it\\'s', 'String')");
    expect(() => bindQueryParams('{a:UInt8}', {})).toThrow(/no value for parameter a/);
    expect(() => bindQueryParams('{a:UInt8}', { a: 1, b: 2 })).toThrow(/no parameter b/);
  });
});

describe('sql/queries', () => {
  it('holds the eight analyst queries', () => {
    expect(files).toEqual([
      'dead-letters-by-reason.sql',
      'detection-time-distribution.sql',
      'drift-hotspots.sql',
      'late-events-per-source.sql',
      'mttr-by-env-day.sql',
      'nondeterministic-rules.sql',
      'promotion-success-by-gate.sql',
      'rollbacks-and-recovery.sql',
    ]);
  });

  for (const file of files) {
    it(`${file} opens with a header saying what it answers and documenting every parameter`, () => {
      const lines = text(file).split('\n');
      const header = lines.slice(0, lines.findIndex((l) => !l.startsWith('--'))).join('\n');
      expect(header).toMatch(/^-- \S/);
      expect(header).toMatch(/Answers: /);
      expect(header).toMatch(/Parameters/);
      const params = queryParams(text(file));
      expect(params.size).toBeGreaterThan(0);
      for (const [name, type] of params) expect(header, `${name} documented`).toContain(`{${name}:${type}}`);
    });
  }

  it('reads every time parameter as UTC, whatever the time zone of the session', async () => {
    // A DateTime64(3) parameter without a zone is read in the session's time zone — the server's `timezone`, or for
    // the embedded store the process's TZ — so in Tokyo 10:00–15:00 meant 01:00–06:00 UTC and the event-time queries came back
    // empty. The parameters are typed DateTime64(3, 'UTC'), as the headers say.
    const extra: Record<string, Record<string, number>> = { 'drift-hotspots.sql': { limit: 20 }, 'rollbacks-and-recovery.sql': { horizon_minutes: 60 } };
    for (const file of files) {
      const range = file === 'dead-letters-by-reason.sql' ? ingestion() : { from: '2026-11-27 10:00:00', to: '2026-11-27 15:00:00' };
      const params = { ...range, ...extra[file] };
      const utc = await run(file, params);
      expect(utc.length, file).toBeGreaterThan(0);
      expect(await run(file, params, 'Asia/Tokyo'), file).toEqual(utc);
      expect(await run(file, params, 'America/New_York'), file).toEqual(utc);
    }
  });

  it('mttr-by-env-day: prod recovered in 7, 15.83 and 3 min; staging in 6.5 min', async () => {
    expect(await run('mttr-by-env-day.sql', day)).toEqual([
      // (420 + 950 + 180) s / 3 = 516.67 s = 8.61 min; p50 = 7 min, p90 = worst = 15.83 min.
      { day: '2026-11-27', env: 'prod', resolved_incidents: 3, mttr_minutes: 8.61, p50_minutes: 7, p90_minutes: 15.83, worst_minutes: 15.83, over_target: 0 },
      { day: '2026-11-27', env: 'staging', resolved_incidents: 1, mttr_minutes: 6.5, p50_minutes: 6.5, p90_minutes: 6.5, worst_minutes: 6.5, over_target: 0 },
    ]);
    // An empty range gives no rows rather than an error.
    expect(await run('mttr-by-env-day.sql', { from: '2026-12-01 00:00:00', to: '2026-12-02 00:00:00' })).toEqual([]);
  });

  it("sql/README.md's latest rolling MTTR per env agrees with mttr-by-env-day, and keeps a NULL mean NULL", async () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../sql/README.md', import.meta.url)), 'utf8');
    const example = /^-- rolling 7-day MTTR[\s\S]*?;$/m.exec(readme)![0].replace(/;$/, '');
    // The whole scenario lies in the last 7 days of its latest snapshot: prod (420 + 950 + 180) s / 3 = 8.61 min, staging 6.5.
    expect((await store.query(example)).map((r) => [r.env, r.mttr_minutes, r.resolved])).toEqual([
      ['prod', 8.61, 3],
      ['staging', 6.5, 1],
    ]);
    // An hour after the last resolution nothing is left in the 1h window: the mean is NULL. argMax(mean_ms, as_of)
    // skipped the NULL and gave the last hour's mean instead, as if someone had recovered just now.
    const lastHour = await store.query(example.replace("window = '7d'", "window = '1h'"));
    expect(lastHour.map((r) => [r.env, r.mttr_minutes, r.resolved])).toEqual([
      ['prod', null, 0],
      ['staging', null, 0],
    ]);
    const naive = await store.query(example.replace("window = '7d'", "window = '1h'").replace('argMax(tuple(mean_ms), as_of).1', 'argMax(mean_ms, as_of)'));
    expect(naive.every((r) => r.mttr_minutes !== null)).toBe(true);
  });

  it('drift-hotspots: keys ranked by incidents then drifted minutes, clipped to the range', async () => {
    const rows = await run('drift-hotspots.sql', { ...day, limit: 3 });
    expect(rows.map((r) => [r.env, r.artifact, r.incidents, r.drifted_minutes, r.reasons])).toEqual([
      ['prod', 'search', 1, 15.83, ['source_expired']], // 12:13:10 → 12:29:00
      ['dev', 'cfg', 1, 13, ['consistent']], // determinism 14:02 → 14:15
      ['prod', 'api', 1, 7, ['converged']], // 10:13 → 10:20
    ]);
    // A range ending at 12:20 clips prod/search to 6.83 min and drops what starts later; the incident resolved at 12:29,
    // so at the range's end it is open, its recovery and reason not known yet.
    const clipped = await run('drift-hotspots.sql', { from: '2026-11-27 12:00:00', to: '2026-11-27 12:20:00', limit: 10 });
    expect(clipped).toEqual([
      expect.objectContaining({ env: 'prod', artifact: 'search', drifted_minutes: 6.83, open_incidents: 1, worst_recovery_minutes: null, reasons: [] }),
    ]);
  });

  it('detection-time-distribution: every incident detected as soon as its evidence arrived', async () => {
    const rows = await run('detection-time-distribution.sql', day);
    expect(rows.map((r) => [r.env, r.kind, r.incidents, r.max_ms, r.within_10s, r.over_5m])).toEqual([
      ['dev', 'determinism', 1, 0, 1, 0],
      ['prod', 'state', 3, 0, 3, 0],
      ['staging', 'state', 1, 0, 1, 0],
    ]);
  });

  it('promotion-success-by-gate: gate failure rates and how the promotions behind them ended', async () => {
    const rows = await run('promotion-success-by-gate.sql', day);
    expect(rows.map((r) => [r.env, r.gate, r.runs, r.failed, r.gate_failure_rate, r.promotions, r.succeeded, r.failed_promotions, r.success_rate])).toEqual([
      ['prod', 'smoke', 1, 1, 1, 1, 0, 1, 0], // p-5: smoke failed, promotion failed
      ['qa', 'security', 1, 1, 1, 1, 0, 1, 0], // p-10
      ['qa', 'smoke', 1, 0, 0, 1, 1, 0, 1], // p-9
      ['qa', 'unit', 2, 0, 0, 2, 1, 1, 0.5], // p-9 succeeded, p-10 failed
    ]);
    // qa/unit ran 15 s (p-9) and 12 s (p-10): nearest rank, as the engine's gate_windows, so the p50 of the two is the
    // lower one (quantileExact gave the upper, 15 s) and the p90 the 2nd (⌈1.8⌉).
    expect(rows.find((r) => r.gate === 'unit')).toMatchObject({ p50_ms: 12000, p90_ms: 15000, in_flight: 0 });
  });

  it('late-events-per-source: the one late index read of instance i1, of its 4 reads', async () => {
    // i1 on staging/web: 11:01, 11:06, 11:12 on time, and the 10:50 read that arrived after 11:06 (two more i1 lines are dead letters).
    expect(await run('late-events-per-source.sql', day)).toEqual([
      { source: 'index:i1', env: 'staging', events: 4, late_events: 1, late_ratio: 0.25, first_late_at: '2026-11-27 10:50:00.000', last_late_at: '2026-11-27 10:50:00.000' },
    ]);
  });

  it('rollbacks-and-recovery: prod/pay rolled back at 13:08, drifted 13:10–13:13, recovered after 5 min', async () => {
    expect(await run('rollbacks-and-recovery.sql', { ...day, horizon_minutes: 60 })).toEqual([
      {
        rolled_back_at: '2026-11-27 13:08:00.000', env: 'prod', artifact: 'pay', promotion_id: 'p-7',
        rolled_back_version: '2.0.0', rollback_version: '1.0.0', actor: 'alice', reason: 'error budget burn',
        drift_incidents: 1, recovered_at: '2026-11-27 13:13:00.000', recovery_minutes: 5, still_drifting: 0,
      },
    ]);
    // With a 1-minute horizon the incident (opened 13:10) is not the rollback's aftermath: a clean rollback.
    const [clean] = await run('rollbacks-and-recovery.sql', { ...day, horizon_minutes: 1 });
    expect(clean).toMatchObject({ drift_incidents: 0, recovered_at: '2026-11-27 13:08:00.000', recovery_minutes: 0, still_drifting: 0 });
  });

  it('nondeterministic-rules: r-merge gave o1 and o2 for input c1 in the 14:00 and 14:05 windows', async () => {
    expect(await run('nondeterministic-rules.sql', day)).toEqual([
      {
        env: 'dev', artifact: 'cfg', rule_id: 'r-merge', input_windows: 3, nondeterministic_windows: 2,
        inputs: ['sha256:c1'], conflicting_outputs: ['sha256:o1', 'sha256:o2'],
        first_window: '2026-11-27 14:00:00', last_window: '2026-11-27 14:05:00', incidents: 1,
      },
    ]);
  });

  it('dead-letters-by-reason: the six rejected lines of messy-rogue-version, one per failed check', async () => {
    const rows = await run('dead-letters-by-reason.sql', ingestion());
    expect(rows.map((r) => [r.failed_check, r.records])).toEqual([
      ['digest', 1],
      ['expected a JSON object', 1],
      ['invalid JSON', 1],
      ['occurredAt', 1],
      ['servedDigest', 1],
      ['type', 1],
    ]);
    expect(rows.find((r) => r.failed_check === 'invalid JSON')).toMatchObject({ source_topic: '', example_raw: 'this is not json' });
  });
});
