/**
 * Why a table is unknown, when the store is older than this driftwatch: a
 * store made by an earlier version (a replay's <out>/store, a data dir kept
 * across an upgrade) lacks the tables of the migrations shipped since, and
 * `query` reads without migrating. Its UNKNOWN_TABLE alone reads like a typo;
 * this says the schema is behind and what brings it up to date.
 */
import { loadMigrations } from './migrations.js';
import { clickhouseCodeOf } from './store-errors.js';
import { DATABASE } from './tables.js';
import type { StoreTransport } from './transport.js';

const UNKNOWN_TABLE = 60;

/**
 * For an UNKNOWN_TABLE error on a store whose recorded migrations stop short
 * of the shipped ones: a sentence naming how many are missing and the command
 * that applies them (`migrateCommand`). Otherwise (another error, an up-to-date
 * store, a store that cannot tell) undefined: the store's own words suffice.
 */
export async function schemaBehindHint(transport: StoreTransport, err: unknown, migrateCommand: string): Promise<string | undefined> {
  if (clickhouseCodeOf(err) !== UNKNOWN_TABLE) return undefined;
  try {
    const rows = await transport.query<{ version: number | string | null }>(`SELECT max(version) AS version FROM ${DATABASE}.schema_migrations FINAL`);
    const applied = Number(rows[0]?.version ?? 0);
    const missing = loadMigrations().filter((m) => m.version > applied);
    if (missing.length === 0) return undefined;
    const newest = missing[missing.length - 1]!.name;
    return `this store's schema is ${missing.length} migration${missing.length === 1 ? '' : 's'} behind this driftwatch (up to ${newest}): run \`${migrateCommand}\` to bring it up to date`;
  } catch {
    return undefined;
  }
}
