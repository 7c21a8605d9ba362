/**
 * Opens the store the configuration names: a ClickHouse server when
 * CLICKHOUSE_URL is set, else the embedded chDB store under
 * DRIFTWATCH_DATA_DIR/store — or the embedded store in the directory a
 * command's --data-dir names, whatever CLICKHOUSE_URL says.
 */
import { join } from 'node:path';
import type { DriftwatchConfig } from '../config/env-config.js';
import type { Logger } from '../lib/logger.js';
import { ConfigError, MigrationError } from '../lib/errors.js';
import { ClickHouseServerTransport } from './clickhouse-transport.js';
import { MIN_SCHEMA_VERSION } from './server-features.js';
import { applyStorageTiering } from './storage-tiering.js';
import { DATABASE } from './tables.js';
import type { StoreTransport } from './transport.js';
import { migrateStore, openEmbeddedStore, type MigrateStoreResult } from './open-store.js';
import { checkDataDir, checkDataDirFlag } from './data-dir-check.js';

export function embeddedStoreDir(config: DriftwatchConfig): string {
  return join(config.dataDir, 'store');
}

type Runtime = { config: DriftwatchConfig; logger: Logger };

/** A file where the embedded store's directory should be is the mistake of what named it (exit 2): the flag, else the variable. */
export function checkEmbeddedStoreDir(config: DriftwatchConfig, flagDir: string | undefined): void {
  if (flagDir === undefined) checkDataDir(config.dataDir);
  else checkDataDirFlag(flagDir);
}

/**
 * Whether a command works on the embedded store: without CLICKHOUSE_URL, or
 * when its `--data-dir` names one. The flag on the command line wins over the
 * variable: ignored, `query --data-dir <out>/store` with CLICKHOUSE_URL
 * exported read the server instead of the replay's store, and `query --write`
 * or `sql migrate` changed the server instead of the directory named.
 */
export function usesEmbeddedStore(config: DriftwatchConfig, flagDir: string | undefined): boolean {
  return config.clickhouse.url === null || flagDir !== undefined;
}

export async function openConfiguredStore(rt: Runtime, options: { dataDir?: string; migrate?: boolean } = {}): Promise<StoreTransport> {
  let transport: StoreTransport;
  if (usesEmbeddedStore(rt.config, options.dataDir)) {
    checkEmbeddedStoreDir(rt.config, options.dataDir);
    transport = await openEmbeddedStore(options.dataDir ?? embeddedStoreDir(rt.config), { logger: rt.logger, migrate: false });
  } else {
    transport = await openServerStore(rt.config, rt.logger);
  }
  if (options.migrate ?? true) {
    try {
      await migrateConfiguredStore(rt, transport);
    } catch (err) {
      await transport.close();
      throw err;
    }
  }
  return transport;
}

/** Connects to CLICKHOUSE_URL and verifies the credentials (a real query, not /ping). */
export async function openServerStore(config: DriftwatchConfig, logger: Logger): Promise<ClickHouseServerTransport> {
  const ch = config.clickhouse;
  if (ch.url === null) throw new ConfigError('CLICKHOUSE_URL', 'is not set; a server store needs the server URL, e.g. http://localhost:8123');
  // Every statement in sql/ and the writer name driftwatch.<table>; a
  // different name would write to one database and create another.
  if (ch.database !== DATABASE) {
    throw new ConfigError('CLICKHOUSE_DATABASE', `the schema (sql/migrations) lives in database "${DATABASE}"; other names are not supported yet, got "${ch.database}"`);
  }
  return ClickHouseServerTransport.open({
    url: ch.url,
    username: ch.user,
    password: ch.password,
    tlsCaFile: ch.tlsCaFile ?? undefined,
    requestTimeoutMs: ch.requestTimeoutMs,
    logger,
  });
}

/**
 * `driftwatch sql migrate` on the configured store: the migrations, then —
 * on a server, when DRIFTWATCH_STORAGE_POLICY is set — the storage tiering
 * step (storage-tiering.ts). Without a policy, or on the embedded store
 * (one local disk), the migrations' plain TTL DELETE stays in force.
 */
export async function migrateConfiguredStore(rt: Runtime, transport: StoreTransport): Promise<MigrateStoreResult> {
  if (transport instanceof ClickHouseServerTransport && !transport.features.schema) {
    throw new MigrationError(
      `the ClickHouse server at CLICKHOUSE_URL runs ${transport.serverVersion}; sql/migrations need ${MIN_SCHEMA_VERSION} or newer ` +
        '(DateTime64, Map, TTL, LowCardinality, non_replicated_deduplication_window). Upgrade the server, or unset CLICKHOUSE_URL to use the embedded store.',
    );
  }
  const result = await migrateStore(transport, { logger: rt.logger });
  const tiering = rt.config.storageTiering;
  if (tiering === null) return result;
  if (transport.kind !== 'server') {
    rt.logger.warn({ policy: tiering.policy }, 'DRIFTWATCH_STORAGE_POLICY is ignored by the embedded store (one local disk); plain TTL DELETE applies');
    return result;
  }
  const tiered = await applyStorageTiering(transport, tiering, { logger: rt.logger });
  const line = tiered.applied.length === 0
    ? `storage tiering: policy ${tiering.policy} already in place on ${tiered.unchanged.length} tables`
    : `storage tiering: ${tiered.applied.length} statements applied (policy ${tiering.policy}, volumes ${tiering.warmVolume}/${tiering.coldVolume})`;
  return { ...result, text: `${result.text}\n${line}` };
}
