/**
 * The one seam between driftwatch and a ClickHouse: the embedded engine
 * (chDB, `chdb-transport.ts`) or a server (`@clickhouse/client`, later).
 * Everything above it — migrations, the writer, queries — is written once
 * against this interface. Rows cross it already serialised (raw history as
 * RowBinary rows with a column list, every other table as JSONEachRow
 * objects), so the serialisation cost is paid once, whichever transport runs.
 *
 * Failures are thrown as `StoreError` with `canRetry` telling whether trying
 * again may help (see `store-errors.ts`).
 */
export interface InsertOptions {
  /**
   * Sent as `insert_deduplication_token`: a batch carrying a token the table
   * has seen is dropped — a retry whose first attempt's outcome was unknown,
   * or the same rows sent again (the writer derives the token from the rows;
   * tables declare `non_replicated_deduplication_window`).
   */
  dedupToken?: string;
  /**
   * 'JSONEachRow' (default): one JSON object per line. 'RowBinary': rows
   * encoded by row-binary.ts, values in the order of `columns` with the
   * types of `structure` (both required then).
   */
  format?: InsertFormat;
  /** RowBinary: the columns the values fill, in order; the others take their DEFAULT. */
  columns?: readonly string[];
  /** RowBinary: `name Type, …` of the encoded values (what a transport reading them from a file declares). */
  structure?: string;
  /**
   * The batch holds no two rows with the same sorting key (raw history: one
   * row per deduplicated event, and event_id is in the key). The engine then
   * need not collapse equal keys while inserting (`optimize_on_insert = 0`):
   * that step sorts and scans the block a second time and, measured on chDB,
   * about doubles the CPU of an insert into a ReplacingMergeTree. Rows with
   * equal keys from different batches still collapse in merges and `FINAL`,
   * as they always did.
   */
  uniqueKeys?: boolean;
}

export type InsertFormat = 'JSONEachRow' | 'RowBinary';

export interface StoreTransport {
  /** 'embedded' (chDB in-process) or 'server' (ClickHouse over HTTP). */
  readonly kind: 'embedded' | 'server';
  /** Runs one statement that returns no rows (DDL, OPTIMIZE, SET-less commands). */
  command(sql: string): Promise<void>;
  /**
   * Inserts rows into `table` (qualified, e.g. `driftwatch.alerts`) in
   * `opts.format` (JSONEachRow unless told otherwise). JSONEachRow: an array
   * holds one line per element; a string, or a Buffer of its UTF-8 bytes,
   * holds lines joined by '\n'; columns missing from a row take their
   * DEFAULT. RowBinary: a Buffer of encoded rows. A Buffer is not modified and
   * must not be until this settles.
   */
  insert(table: string, lines: string[] | string | Buffer, opts?: InsertOptions): Promise<void>;
  /** Runs a SELECT (without a FORMAT clause) and returns its rows parsed from JSONEachRow. */
  query<T = Record<string, unknown>>(sql: string, options?: QueryOptions): Promise<T[]>;
  /** Releases the connection / session. Idempotent. */
  close(): Promise<void>;
}

/**
 * ClickHouse's `readonly` level of `driftwatch query` without --write (both
 * transports' restrictToReads): reads and setting changes only. 2, not 1, so
 * a SELECT may still carry its own SETTINGS clause, while `readonly` itself
 * can no longer be lowered.
 */
export const READ_ONLY = 2;

/** An insert's lines as the UTF-8 bytes both transports send (a Buffer passes through uncopied). */
export function payloadBytes(lines: string[] | string | Buffer): Buffer {
  if (Buffer.isBuffer(lines)) return lines;
  return Buffer.from(Array.isArray(lines) ? lines.join('\n') : lines, 'utf8');
}

export interface QueryOptions {
  /**
   * Numbers a JavaScript number cannot hold exactly (64-bit integers above
   * 2^53, long decimals) come back as strings of their digits instead of
   * rounded (`driftwatch query`'s output; store/exact-numbers.ts). Default:
   * plain numbers, which is what the engine's own queries want.
   */
  exactNumbers?: boolean;
}
