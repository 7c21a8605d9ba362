/**
 * Optional hot/warm/cold storage tiering (seed: hot 7 d, warm 30 d, cold
 * until the retention ends; audit records kept 7 years).
 *
 * The migrations declare a plain `TTL … DELETE` per table, which works on
 * every server and on the embedded store. When DRIFTWATCH_STORAGE_POLICY
 * names a server storage policy, `driftwatch sql migrate` then runs, per table:
 *
 *   ALTER TABLE driftwatch.t MODIFY SETTING storage_policy = '<policy>'
 *   ALTER TABLE driftwatch.t MODIFY TTL
 *       <time> + toIntervalDay(7)  TO VOLUME '<warm>',
 *       <time> + toIntervalDay(30) TO VOLUME '<cold>',
 *       <time> + <retention>                          -- DELETE, as in the migration
 *
 * New parts are written to the policy's first volume (hot). The policy must
 * contain the disks the tables already use (normally `default`, in the hot
 * volume), or the server refuses the storage_policy change.
 *
 * It is idempotent: a table whose storage_policy and TTL (as the server
 * prints it in system.tables.engine_full) already match is left alone, so no
 * TTL re-materialisation runs on an unchanged table. The TTL below is written
 * in the server's normalised form so that comparison is exact.
 */
import { ConfigError, MigrationError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/logger.js';
import { DATABASE } from './tables.js';
import type { StoreTransport } from './transport.js';

export interface StorageTiering {
  /** Server storage policy (DRIFTWATCH_STORAGE_POLICY). */
  policy: string;
  /** Volume for data older than warmAfterMs (DRIFTWATCH_VOLUME_WARM). */
  warmVolume: string;
  /** Volume for data older than coldAfterMs (DRIFTWATCH_VOLUME_COLD). */
  coldVolume: string;
  /** @default 7 days */
  warmAfterMs: number;
  /** @default 30 days */
  coldAfterMs: number;
}

/** Names go into SQL string literals: only characters that need no escaping. */
export const STORAGE_NAME = /^[A-Za-z0-9_.-]+$/;
const DAY = 86_400_000;
const YEAR = 365 * DAY;
const RAW = (column: string) => `greatest(toDateTime(${column}), toDateTime(ingested_at))`;

/** Each table's TTL time expression and retention, exactly as the migrations declare them (checked by a test). */
export const TABLE_RETENTION: ReadonlyArray<{ table: string; at: string; keep: string; keepMs: number }> = [
  { table: 'promotion_events', at: RAW('occurred_at'), keep: 'toIntervalYear(1)', keepMs: YEAR },
  { table: 'hydration_events', at: RAW('occurred_at'), keep: 'toIntervalYear(1)', keepMs: YEAR },
  { table: 'index_events', at: RAW('occurred_at'), keep: 'toIntervalYear(1)', keepMs: YEAR },
  { table: 'drift_windows', at: RAW('window_start'), keep: 'toIntervalYear(2)', keepMs: 2 * YEAR },
  { table: 'env_windows', at: RAW('window_start'), keep: 'toIntervalYear(2)', keepMs: 2 * YEAR },
  { table: 'promotion_windows', at: RAW('window_start'), keep: 'toIntervalYear(2)', keepMs: 2 * YEAR },
  { table: 'gate_windows', at: RAW('window_start'), keep: 'toIntervalYear(2)', keepMs: 2 * YEAR },
  { table: 'promotion_outcomes', at: RAW('first_ended_at'), keep: 'toIntervalYear(2)', keepMs: 2 * YEAR },
  { table: 'incidents', at: RAW('started_at'), keep: 'toIntervalYear(2)', keepMs: 2 * YEAR },
  { table: 'mttr_snapshots', at: RAW('as_of'), keep: 'toIntervalYear(2)', keepMs: 2 * YEAR },
  { table: 'alerts', at: RAW('event_time'), keep: 'toIntervalYear(1)', keepMs: YEAR },
  { table: 'audit_log', at: RAW('at'), keep: 'toIntervalYear(7)', keepMs: 7 * YEAR },
  { table: 'engine_metrics', at: RAW('at'), keep: 'toIntervalDay(90)', keepMs: 90 * DAY },
  { table: 'dead_letters', at: 'toDateTime(ingested_at)', keep: 'toIntervalDay(90)', keepMs: 90 * DAY },
  { table: 'drift_detection_daily', at: 'day', keep: 'toIntervalYear(5)', keepMs: 5 * YEAR },
  { table: 'drift_keys_hourly', at: RAW('hour'), keep: 'toIntervalYear(2)', keepMs: 2 * YEAR },
  { table: 'gate_runs_hourly', at: RAW('hour'), keep: 'toIntervalYear(2)', keepMs: 2 * YEAR },
];

/** A duration as the server prints an interval: whole days, else whole hours, else seconds. */
export function intervalOf(ms: number): string {
  if (ms % DAY === 0) return `toIntervalDay(${ms / DAY})`;
  if (ms % 3_600_000 === 0) return `toIntervalHour(${ms / 3_600_000})`;
  return `toIntervalSecond(${Math.max(1, Math.round(ms / 1000))})`;
}

/** The tiered TTL of one table; moves at or past the retention are left out (the rows are deleted first). */
export function tieredTtl(t: { at: string; keep: string; keepMs: number }, tiering: StorageTiering): string {
  const parts: string[] = [];
  if (tiering.warmAfterMs < t.keepMs) parts.push(`${t.at} + ${intervalOf(tiering.warmAfterMs)} TO VOLUME '${tiering.warmVolume}'`);
  if (tiering.coldAfterMs < t.keepMs) parts.push(`${t.at} + ${intervalOf(tiering.coldAfterMs)} TO VOLUME '${tiering.coldVolume}'`);
  parts.push(`${t.at} + ${t.keep}`);
  return parts.join(', ');
}

export interface TieringResult {
  /** Statements run, in order. */
  applied: string[];
  /** Tables that already had the policy and the tiered TTL. */
  unchanged: string[];
}

interface TableRow {
  name: string;
  storage_policy: string;
  engine_full: string;
}

/** Applies `tiering` to every driftwatch table (after the migrations). */
export async function applyStorageTiering(
  transport: StoreTransport,
  tiering: StorageTiering,
  options: { database?: string; logger?: Logger } = {},
): Promise<TieringResult> {
  const db = options.database ?? DATABASE;
  const logger = options.logger ?? silentLogger;
  if (!(tiering.warmAfterMs < tiering.coldAfterMs)) {
    throw new ConfigError('DRIFTWATCH_TIER_COLD_AFTER', `must be later than DRIFTWATCH_TIER_WARM_AFTER (${intervalOf(tiering.warmAfterMs)}), got ${intervalOf(tiering.coldAfterMs)}`);
  }
  for (const [option, name] of [['DRIFTWATCH_STORAGE_POLICY', tiering.policy], ['DRIFTWATCH_VOLUME_WARM', tiering.warmVolume], ['DRIFTWATCH_VOLUME_COLD', tiering.coldVolume]] as const) {
    if (!STORAGE_NAME.test(name)) throw new ConfigError(option, `expected a storage policy / volume name (letters, digits, "_", "-", "."), got "${name}"`);
  }
  await checkPolicy(transport, tiering);
  const rows = await transport.query<TableRow>(`SELECT name, storage_policy, engine_full FROM system.tables WHERE database = '${db}'`);
  const byName = new Map(rows.map((r) => [r.name, r]));
  const result: TieringResult = { applied: [], unchanged: [] };
  for (const t of TABLE_RETENTION) {
    const row = byName.get(t.table);
    if (!row) throw new MigrationError(`storage tiering: table ${db}.${t.table} does not exist; run the migrations first`);
    const statements: string[] = [];
    if (row.storage_policy !== tiering.policy) {
      statements.push(`ALTER TABLE ${db}.${t.table} MODIFY SETTING storage_policy = '${tiering.policy}'`);
    }
    const ttl = tieredTtl(t, tiering);
    if (!row.engine_full.includes(`TTL ${ttl}`)) statements.push(`ALTER TABLE ${db}.${t.table} MODIFY TTL ${ttl}`);
    if (statements.length === 0) result.unchanged.push(t.table);
    for (const sql of statements) {
      logger.info({ table: t.table, sql }, 'storage tiering');
      try {
        await transport.command(sql);
      } catch (err) {
        throw new MigrationError(`storage tiering of ${db}.${t.table} failed: ${(err as Error).message}. Fix the cause and run \`driftwatch sql migrate\` again (it resumes where it stopped).`, {
          cause: err,
          canRetry: (err as { canRetry?: boolean }).canRetry === true,
        });
      }
      result.applied.push(sql);
    }
  }
  return result;
}

/** Fails fast, naming the option, when the server lacks the policy or one of its volumes. */
async function checkPolicy(transport: StoreTransport, tiering: StorageTiering): Promise<void> {
  const volumes = (
    await transport.query<{ volume_name: string }>(`SELECT volume_name FROM system.storage_policies WHERE policy_name = '${tiering.policy}'`)
  ).map((r) => r.volume_name);
  if (volumes.length === 0) {
    throw new ConfigError(
      'DRIFTWATCH_STORAGE_POLICY',
      `the server has no storage policy "${tiering.policy}" (see system.storage_policies); define it in the server's storage_configuration, or unset DRIFTWATCH_STORAGE_POLICY to keep the plain TTL DELETE of the migrations`,
    );
  }
  for (const [option, volume] of [['DRIFTWATCH_VOLUME_WARM', tiering.warmVolume], ['DRIFTWATCH_VOLUME_COLD', tiering.coldVolume]] as const) {
    if (!volumes.includes(volume)) {
      throw new ConfigError(option, `storage policy "${tiering.policy}" has no volume "${volume}" (it has: ${volumes.join(', ')})`);
    }
  }
}
