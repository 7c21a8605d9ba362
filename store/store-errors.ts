/**
 * Turning whatever a transport throws into a `StoreError` whose `canRetry`
 * says whether retrying can help. The writer retries only retryable errors:
 * a syntax error or a missing table will not fix itself, a busy server or a
 * dropped connection may.
 */
import { StoreError } from '../lib/errors.js';

/**
 * ClickHouse error codes that describe a passing condition (load, limits,
 * network, replication) rather than a wrong request.
 */
export const TRANSIENT_CLICKHOUSE_CODES: ReadonlySet<number> = new Set([
  3, // UNEXPECTED_END_OF_FILE (connection cut mid-request)
  159, // TIMEOUT_EXCEEDED
  164, // READONLY (server temporarily read-only)
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  425, // SYSTEM_ERROR
  999, // KEEPER_EXCEPTION
]);

/**
 * ClickHouse error codes of a statement that is wrong in itself — its syntax,
 * a name it uses (table, column, function, type, setting) or the types and
 * arguments it combines — rather than of the store that ran it. `driftwatch
 * query` reports such a statement as the user's input (exit 2, as bad usage);
 * any other failure, unknown codes included, stays a store failure (exit 1).
 */
export const STATEMENT_ERROR_CODES: ReadonlySet<number> = new Set([
  16, // NO_SUCH_COLUMN_IN_TABLE
  20, // NUMBER_OF_COLUMNS_DOESNT_MATCH
  34, // TOO_MANY_ARGUMENTS_FOR_FUNCTION
  35, // TOO_FEW_ARGUMENTS_FOR_FUNCTION
  36, // BAD_ARGUMENTS
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  42, // NUMBER_OF_ARGUMENTS_DOESNT_MATCH
  43, // ILLEGAL_TYPE_OF_ARGUMENT
  44, // ILLEGAL_COLUMN
  46, // UNKNOWN_FUNCTION
  47, // UNKNOWN_IDENTIFIER
  50, // UNKNOWN_TYPE
  53, // TYPE_MISMATCH
  57, // TABLE_ALREADY_EXISTS
  60, // UNKNOWN_TABLE
  62, // SYNTAX_ERROR
  63, // UNKNOWN_AGGREGATE_FUNCTION
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  81, // UNKNOWN_DATABASE
  82, // DATABASE_ALREADY_EXISTS
  115, // UNKNOWN_SETTING
  179, // MULTIPLE_EXPRESSIONS_FOR_ALIAS
  184, // ILLEGAL_AGGREGATION
  215, // NOT_AN_AGGREGATE
  352, // AMBIGUOUS_COLUMN_NAME
  386, // NO_COMMON_TYPE
]);

/** READONLY: a write, DDL or a change of `readonly` refused in read-only mode (also a server temporarily read-only). */
export const READONLY_CODE = 164;

/** Node / HTTP-level error codes of a connection that may work next time. */
const TRANSIENT_NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/**
 * The ClickHouse error code in an exception text. Servers since 20.x write
 * `Code: 516. DB::Exception: …`; older ones (Debian's 18.16) write
 * `Code: 516, e.displayText() = DB::Exception: …`. Both are read; a number
 * followed by anything else is not taken for a code.
 */
export function clickhouseCodeInText(text: string): number | undefined {
  const m = /\bCode: (\d+)[.,]/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The ClickHouse error code carried by an error, from a property or from "Code: N." / "Code: N," in its message. */
export function clickhouseCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { clickhouseCode?: unknown; code?: unknown; message?: unknown };
  for (const c of [e.clickhouseCode, e.code]) {
    const n = typeof c === 'string' && /^\d+$/.test(c) ? Number(c) : c;
    if (typeof n === 'number' && Number.isInteger(n)) return n;
  }
  return typeof e.message === 'string' ? clickhouseCodeInText(e.message) : undefined;
}

export function isTransientStoreFailure(err: unknown): boolean {
  if (err instanceof StoreError) return err.canRetry;
  const code = clickhouseCodeOf(err);
  if (code !== undefined) return TRANSIENT_CLICKHOUSE_CODES.has(code);
  const nodeCode = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof nodeCode === 'string' && TRANSIENT_NODE_CODES.has(nodeCode)) return true;
  const msg = err instanceof Error ? err.message : String(err);
  return /socket hang up|timed? ?out|connection (reset|refused)/i.test(msg);
}

/** Wraps `err` as a StoreError naming what was attempted; keeps an existing StoreError as is. */
export function toStoreError(err: unknown, what: string): StoreError {
  if (err instanceof StoreError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new StoreError(`${what}: ${detail}`, { cause: err, canRetry: isTransientStoreFailure(err) });
}

/** Whether the store refused a statement as wrong in itself (STATEMENT_ERROR_CODES). */
export function isStatementError(err: unknown): boolean {
  const code = clickhouseCodeOf(err);
  return code !== undefined && STATEMENT_ERROR_CODES.has(code);
}
