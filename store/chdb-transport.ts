/**
 * StoreTransport over chDB, the in-process ClickHouse engine (npm `chdb`).
 *
 * Every call goes through chDB's async entry points, which run on a libuv
 * worker thread: the engine parses and writes a batch while the event loop
 * keeps feeding the processors.
 *
 * JSONEachRow inserts use the raw passthrough (`session.insert({ values:
 * Buffer, format })`), i.e. `INSERT INTO <table> FORMAT JSONEachRow` +
 * newline + rows, handed to the engine without copying into a SQL string.
 *
 * RowBinary inserts (raw history, most of the rows) cannot take that path:
 * chdb-node's passthrough accepts text formats only. The batch is written to
 * a temporary file and read by `INSERT INTO <table> (columns) SELECT * FROM
 * file(<path>, 'RowBinary', <structure>)`: one file write per batch of tens
 * of thousands of rows buys ClickHouse's cheapest row format (measured
 * alone on the hydration table: ≈ 2.4 µs of engine CPU per row against ≈ 7 µs
 * for the same row as a JSON array; in a whole replay the store's threads
 * spend about a fifth less, as part writes, merges and the other tables
 * stay). The dedup token applies to INSERT … SELECT as it does to INSERT
 * … FORMAT (tested). The files are staged in `staging/` under the store's
 * own directory (a private temporary directory for a session without one,
 * or whose path holds glob characters: see GLOB_CHARS),
 * each removed once its insert settles; `close()` removes the directory, and
 * whatever a crash leaves there stays with the store it belongs to.
 *
 * Measured and left as is (chDB 3.4, 300k raw rows in 50k batches, engine
 * CPU ≈ 1.3–1.6 µs per row, interleaved runs): the staging write is ≈ 0.2 µs
 * per row, but there is no file-less way in: the native raw insert behind
 * `session.insert` takes the payload as text, and RowBinary sent through it
 * fails part way (CANNOT_READ_ALL_DATA). A staging directory on tmpfs,
 * `storage_file_read_method` = pread / read (default mmap),
 * `max_threads` / `max_insert_threads` = 1, `input_format_parallel_parsing`
 * = 0 and `insert_deduplicate` = 0 each changed nothing beyond the noise
 * (±15 %); `optimize_on_insert = 1` doubles it (see InsertOptions.uniqueKeys).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFile as writeFileCallback } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session } from 'chdb';
import { StoreError } from '../lib/errors.js';
import { toStoreError } from './store-errors.js';
import { parseJsonEachRow } from './exact-numbers.js';
import { payloadBytes, READ_ONLY, type InsertOptions, type QueryOptions, type StoreTransport } from './transport.js';
import { maskLiteralsIn, statementLabel } from './statement-label.js';

/**
 * A failed statement as a StoreError naming it. chDB's message may echo the
 * statement (a syntax error quotes it from the failure position): its literals
 * are masked there too, in the error kept as the cause, which is logged.
 */
function statementError(err: unknown, sql: string): StoreError {
  if (err instanceof Error) err.message = maskLiteralsIn(err.message, sql);
  return toStoreError(err, `embedded store: ${statementLabel(sql)}`);
}

export class ChdbTransport implements StoreTransport {
  readonly kind = 'embedded' as const;
  #session: Session | undefined;
  /** Where RowBinary batches are staged for `file()`; made on the first one. */
  #stagingDir: string | undefined;
  readonly #stagingId = randomBytes(4).toString('hex');
  #staged = 0;

  /** Takes ownership of `session`: `close()` closes it. */
  constructor(session: Session) {
    this.#session = session;
  }

  /** The data directory of the underlying session. */
  get path(): string | undefined {
    return this.#session?.path;
  }

  async command(sql: string): Promise<void> {
    const session = this.#open('command');
    try {
      await session.queryAsync(sql);
    } catch (err) {
      throw statementError(err, sql);
    }
  }

  async insert(table: string, lines: string[] | string | Buffer, opts: InsertOptions = {}): Promise<void> {
    const payload = payloadBytes(lines);
    if (payload.length === 0) return;
    const session = this.#open('insert');
    try {
      // The writer batches itself; a synchronous insert also keeps the
      // dedup token meaningful (async inserts ignore it by default).
      // No limit on the months one batch spans (see server-features.ts, max_partitions_per_insert_block).
      const settings: Record<string, string | number> = { async_insert: 0, max_partitions_per_insert_block: 0 };
      if (opts.dedupToken !== undefined) settings.insert_deduplication_token = opts.dedupToken;
      if (opts.uniqueKeys) settings.optimize_on_insert = 0;
      if (opts.format === 'RowBinary') await this.#insertRowBinary(session, table, payload, opts, settings);
      else await session.insert({ table, values: payload, format: 'JSONEachRow', settings });
    } catch (err) {
      throw toStoreError(err, `embedded store: insert into ${table}`);
    }
  }

  /**
   * From now on this session refuses writes and DDL (`driftwatch query`
   * without --write). chDB's queryAsync takes no per-query settings, so it is
   * a session SET of READ_ONLY (see there).
   */
  async restrictToReads(): Promise<void> {
    await this.command(`SET readonly = ${READ_ONLY}`);
  }

  async query<T = Record<string, unknown>>(sql: string, options: QueryOptions = {}): Promise<T[]> {
    const session = this.#open('query');
    let text: string;
    try {
      text = (await session.queryAsync(sql, { format: 'JSONEachRow' })).text();
    } catch (err) {
      // V8's string limit (~512 MB): the answer comes back as one text; say what to do rather than V8's words.
      if (/Cannot create a string longer than/.test(String((err as Error)?.message))) {
        throw new StoreError(`embedded store: the result of ${statementLabel(sql)} is too large to read back (over 512 MB as JSON); add a LIMIT or aggregate`, { cause: err });
      }
      throw statementError(err, sql);
    }
    return parseJsonEachRow<T>(text, options.exactNumbers);
  }

  async close(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    session?.close();
    if (this.#stagingDir !== undefined) rmSync(this.#stagingDir, { recursive: true, force: true });
    this.#stagingDir = undefined;
  }

  async #insertRowBinary(session: Session, table: string, payload: Buffer, opts: InsertOptions, settings: Record<string, string | number>): Promise<void> {
    if (!opts.columns || !opts.structure) throw new StoreError(`embedded store: a RowBinary insert into ${table} needs its columns and structure`);
    const dir = (this.#stagingDir ??= stagingDir(session.path));
    // Unique per process and transport (two sessions may share a store).
    const file = join(dir, `${process.pid}-${this.#stagingId}-${++this.#staged}.rowbinary`);
    try {
      await writeWhole(file, payload).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
        await mkdir(dir, { recursive: true }); // the directory went (made with the first batch): make it again
        await writeWhole(file, payload);
      });
      const set = Object.entries(settings).map(([k, v]) => `${k} = ${typeof v === 'number' ? v : sqlString(v)}`).join(', ');
      await session.queryAsync(
        `INSERT INTO ${table} (${opts.columns.join(', ')}) SETTINGS ${set} SELECT * FROM file(${sqlString(file)}, 'RowBinary', ${sqlString(opts.structure)})`,
      );
    } finally {
      // A partial file from a failed write goes too; a failed removal must not hide the insert's own outcome.
      await rm(file, { force: true }).catch(() => undefined);
    }
  }

  #open(what: string): Session {
    if (!this.#session) throw new StoreError(`embedded store: ${what} after close(); open the store again`);
    return this.#session;
  }
}

/**
 * ClickHouse's `file()` reads its path as a glob (`*`, `?`, `{a,b}`, `{1..3}`;
 * backslashes do not escape them): a store directory with such characters
 * would make the insert match nothing and succeed with no rows. Such a store
 * stages in a private temporary directory instead.
 */
const GLOB_CHARS = /[*?{}[\]]/;

function stagingDir(storePath: string | undefined): string {
  if (storePath !== undefined && storePath !== '' && storePath !== ':memory:') {
    const dir = join(storePath, 'staging');
    if (!GLOB_CHARS.test(dir)) {
      mkdirSync(dir, { recursive: true });
      return dir;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-chdb-insert-'));
  if (GLOB_CHARS.test(dir)) {
    rmSync(dir, { recursive: true, force: true });
    throw new StoreError(`embedded store: no staging directory without glob characters (* ? { } [ ]) for RowBinary inserts; tried ${dir} (set TMPDIR)`);
  }
  return dir;
}

/**
 * Writes a batch file in one write: fs/promises' writeFile writes 512 KiB at
 * a time, each part a thread-pool round trip that waits for the event loop
 * before the next is started — 20 of them for a 10 MB batch, each delayed
 * while the engine holds the loop, and the insert with them. The callback
 * version writes the whole buffer at once (open, write, close).
 */
const writeWhole = promisify(writeFileCallback);

function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
