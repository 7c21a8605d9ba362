/**
 * Opening the store and the functions behind the store commands of the CLI
 * (`driftwatch sql migrate`, `driftwatch query`). The lead wires them.
 */
import { makeDir } from '../lib/make-dir.js';
import { join, resolve } from 'node:path';
import { accessSync, constants as fsConstants, readdirSync, readFileSync } from 'node:fs';
import { InputError, StoreError, UsageError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/logger.js';
import { shieldStdin } from '../lib/stdin-shield.js';
import { isProcessAlive } from '../lib/process-alive.js';
import { ChdbTransport } from './chdb-transport.js';
import { formatRows, type RowsFormat } from './format-rows.js';
import { mapSqlLiterals } from './sql-literals.js';
import { migrate, type MigrationResult } from './migrations.js';
import { explainReadOnlyLogin } from './read-only-login.js';
import { clickhouseCodeOf, READONLY_CODE } from './store-errors.js';
import type { StoreTransport } from './transport.js';

export interface OpenEmbeddedStoreOptions {
  /** Apply pending migrations on open. @default true */
  migrate?: boolean;
  /** Migration folder; defaults to the package's sql/migrations. */
  migrationsDir?: string;
  logger?: Logger;
}

/**
 * Opens (creating if needed) the embedded store, a persistent chDB database in
 * `dataDir`, and brings its schema up to date. chDB allows one open data
 * directory per process: close the returned transport before opening another.
 */
export async function openEmbeddedStore(dataDir: string, options: OpenEmbeddedStoreOptions = {}): Promise<ChdbTransport> {
  const dir = resolve(dataDir);
  const logger = options.logger ?? silentLogger;
  try {
    makeDir(dir);
  } catch (err) {
    throw new StoreError(`cannot create the embedded store directory ${dir}: ${(err as Error).message}`, { cause: err });
  }
  // Loaded on demand: the native engine is large and only this path needs it. It must not see our stdin.
  shieldStdin();
  const { Session } = await import('chdb');
  let transport: ChdbTransport;
  try {
    transport = new ChdbTransport(new Session(dir));
  } catch (err) {
    throw new StoreError(`cannot open the embedded store at ${dir}: ${(err as Error).message}. ${whyNotOpened(dir)}`, { cause: err });
  }
  // The engine runs in this process and takes its time zone from TZ: `now()`, `today()`, a time written without a
  // zone and a DateTime shown as text would follow the user's shell. The store is UTC (its columns, SPEC's times).
  try {
    await transport.command(`SET session_timezone = 'UTC'`);
    if (options.migrate !== false) await migrateStore(transport, { dir: options.migrationsDir, logger });
  } catch (err) {
    await transport.close();
    throw err;
  }
  logger.debug({ dir }, 'embedded store open');
  return transport;
}

/**
 * The likely cause of a failed open, as far as can be told from outside: chDB
 * says only "Failed to create connection" (the real reason goes to its own
 * stderr). A running engine keeps `<dir>/status` with its PID while the store
 * is open (removed on a clean close), and a directory it may not write is
 * refused too.
 */
function whyNotOpened(dir: string): string {
  try {
    accessSync(dir, fsConstants.R_OK | fsConstants.W_OK);
  } catch {
    return 'This user may not read and write that directory (permission denied).';
  }
  const pid = embeddedStoreHolder(dir);
  if (pid === process.pid) return 'This process already has an embedded store open (one per process); close it first.';
  if (pid !== undefined) return `It is in use by another process (pid ${pid}: a replay, demo, run or query on the same directory); wait for it to finish or use another directory.`;
  return 'Only one embedded store can be open per process, and one process per directory.';
}

/** What ClickHouse (chDB) puts in a data path: `status` and `tmp/` when it opens one, the rest as it is used. */
const DATA_PATH_ENTRIES = new Set(['status', 'tmp', 'data', 'metadata', 'metadata_dropped', 'store', 'user_files', 'format_schemas', 'flags', 'access', 'named_collections', 'preprocessed_configs', 'user_scripts', 'user_defined', 'uuid']);

/**
 * Whether `dir` holds nothing but what an embedded store's data path does —
 * also one a run left half made (interrupted while it opened or migrated) —
 * so that removing it removes no file of the user's.
 */
export function isEmbeddedStoreDir(dir: string): boolean {
  return readdirSync(dir).every((name) => DATA_PATH_ENTRIES.has(name));
}

/** The live process that has the embedded store in `dir` open (its `status` file names it), if any. */
export function embeddedStoreHolder(dir: string): number | undefined {
  let pid: number | undefined;
  try {
    pid = Number(/^PID:\s*(\d+)/m.exec(readFileSync(join(dir, 'status'), 'utf8'))?.[1]);
  } catch {
    return undefined; // no status file: no process has it open
  }
  return Number.isInteger(pid) && pid > 0 && (pid === process.pid || isProcessAlive(pid)) ? pid : undefined;
}

export interface MigrateStoreResult extends MigrationResult {
  /** Human-readable summary for the CLI. */
  text: string;
}

/** `driftwatch sql migrate`: applies pending migrations and describes what happened. */
export async function migrateStore(
  transport: StoreTransport,
  options: { dir?: string; logger?: Logger } = {},
): Promise<MigrateStoreResult> {
  const logger = options.logger ?? silentLogger;
  const result = await migrate(transport, {
    dir: options.dir,
    onApply: (m) => logger.debug({ migration: m.name, statements: m.statements.length }, 'applying migration'),
  });
  // One line, not one per migration. Upgrading a store that had a schema is news (info); a new store's schema is made
  // by every replay into a new directory and every first start, and is said at debug only.
  if (result.applied.length > 0) {
    const level = result.skipped.length > 0 ? 'info' : 'debug';
    logger[level]({ applied: result.applied, upToDate: result.skipped.length }, 'store schema migrated');
  }
  const lines = [
    ...result.applied.map((n) => `applied  ${n}`),
    `${result.applied.length} applied, ${result.skipped.length} already up to date`,
  ];
  return { ...result, text: lines.join('\n') };
}

export interface QueryResult<T = Record<string, unknown>> {
  rows: T[];
  /** The rows formatted for a terminal ('table') or for scripts ('jsonl'). */
  text: string;
}

export interface RunQueryOptions {
  format?: RowsFormat;
  /** Let the statement write (INSERT, ALTER, DROP …). Off by default: a typo must not damage a store. */
  write?: boolean;
}

/** A transport that can refuse writes for the rest of its life (both store transports can). */
interface RestrictableTransport extends StoreTransport {
  restrictToReads(): Promise<void>;
}

/**
 * `driftwatch query "<SQL>"`: runs one statement (no FORMAT clause) and
 * formats its rows. Read-only unless `write`: the transport is restricted
 * first, so the engine itself refuses writes and DDL, whatever the SQL says.
 */
export async function runQuery(transport: StoreTransport, sql: string, options: RunQueryOptions = {}): Promise<QueryResult> {
  const statement = sql.trim().replace(/;+\s*$/, '');
  if (statement.length === 0) throw new UsageError('query: empty SQL; pass a statement, e.g. "SELECT count() FROM driftwatch.incidents"');
  // Checked on the SQL with its literals and comments blanked, so a ';' or 'FORMAT' inside a string is fine.
  const code = blankLiterals(statement);
  if (code.includes(';')) throw new UsageError('query: one statement at a time (the rows of several would be merged into one table)');
  // The rows are read back as JSONEachRow and printed by -f/--format; a FORMAT clause of its own would be misread.
  if (hasFormatClause(code)) throw new UsageError('query: leave out the FORMAT clause; choose the output with -f/--format (table or jsonl)');
  if (!options.write) refuseWritesReadonlyMisses(code);
  if (options.write) {
    try {
      return answer(await transport.query(statement, { exactNumbers: true }), options);
    } catch (err) {
      throw await explainReadOnlyLogin(transport, err);
    }
  }
  await restrictToReads(transport);
  try {
    return answer(await transport.query(statement, { exactNumbers: true }), options);
  } catch (err) {
    // READONLY: not a passing store failure to retry, but a statement that needs --write.
    if (clickhouseCodeOf(err) !== READONLY_CODE) throw err;
    throw new UsageError(
      `query: refused, the store is queried read-only (${(err as Error).message}); ` +
        'pass --write to run a statement that writes or changes readonly',
      { cause: err },
    );
  }
}

/**
 * Statements `readonly` let through in a test on one store or the other
 * (UNDROP brought a dropped table back, BACKUP wrote a backup, KILL QUERY
 * stopped a query on 18.16's server) or that act on the whole server
 * (SYSTEM). Every other write — INSERT, ALTER, DROP … — is refused by the
 * engine itself, which stays the enforcement.
 */
const WRITES_READONLY_MISSES = new Set(['UNDROP', 'BACKUP', 'RESTORE', 'KILL', 'SYSTEM']);

/**
 * Throws a UsageError, before the store sees the statement, for the writes
 * `readonly` does not stop: a statement starting (after comments and
 * parentheses) with one of WRITES_READONLY_MISSES, and anywhere in it INTO
 * OUTFILE (a file on this machine), INSERT INTO [TABLE] FUNCTION — file(),
 * url(), s3() …, which on the embedded store wrote any file the process may,
 * the store's own parts too — and PARALLEL WITH, which carries another
 * statement after a harmless first one.
 */
function refuseWritesReadonlyMisses(code: string): void {
  if (/\bINTO\s+OUTFILE\b/i.test(code)) {
    throw new UsageError('query: INTO OUTFILE writes a file; it is refused in a read-only query (pass --write to run it, or use -f jsonl and redirect)');
  }
  if (/\bINSERT\s+INTO\s+(TABLE\s+)?FUNCTION\b/i.test(code)) {
    throw new UsageError('query: INSERT INTO FUNCTION writes through a table function (a file, a URL); it is refused in a read-only query (pass --write to run it)');
  }
  if (/\bPARALLEL\s+WITH\b/i.test(code)) {
    throw new UsageError('query: PARALLEL WITH runs further statements; it is refused in a read-only query (pass --write to run it)');
  }
  const first = /^[\s(]*([A-Za-z]+)/.exec(code)?.[1]?.toUpperCase() ?? '';
  if (WRITES_READONLY_MISSES.has(first)) {
    throw new UsageError(`query: ${first} is refused, the store is queried read-only; pass --write to run a statement that writes or changes the store`);
  }
}

/**
 * Whether the statement (literals blanked) has a FORMAT clause: the keyword
 * followed by a format name, bare or quoted, anywhere (a SETTINGS clause may
 * follow it) — but not `format(…)`, the function, nor a column named format
 * (after SELECT, a comma, AS, BY, an operator…).
 */
export function hasFormatClause(code: string): boolean {
  for (const m of code.matchAll(/\bFORMAT\b/gi)) {
    const after = code.slice(m.index! + m[0].length);
    if (/^\s*\(/.test(after)) continue; // the format() function
    const before = code.slice(0, m.index!).trimEnd();
    if (before === '' || /[,(=<>+\-*/.]$/.test(before) || /\b(SELECT|AS|BY|DISTINCT|WHERE|AND|OR|NOT|ON|WHEN|THEN|ELSE)$/i.test(before)) continue;
    return true;
  }
  return false;
}

function answer(rows: Array<Record<string, unknown>>, options: RunQueryOptions): QueryResult {
  return { rows, text: formatRows(rows, options.format ?? 'table') };
}

async function restrictToReads(transport: StoreTransport): Promise<void> {
  // A transport that cannot refuse writes would run a DROP silently; better to refuse the query.
  const restrictable = transport as Partial<RestrictableTransport>;
  if (typeof restrictable.restrictToReads !== 'function') {
    throw new StoreError(`query: the ${transport.kind} store transport cannot run a query read-only; pass --write to run it anyway`);
  }
  await restrictable.restrictToReads();
}

/**
 * Throws an InputError unless the open store holds driftwatch's schema
 * (`driftwatch.schema_migrations`, which every migration run records itself
 * in): a query against anything else would only answer "unknown table".
 */
export async function requireDriftwatchSchema(transport: StoreTransport, where: string): Promise<void> {
  const found = await transport.query<{ n: number }>(
    "SELECT count() AS n FROM system.tables WHERE database = 'driftwatch' AND name = 'schema_migrations'",
  );
  if (Number(found[0]?.n ?? 0) > 0) return;
  throw new InputError(`${where}: no driftwatch schema there (driftwatch.schema_migrations is missing); run driftwatch sql migrate on it first`);
}

/** `sql` with the contents of string literals, quoted identifiers and comments replaced by spaces (same length). */
export function blankLiterals(sql: string): string {
  return mapSqlLiterals(sql, (_kind, text) => ' '.repeat(text.length));
}
