/**
 * Opens the store the configuration names: a ClickHouse server when
 * CLICKHOUSE_URL is set, else the embedded chDB store under
 * DRIFTWATCH_DATA_DIR/store (or an explicit directory).
 */
import { join } from 'node:path';
import type { DriftwatchConfig } from '../config/env-config.js';
import type { Logger } from '../lib/logger.js';
import { ConfigError } from '../lib/errors.js';
import type { StoreTransport } from './transport.js';
import { openEmbeddedStore } from './open-store.js';

export function embeddedStoreDir(config: DriftwatchConfig): string {
  return join(config.dataDir, 'store');
}

export async function openConfiguredStore(
  rt: { config: DriftwatchConfig; logger: Logger },
  options: { dataDir?: string; migrate?: boolean } = {},
): Promise<StoreTransport> {
  if (rt.config.clickhouse.url !== null) {
    throw new ConfigError('CLICKHOUSE_URL', 'the ClickHouse server transport is not available in this build; unset CLICKHOUSE_URL to use the embedded store');
  }
  return openEmbeddedStore(options.dataDir ?? embeddedStoreDir(rt.config), { logger: rt.logger, migrate: options.migrate ?? true });
}
