/**
 * The plain `TTL … DELETE` of the migrations — the retention in force
 * without DRIFTWATCH_STORAGE_POLICY, and always on the embedded store —
 * really deletes rows, at the age sql/README.md (Retention) gives each table,
 * and counts that age from the later of the row's own time and its
 * ingestion (a replay of old history is not deleted as soon as it is
 * loaded). storage-tiering.test.ts checks the TTL text; this one checks what
 * it does to rows, on chDB: a merge (`OPTIMIZE … FINAL`; a server's
 * background merges do the same) deletes what has expired and keeps the
 * rest. Background merges are stopped while the rows are written, so the
 * test alone decides when the TTL applies.
 *
 * Per table three rows, told apart by a column of its sorting key:
 * `expired` (its time and its ingestion past the retention, by 3 days),
 * `replayed` (the same old time, ingested now: kept) and `recent` (3 days
 * inside the retention: kept). Tables whose TTL reads one time only (no
 * ingestion time in it) get no `replayed` row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { TABLE_RETENTION } from '../../../store/storage-tiering.js';
import { tempEmbeddedStore, type Cleanups } from '../../helpers/temp-embedded-store.js';

/**
 * The column of each table's sorting key that names the test row. The rollups' by env: the rows their materialized
 * views derive from this test's incidents and windows have env ''.
 */
const ROW_NAME: Record<string, string> = {
  promotion_events: 'event_id',
  hydration_events: 'event_id',
  index_events: 'event_id',
  drift_windows: 'artifact',
  env_windows: 'instance_id',
  promotion_windows: 'instance_id',
  gate_windows: 'gate',
  promotion_outcomes: 'promotion_id',
  incidents: 'incident_id',
  mttr_snapshots: 'instance_id',
  alerts: 'fingerprint',
  audit_log: 'action',
  engine_metrics: 'name',
  dead_letters: 'raw',
  drift_detection_daily: 'env',
  drift_keys_hourly: 'env',
  gate_runs_hourly: 'env',
};

/** What the seed and sql/README.md promise each kind of table, so a changed TTL cannot pass unnoticed. */
const PROMISED: Record<string, string> = {
  promotion_events: 'toIntervalYear(1)',
  hydration_events: 'toIntervalYear(1)',
  index_events: 'toIntervalYear(1)',
  alerts: 'toIntervalYear(1)',
  audit_log: 'toIntervalYear(7)',
  engine_metrics: 'toIntervalDay(90)',
  dead_letters: 'toIntervalDay(90)',
  drift_detection_daily: 'toIntervalYear(5)',
};

const cleanups: Cleanups = [];
let t: ChdbTransport;
beforeAll(async () => {
  t = await tempEmbeddedStore(cleanups, 'dw-ttl-');
});
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** The columns a TTL time expression reads: `greatest(toDateTime(x), toDateTime(ingested_at))`, `toDateTime(ingested_at)` or `day`. */
function timeColumns(at: string): string[] {
  const named = [...at.matchAll(/toDateTime\((\w+)\)/g)].map((m) => m[1]!);
  return named.length > 0 ? named : [at];
}

describe('retention without tiering: the migrations’ TTL … DELETE on chDB', () => {
  it('names a row column for every table with a TTL, and keeps the promised retention', () => {
    expect(Object.keys(ROW_NAME).sort()).toEqual(TABLE_RETENTION.map((r) => r.table).sort());
    for (const [table, keep] of Object.entries(PROMISED)) expect(TABLE_RETENTION.find((r) => r.table === table)?.keep, table).toBe(keep);
    for (const r of TABLE_RETENTION.filter((r) => !(r.table in PROMISED))) expect(r.keep, r.table).toBe('toIntervalYear(2)');
  });

  it.each(TABLE_RETENTION.map((r) => [r.table, r] as const))('%s: a merge deletes a row past its retention; a replayed old row and a recent one stay', async (table, r) => {
    const name = ROW_NAME[table]!;
    const columns = timeColumns(r.at);
    const [ownTime, ingestion] = [columns[0]!, columns.includes('ingested_at') && columns[0] !== 'ingested_at'];
    const now = columns[0] === 'day' ? 'today()' : "now64(3, 'UTC')";
    const old = `${now} - ${r.keep} - toIntervalDay(3)`;
    const inside = `${now} - ${r.keep} + toIntervalDay(3)`;
    const rows: Array<[string, string, string]> = [['expired', old, old], ['recent', inside, inside]];
    if (ingestion) rows.push(['replayed', old, "now64(3, 'UTC')"]);
    // No background merge until the test asks for one: it would apply the TTL at a moment of its choosing.
    await t.command(`SYSTEM STOP MERGES driftwatch.${table}`);
    for (const [row, own, ingested] of rows) {
      const set = ingestion ? `, ${ownTime}, ingested_at` : `, ${ownTime}`;
      const values = ingestion ? `, ${own}, ${ingested}` : `, ${own}`;
      await t.command(`INSERT INTO driftwatch.${table} (${name}${set}) SELECT '${row}'${values}`);
    }
    const names = async () =>
      (await t.query<{ n: string }>(`SELECT toString(${name}) AS n FROM driftwatch.${table} WHERE n IN ('expired', 'recent', 'replayed') ORDER BY n`)).map((x) => x.n);
    const kept = ingestion ? ['recent', 'replayed'] : ['recent'];
    expect(await names()).toEqual(ingestion ? ['expired', 'recent', 'replayed'] : ['expired', 'recent']); // stored
    await t.command(`SYSTEM START MERGES driftwatch.${table}`);
    // OPTIMIZE … FINAL does nothing while a background merge (free to start now) holds the parts: repeat it until the
    // parts are merged, by it or by that merge. A TTL that deletes nothing fails after the attempts.
    for (let attempt = 0; attempt < 50; attempt++) {
      await t.command(`OPTIMIZE TABLE driftwatch.${table} FINAL`);
      if ((await names()).length === kept.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await names()).toEqual(kept);
  });
});
