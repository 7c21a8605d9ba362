/**
 * StoreTransport over chDB, the in-process ClickHouse engine (npm `chdb`).
 *
 * Every call goes through chDB's async entry points, which run on a libuv
 * worker thread: the engine parses and writes a batch while the event loop
 * keeps feeding the processors. Inserts use the raw passthrough
 * (`session.insert({ values: Buffer, format })`), i.e.
 * `INSERT INTO <table> [(columns)] FORMAT <format>` + newline + rows, handed to the
 * engine without copying into a SQL string. Measured against
 * `queryAsync('INSERT … FORMAT JSONEachRow\n' + rows)`: same engine work,
 * 0–30 % faster, and neither blocks the event loop.
 */
import type { Session } from 'chdb';
import { StoreError } from '../lib/errors.js';
import { toStoreError } from './store-errors.js';
import { payloadBytes, type InsertOptions, type StoreTransport } from './transport.js';

export class ChdbTransport implements StoreTransport {
  readonly kind = 'embedded' as const;
  readonly compactRows = true;
  #session: Session | undefined;

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
      throw toStoreError(err, `embedded store: ${firstLine(sql)}`);
    }
  }

  async insert(table: string, lines: string[] | string | Buffer, opts: InsertOptions = {}): Promise<void> {
    const payload = payloadBytes(lines);
    if (payload.length === 0) return;
    const session = this.#open('insert');
    try {
      // The writer batches itself; a synchronous insert also keeps the
      // dedup token meaningful (async inserts ignore it by default).
      const settings: Record<string, string | number> = { async_insert: 0 };
      if (opts.dedupToken !== undefined) settings.insert_deduplication_token = opts.dedupToken;
      const compact = opts.format === 'JSONCompactEachRow';
      // A null in a compact row stands for "absent": the column's DEFAULT, as a missing key would give.
      if (compact) settings.input_format_null_as_default = 1;
      await session.insert({
        table,
        values: payload,
        format: compact ? 'JSONCompactEachRow' : 'JSONEachRow',
        ...(compact && opts.columns ? { columns: opts.columns } : {}),
        settings,
      });
    } catch (err) {
      throw toStoreError(err, `embedded store: insert into ${table}`);
    }
  }

  async query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    const session = this.#open('query');
    let text: string;
    try {
      text = (await session.queryAsync(sql, { format: 'JSONEachRow' })).text();
    } catch (err) {
      throw toStoreError(err, `embedded store: ${firstLine(sql)}`);
    }
    return parseJsonEachRow<T>(text);
  }

  async close(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    session?.close();
  }

  #open(what: string): Session {
    if (!this.#session) throw new StoreError(`embedded store: ${what} after close(); open the store again`);
    return this.#session;
  }
}

/** Parses JSONEachRow output (one JSON object per line; blank lines ignored). */
export function parseJsonEachRow<T>(text: string): T[] {
  const rows: T[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) rows.push(JSON.parse(text.slice(start, end)) as T);
    start = end + 1;
  }
  return rows;
}

function firstLine(sql: string): string {
  const line = sql.trim().split('\n', 1)[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
