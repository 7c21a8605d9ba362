/**
 * The soak's view of an embedded store: every table the engine writes, as
 * sorted JSON lines without what legitimately differs between a live run and
 * replay — wall-clock columns (ingested_at, emitted_at), where a record came
 * from (Kafka offsets vs NDJSON lines, headers and keys of dead letters), the
 * instance id, and the audit trail's health and login records (live mode's
 * own). The rollups of materialized views are read finalized (a row inserted
 * twice, as a redo after a crash does, must not count twice there), their
 * exact columns only (`drift_detection_daily`'s quantiles are not exact under
 * a redo, as documented: store-snapshot.test.ts).
 *
 * With several instance ids only what a key's owner decides is compared
 * (README: Known limits): raw events, drift windows, incidents, promotion
 * outcomes, keyed alerts, audit and dead letters — as the union of the
 * instances' stores, since a redo of lost work writes the same rows again.
 */
import { keyedRules } from '../../processors/alerting/alert-key.js';
import { storeRows } from '../integration/live/engine-process.js';

const source = 'source_topic, source_partition, source_offset, source_line, ingested_at';
const keyedList = [...keyedRules].map((r) => `'${r}'`).join(', ');

/**
 * Table → query giving its comparable rows; `shared: false` ones only with one instance id. `latestBy`: a
 * ReplacingMergeTree(version) table's sorting key — each store's FINAL keeps its own latest row of an incident or a
 * promotion that moved on to another member, so over several stores only the highest version per key counts.
 */
const comparable: Array<{ table: string; sql: string; shared: boolean; latestBy?: string[] }> = [
  { table: 'promotion_events', sql: `SELECT * EXCEPT (${source}) FROM driftwatch.promotion_events FINAL`, shared: true },
  { table: 'hydration_events', sql: `SELECT * EXCEPT (${source}) FROM driftwatch.hydration_events FINAL`, shared: true },
  { table: 'index_events', sql: `SELECT * EXCEPT (${source}) FROM driftwatch.index_events FINAL`, shared: true },
  { table: 'drift_windows', sql: 'SELECT * EXCEPT (ingested_at) FROM driftwatch.drift_windows FINAL', shared: true },
  { table: 'incidents', sql: 'SELECT * EXCEPT (ingested_at) FROM driftwatch.incidents FINAL', shared: true, latestBy: ['env', 'artifact', 'incident_id'] },
  { table: 'promotion_outcomes', sql: 'SELECT * EXCEPT (ingested_at) FROM driftwatch.promotion_outcomes FINAL', shared: true, latestBy: ['env', 'promotion_id'] },
  { table: 'alerts (keyed rules)', sql: `SELECT * EXCEPT (instance_id, emitted_at, ingested_at) FROM driftwatch.alerts FINAL WHERE rule IN (${keyedList})`, shared: true },
  { table: 'alerts (per-env rules)', sql: `SELECT * EXCEPT (instance_id, emitted_at, ingested_at) FROM driftwatch.alerts FINAL WHERE rule NOT IN (${keyedList})`, shared: false },
  { table: 'audit_log', sql: "SELECT * EXCEPT (ingested_at) FROM driftwatch.audit_log FINAL WHERE category NOT IN ('performance', 'security')", shared: true },
  { table: 'dead_letters', sql: 'SELECT reason, raw, raw_encoding FROM driftwatch.dead_letters FINAL', shared: true },
  { table: 'env_windows', sql: 'SELECT * EXCEPT (instance_id, ingested_at) FROM driftwatch.env_windows FINAL', shared: false },
  { table: 'promotion_windows', sql: 'SELECT * EXCEPT (instance_id, ingested_at) FROM driftwatch.promotion_windows FINAL', shared: false },
  { table: 'gate_windows', sql: 'SELECT * EXCEPT (instance_id, ingested_at) FROM driftwatch.gate_windows FINAL', shared: false },
  { table: 'mttr_snapshots', sql: 'SELECT * EXCEPT (instance_id, ingested_at) FROM driftwatch.mttr_snapshots FINAL', shared: false },
  {
    // Its exact columns only: the quantile columns (detection_ms, recovery_ms) weigh an incident whose rows a redo
    // wrote again twice, by design (sql/README: take percentiles from incidents FINAL, compared above).
    table: 'drift_detection_daily',
    sql:
      'SELECT day, env, kind, uniqExactMerge(opened) AS opened, uniqExactMerge(resolved) AS resolved, maxMerge(detection_ms_max) AS detection_max ' +
      'FROM driftwatch.drift_detection_daily GROUP BY day, env, kind',
    shared: false,
  },
  {
    table: 'drift_keys_hourly',
    sql: 'SELECT hour, env, uniqExactMerge(keys) AS keys, uniqExactMerge(drifted_keys) AS drifted FROM driftwatch.drift_keys_hourly GROUP BY hour, env',
    shared: false,
  },
  {
    table: 'gate_runs_hourly',
    sql: 'SELECT hour, env, gate, arraySum(maxMapMerge(passed).2) AS passed, arraySum(maxMapMerge(failed).2) AS failed FROM driftwatch.gate_runs_hourly GROUP BY hour, env, gate',
    shared: false,
  },
];

export type StoreSnapshot = Map<string, string[]>;

/** The comparable rows of the stores (their union, each row once), table by table. */
export async function storeSnapshot(storeDirs: readonly string[], shared: boolean): Promise<StoreSnapshot> {
  const out: StoreSnapshot = new Map();
  for (const { table, sql, latestBy } of comparable.filter((c) => c.shared || !shared)) {
    const rows = new Set<string>();
    const latest = new Map<string, Record<string, unknown>>();
    for (const dir of storeDirs) {
      for (const r of await storeRows(dir, sql)) {
        // The far-future ticks (env `tick`) are never released in live mode (scenario-records.ts); replay takes them in.
        if (r.env === 'tick') continue;
        if (!latestBy) rows.add(JSON.stringify(r));
        else {
          const key = JSON.stringify(latestBy.map((c) => r[c]));
          const prev = latest.get(key);
          if (!prev || BigInt(String(r.version)) > BigInt(String(prev.version))) latest.set(key, r);
        }
      }
    }
    for (const r of latest.values()) rows.add(JSON.stringify(r));
    out.set(table, [...rows].sort());
  }
  return out;
}

/** `snapshot` with each dead letter's reason rewritten (replay's words for what an engine words otherwise). */
export function mapDeadLetterReasons(snapshot: StoreSnapshot, map: (reason: string) => string): StoreSnapshot {
  const out = new Map(snapshot);
  const rows = snapshot.get('dead_letters');
  if (rows) {
    const mapped = rows.map((line) => {
      const r = JSON.parse(line) as { reason: string };
      return JSON.stringify({ ...r, reason: map(r.reason) });
    });
    out.set('dead_letters', mapped.sort());
  }
  return out;
}

/** Per table whose rows differ: the rows only live has and those only replay has. */
export function snapshotDiff(live: StoreSnapshot, ref: StoreSnapshot): Record<string, { onlyLive: string[]; onlyReplay: string[] }> {
  const out: Record<string, { onlyLive: string[]; onlyReplay: string[] }> = {};
  for (const [table, rows] of live) {
    const theirs = new Set(ref.get(table) ?? []);
    const mine = new Set(rows);
    const onlyLive = rows.filter((r) => !theirs.has(r));
    const onlyReplay = [...theirs].filter((r) => !mine.has(r));
    if (onlyLive.length + onlyReplay.length > 0) out[table] = { onlyLive, onlyReplay };
  }
  return out;
}

/** `<env>/<artifact>` of every key that had a late event (an input record stored with `late`), in any of the stores. */
export async function lateKeys(storeDirs: readonly string[]): Promise<Set<string>> {
  const sql = ['promotion_events', 'hydration_events', 'index_events'].map((t) => `SELECT env, artifact FROM driftwatch.${t} FINAL WHERE late`).join(' UNION DISTINCT ');
  const keys = new Set<string>();
  for (const dir of storeDirs) for (const r of await storeRows(dir, sql)) keys.add(`${String(r.env)}/${String(r.artifact)}`);
  return keys;
}
