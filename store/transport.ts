/**
 * The one seam between driftwatch and a ClickHouse: the embedded engine
 * (chDB, `chdb-transport.ts`) or a server (`@clickhouse/client`, later).
 * Everything above it — migrations, the writer, queries — is written once
 * against this interface. Rows cross it already serialised as JSONEachRow
 * lines, so the serialisation cost is paid once, whichever transport runs.
 *
 * Failures are thrown as `StoreError` with `canRetry` telling whether trying
 * again may help (see `store-errors.ts`).
 */
export interface InsertOptions {
  /**
   * Sent as `insert_deduplication_token`: a retried batch carrying the same
   * token is applied once even if the first attempt's outcome was unknown
   * (tables declare `non_replicated_deduplication_window`).
   */
  dedupToken?: string;
}

export interface StoreTransport {
  /** 'embedded' (chDB in-process) or 'server' (ClickHouse over HTTP). */
  readonly kind: 'embedded' | 'server';
  /** Runs one statement that returns no rows (DDL, OPTIMIZE, SET-less commands). */
  command(sql: string): Promise<void>;
  /**
   * Inserts JSONEachRow lines into `table` (qualified, e.g. `driftwatch.alerts`).
   * An array holds one JSON object per element; a string holds lines joined
   * by '\n'. Columns missing from a row take their DEFAULT.
   */
  insert(table: string, jsonEachRowLines: string[] | string, opts?: InsertOptions): Promise<void>;
  /** Runs a SELECT (without a FORMAT clause) and returns its rows parsed from JSONEachRow. */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** Releases the connection / session. Idempotent. */
  close(): Promise<void>;
}
