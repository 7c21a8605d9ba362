/**
 * One quantile definition for the engine and the SQL it ships
 * (sql/queries/README.md, Quantiles): nearest rank, the ⌈q·n⌉-th smallest —
 * lib/quantiles.ts in the engine, quantileExactWeighted(q)(x, 1) in
 * ClickHouse. An analyst who reads p50 from a query or a dashboard and from
 * the engine's MTTR snapshot for the same incidents must get one number.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantile } from '../../../lib/quantiles.js';
import { replayedStore } from '../../helpers/replayed-store.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { loadDashboards, queryPanels } from '../grafana/dashboards.js';
import { bindQueryParams } from './query-params.js';

const sqlDir = fileURLToPath(new URL('../../../sql/', import.meta.url));
const MIN = 60_000;
const LEVELS = [0.5, 0.9, 0.99] as const;

// Recoveries of 2026-11-27 (see test/scenarios/mttr-rolling.test.ts): qa 1, 2, 3, 10 min (an even count),
// prod 2, 4, 8 min; all resolved by 10:20, so the engine's 1 h snapshot at 10:20 holds exactly that day's.
const replayed = replayedStore('mttr-quantiles.ndjson');

/** Each sample's quantiles at LEVELS by `fn`, computed by the embedded engine over one VALUES table. */
async function clickhouseQuantiles(fn: string, type: 'Int64' | 'Float64', samples: number[][]): Promise<number[][]> {
  const tuples = samples.flatMap((xs, s) => xs.map((x) => `(${s}, ${x})`));
  const cols = LEVELS.map((q, i) => `${fn.replace('Q', String(q))} AS q${i}`).join(', ');
  const rows = await replayed.store.query<Record<string, number | string>>(
    `SELECT s, ${cols} FROM values('s UInt32, x ${type}', ${tuples.join(', ')}) GROUP BY s ORDER BY s`,
  );
  return rows.map((r) => LEVELS.map((_q, i) => Number(r[`q${i}`])));
}

const engineQuantiles = (samples: number[][]): number[][] => samples.map((xs) => LEVELS.map((q) => quantile(xs, q)!));

describe('quantileExactWeighted(q)(x, 1) on chDB is the engine\'s nearest rank', () => {
  const random = seededRandom(20261206);
  const sizes = [...Array.from({ length: 12 }, (_v, i) => i + 1), 13, 16, 19, 20, 40, 99, 100, 101, 1000];
  const sample = (n: number, draw: () => number): number[] => Array.from({ length: n }, draw);

  it('on integer samples with many ties and on wide millisecond ranges, every n, p50, p90 and p99', async () => {
    const samples = sizes.flatMap((n) => [
      sample(n, () => Math.floor(random() * 6)), // ties
      sample(n, () => Math.floor(random() * 7 * 24 * 60 * MIN)), // recoveries up to 7 d
    ]);
    expect(await clickhouseQuantiles('quantileExactWeighted(Q)(x, 1)', 'Int64', samples)).toEqual(engineQuantiles(samples));
  });

  it('on fractional samples (gate durations, latencies are Float64)', async () => {
    const samples = sizes.flatMap((n) => [sample(n, () => Math.round(random() * 1e6) / 1000), sample(n, () => random() * 100)]);
    expect(await clickhouseQuantiles('quantileExactWeighted(Q)(x, 1)', 'Float64', samples)).toEqual(engineQuantiles(samples));
  });

  it('while the other exact quantiles differ from it for n ≤ 12 (hence not them)', async () => {
    const samples = Array.from({ length: 12 }, (_v, i) => Array.from({ length: i + 1 }, (_w, k) => (k + 1) * 10));
    const mismatches = async (fn: string): Promise<string[]> => {
      const got = await clickhouseQuantiles(fn, 'Int64', samples);
      const want = engineQuantiles(samples);
      return samples.flatMap((xs, s) => LEVELS.slice(0, 2).flatMap((q, i) => (got[s]![i] === want[s]![i] ? [] : [`n=${xs.length} q=${q}`])));
    };
    // Away from the median all three take the (⌊q·n⌋+1)-th value: p90 of 10 values is the 10th, not the 9th.
    // quantileExact / High take the upper middle of an even count (p50 of [10, 20] = 20), Low the lower one.
    const upperMiddle = ['n=2 q=0.5', 'n=4 q=0.5', 'n=6 q=0.5', 'n=8 q=0.5', 'n=10 q=0.5', 'n=10 q=0.9', 'n=12 q=0.5'];
    expect(await mismatches('quantileExact(Q)(x)')).toEqual(upperMiddle);
    expect(await mismatches('quantileExactHigh(Q)(x)')).toEqual(upperMiddle);
    expect(await mismatches('quantileExactLow(Q)(x)')).toEqual(['n=10 q=0.9']);
    // quantileExactInclusive interpolates (p50 of [10, 20] = 15).
    expect((await mismatches('quantileExactInclusive(Q)(x)')).length).toBeGreaterThan(10);
  });
});

describe('every quantile in the shipped SQL is that one', () => {
  // Aggregate functions of the quantile family (quantile, quantiles, quantileExact…, quantilesState…, median…).
  const QUANTILE_CALL = /\b((?:quantiles?|median)\w*)\s*\(/gi;
  const NEAREST_RANK = /^quantilesExactWeighted$|^quantileExactWeighted$/;
  // 0005's rollup holds approximate `quantiles` states: an applied migration cannot change (its checksum is
  // recorded), no panel reads those columns, and sql/README.md says not to take percentiles from them.
  const KNOWN_APPROXIMATE = new Set(['migrations/0005_drift_detection_daily.sql']);

  const shipped = (): Array<{ where: string; sql: string }> => [
    ...['queries', 'migrations'].flatMap((dir) =>
      readdirSync(join(sqlDir, dir))
        .filter((f) => f.endsWith('.sql'))
        .map((f) => ({ where: `${dir}/${f}`, sql: readFileSync(join(sqlDir, dir, f), 'utf8') })),
    ),
    ...loadDashboards().flatMap(({ file, dashboard }) =>
      queryPanels(dashboard).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${file}/${p.title}/${t.refId}`, sql: t.rawSql ?? '' }))),
    ),
  ];

  it('quantileExactWeighted(q)(x, 1), or an approximation its query announces as such', () => {
    const offenders: string[] = [];
    let nearestRank = 0;
    for (const { where, sql } of shipped()) {
      const code = sql.replace(/--.*$/gm, '');
      for (const [, fn] of code.matchAll(QUANTILE_CALL)) {
        if (NEAREST_RANK.test(fn!)) nearestRank++;
        else if (!KNOWN_APPROXIMATE.has(where) && !/-- approximate on purpose/.test(sql)) offenders.push(`${where}: ${fn}`);
      }
    }
    expect(offenders).toEqual([]);
    expect(nearestRank).toBeGreaterThanOrEqual(9); // the check saw the queries and panels it guards
  });
});

describe('mttr-by-env-day.sql gives the engine\'s MTTR p50 / p90 for the same incidents', () => {
  it('an even count (qa: 1, 2, 3, 10 min) takes the lower middle, as the snapshot does', async () => {
    const text = readFileSync(join(sqlDir, 'queries', 'mttr-by-env-day.sql'), 'utf8').trim().replace(/;$/, '');
    const rows = await replayed.store.query<Record<string, string | number>>(
      bindQueryParams(text, { from: '2026-11-27 00:00:00', to: '2026-11-28 00:00:00' }),
    );
    const query = Object.fromEntries(rows.map((r) => [r.env, [Number(r.resolved_incidents), Number(r.p50_minutes), Number(r.p90_minutes)]]));
    expect(query).toEqual({ qa: [4, 2, 10], prod: [3, 4, 8] });

    const snapshots = await replayed.store.query<Record<string, string | number>>(
      `SELECT scope, resolved_count, p50_ms, p90_ms FROM driftwatch.mttr_snapshots FINAL
        WHERE window = '1h' AND scope != '*' AND as_of = toDateTime64('2026-11-27 10:20:00', 3, 'UTC')`,
    );
    const engine = Object.fromEntries(
      snapshots.map((r) => [r.scope, [Number(r.resolved_count), Number(r.p50_ms) / MIN, Number(r.p90_ms) / MIN]]),
    );
    expect(query).toEqual(engine);
  });
});
