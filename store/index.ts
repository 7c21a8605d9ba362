/** Public API of the store (ClickHouse: embedded chDB or server). */
export type { InsertOptions, StoreTransport } from './transport.js';
export { ChdbTransport } from './chdb-transport.js';
export { parseJsonEachRow } from './exact-numbers.js';
export { clickhouseCodeOf, isTransientStoreFailure, toStoreError, TRANSIENT_CLICKHOUSE_CODES } from './store-errors.js';
export { DATABASE, qualifiedTable, storeTables, type StoreTable } from './tables.js';
export { RowMapper, deadLetterRow, metricRow, type Row, type RowSink, type StoreRow } from './row-mappers.js';
export { StoreWriter, type StoreWriterOptions, type StoreWriterStats } from './store-writer.js';
export { storeSink } from './store-sink.js';
export {
  defaultMigrationsDir,
  loadMigrations,
  migrate,
  splitStatements,
  type MigrateOptions,
  type Migration,
  type MigrationResult,
} from './migrations.js';
export {
  migrateStore,
  openEmbeddedStore,
  runQuery,
  type MigrateStoreResult,
  type OpenEmbeddedStoreOptions,
  type QueryResult,
} from './open-store.js';
export { formatRows, type RowsFormat } from './format-rows.js';
