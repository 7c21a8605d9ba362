/**
 * What a ClickHouse server of a given version accepts, decided once per
 * connection from `SELECT version()`. An old server rejects a whole request
 * that names a setting it does not know (`Code: 115 Unknown setting`), so the
 * transport sends only the settings the server has.
 *
 * Thresholds (release that introduced the feature):
 * - `insert_deduplication_token`: 22.2. Before it, a retried batch is
 *   deduplicated only by ReplacingMergeTree keys (which the schema relies on
 *   anyway) — never by the token.
 * - `optimize_on_insert`: 20.x; sent only to servers the schema targets
 *   (22.2 on), so no version guess is needed.
 * - `async_insert`: 21.11. Set to 0 explicitly where it exists: the writer
 *   batches itself, a synchronous insert makes "insert returned" mean "rows are
 *   stored", and the dedup token is ignored by async inserts. (It is on by
 *   default in recent releases, and user profiles may turn it on.)
 * - `max_partitions_per_insert_block`: long before 22.2; sent (as 0: no
 *   limit) only to servers the schema targets. Every table is partitioned by
 *   month, and a batch follows arrival order: one that spans more than 100
 *   months (a backfill of years of history, or scattered wrong-clock dates)
 *   failed as a whole, for good, with it the replay or the live engine.
 *   More parts per insert cost merges, not rows.
 * - The schema in sql/migrations (DateTime64, Map, TTL, LowCardinality without
 *   a flag, non_replicated_deduplication_window) is tested on 26.7 (chDB);
 *   22.2 is the oldest release assumed to carry all of it together with the
 *   dedup token. Older servers are refused with a clear message rather than
 *   failing half way through a migration.
 */
export interface ServerVersion {
  major: number;
  minor: number;
  patch: number;
  /** As the server printed it, e.g. `18.16.1` or `24.8.4.13`. */
  text: string;
}

export interface ServerFeatures {
  insertDeduplicationToken: boolean;
  asyncInsertSetting: boolean;
  optimizeOnInsertSetting: boolean;
  /** `max_partitions_per_insert_block` may be sent. */
  partitionLimitSetting: boolean;
  /** The migrations in sql/migrations can run here. */
  schema: boolean;
}

/** Oldest server release the migrations are meant for. */
export const MIN_SCHEMA_VERSION = '22.2';

/** Parses `major.minor[.patch…]`; unparseable text gives undefined. */
export function parseServerVersion(text: string): ServerVersion | undefined {
  const m = /^\s*(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? 0 : Number(m[3]), text: text.trim() };
}

function atLeast(v: ServerVersion, required: string): boolean {
  const r = parseServerVersion(required)!;
  return v.major !== r.major ? v.major > r.major : v.minor >= r.minor;
}

/**
 * Features of a server version. An unknown version (a fork printing
 * something else) is treated as the oldest: nothing optional is sent, and the
 * schema check does not block (the migrations themselves will tell).
 */
export function serverFeatures(version: ServerVersion | undefined): ServerFeatures {
  if (version === undefined) return { insertDeduplicationToken: false, asyncInsertSetting: false, optimizeOnInsertSetting: false, partitionLimitSetting: false, schema: true };
  return {
    insertDeduplicationToken: atLeast(version, '22.2'),
    asyncInsertSetting: atLeast(version, '21.11'),
    optimizeOnInsertSetting: atLeast(version, MIN_SCHEMA_VERSION),
    partitionLimitSetting: atLeast(version, MIN_SCHEMA_VERSION),
    schema: atLeast(version, MIN_SCHEMA_VERSION),
  };
}

export type SettingValue = string | number;

/** Settings of one insert on a server with `features`. */
export function insertSettings(features: ServerFeatures, dedupToken: string | undefined, uniqueKeys = false): Record<string, SettingValue> {
  const settings: Record<string, SettingValue> = {};
  if (features.asyncInsertSetting) settings.async_insert = 0;
  if (uniqueKeys && features.optimizeOnInsertSetting) settings.optimize_on_insert = 0;
  if (features.partitionLimitSetting) settings.max_partitions_per_insert_block = 0;
  if (features.insertDeduplicationToken && dedupToken !== undefined && dedupToken !== '') {
    settings.insert_deduplication_token = dedupToken;
  }
  return settings;
}

/**
 * Settings of every SELECT. 64-bit integers come back as JSON numbers, as
 * they do from the embedded store, so `count()` is a number whichever store
 * answers. Values above 2^53 would lose precision; no column of the schema
 * holds one (incident versions, ~7e12, are the largest). The setting exists
 * in every release since 2017. A user at `readonly = 1` may change no
 * setting: after restrictToReads its queries go without these, and 64-bit
 * integers come back as strings.
 */
export const QUERY_SETTINGS: Readonly<Record<string, SettingValue>> = { output_format_json_quote_64bit_integers: 0 };
