/**
 * StoreTransport over a ClickHouse server's HTTP interface (`@clickhouse/client`).
 *
 * Every call goes through the client's `exec` with `ignore_error_response`,
 * so this module sees the HTTP status and body of a failure and classifies
 * it itself (`server-errors.ts`): the client's own error parser does not
 * recognise old servers' messages and never exposes the status.
 *
 * `open()` runs a real query (`SELECT version()`) before anything else: the
 * `/ping` endpoint answers without checking credentials, so only a query
 * proves that CLICKHOUSE_USER/CLICKHOUSE_PASSWORD are accepted. The version
 * it returns decides, once, which optional settings inserts carry
 * (`server-features.ts`).
 *
 * Inserts send the writer's pre-serialised rows as the request body
 * (`INSERT INTO t FORMAT JSONEachRow`, or `INSERT INTO t (columns) FORMAT
 * RowBinary` for raw history; the query in the URL), without parsing or
 * re-serialising them. RowBinary has been a server input format since long
 * before the oldest release the schema runs on, and the format in the
 * query works on 18.16 as on current servers (integration-tested).
 *
 * `restrictToReads()` (`driftwatch query` without --write) makes every later
 * request carry `readonly = 2`, as the embedded store sets it on its session.
 *
 * The password is handed to the client only; it is never logged, and URLs in
 * messages go through redactUrl.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { ConfigError, StoreError } from '../lib/errors.js';
import { redactCredentials, redactUrl, silentLogger, type Logger } from '../lib/logger.js';
import { clickhouseLogin } from './clickhouse-url.js';
import { parseJsonEachRow } from './exact-numbers.js';
import { requestError, responseError, type ServerErrorContext } from './server-errors.js';
import { insertSettings, parseServerVersion, QUERY_SETTINGS, serverFeatures, type ServerFeatures, type SettingValue } from './server-features.js';
import { clickhouseCodeOf, READONLY_CODE } from './store-errors.js';
import { payloadBytes, READ_ONLY, type InsertOptions, type QueryOptions, type StoreTransport } from './transport.js';
import { maskLiteralsIn, statementLabel } from './statement-label.js';

export interface ClickHouseServerOptions {
  /** http(s)://host:port of the server's HTTP interface (CLICKHOUSE_URL). */
  url: string;
  /** @default 'default' */
  username?: string;
  /** @default '' */
  password?: string;
  /**
   * Default database for unqualified table names. driftwatch's own SQL always
   * qualifies (`driftwatch.<table>`), as on the embedded store, so this stays
   * unset unless the database is known to exist: the server rejects every
   * request naming a missing database, including the first migration.
   */
  database?: string;
  /** PEM file of the CA that signed the server certificate (https only; CLICKHOUSE_TLS_CA_FILE). */
  tlsCaFile?: string;
  /** Per-request timeout (CLICKHOUSE_REQUEST_TIMEOUT). @default 30000 */
  requestTimeoutMs?: number;
  logger?: Logger;
}

interface Response {
  status: number;
  text: string;
}

export class ClickHouseServerTransport implements StoreTransport {
  readonly kind = 'server' as const;
  /** The server's version as it reported it, e.g. `24.8.4.13`. */
  readonly serverVersion: string;
  readonly features: ServerFeatures;
  readonly #url: string;
  readonly #user: string;
  /** CLICKHOUSE_TLS_CA_FILE, for the message of a TLS failure. */
  readonly #tlsCaFile: string | undefined;
  #client: ClickHouseClient | undefined;
  /**
   * After restrictToReads: the settings every request carries, whatever it
   * asks for; or 'none' for a user at readonly = 1, who may change no
   * setting at all, so its requests go without any.
   */
  #restriction: Readonly<Record<string, SettingValue>> | 'none' | undefined;

  private constructor(client: ClickHouseClient, url: string, user: string, version: string, tlsCaFile: string | undefined) {
    this.#client = client;
    this.#url = url;
    this.#user = user;
    this.#tlsCaFile = tlsCaFile;
    this.serverVersion = version;
    this.features = serverFeatures(parseServerVersion(version));
  }

  /**
   * Connects and verifies the credentials with a real query. Throws a
   * StoreError: retryable when the server is unreachable, not retryable (and
   * naming CLICKHOUSE_USER/CLICKHOUSE_PASSWORD) when the login is rejected.
   */
  static async open(options: ClickHouseServerOptions): Promise<ClickHouseServerTransport> {
    const login = clickhouseLogin(options.url, options.username ?? 'default', options.password ?? '');
    const user = login.username;
    if (login.fromUrl && options.password) {
      (options.logger ?? silentLogger).warn('CLICKHOUSE_URL carries a user and password: they are used, and CLICKHOUSE_USER / CLICKHOUSE_PASSWORD are not');
    }
    let ca: Buffer | undefined;
    if (options.tlsCaFile !== undefined) {
      try {
        ca = readFileSync(options.tlsCaFile);
      } catch (err) {
        throw new StoreError(`CLICKHOUSE_TLS_CA_FILE: cannot read ${options.tlsCaFile}: ${(err as Error).message}`, { cause: err });
      }
    }
    const client = createClientFor(options, login.url, user, login.password, ca);
    const probe = { url: options.url, user, loginInUrl: login.fromUrl, tlsCaFile: options.tlsCaFile };
    let version: string;
    try {
      const text = (await request(client, probe, 'SELECT version() AS version FORMAT JSONEachRow', 'login check (SELECT version())')).text;
      version = String(parseJsonEachRow<{ version: string }>(text)[0]?.version ?? '');
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    const transport = new ClickHouseServerTransport(client, options.url, user, version, options.tlsCaFile);
    (options.logger ?? silentLogger).info(
      { url: redactUrl(options.url), user, serverVersion: version, features: transport.features },
      'connected to ClickHouse server',
    );
    return transport;
  }

  async command(sql: string): Promise<void> {
    await this.#request(sql, statementLabel(sql));
  }

  async insert(table: string, lines: string[] | string | Buffer, opts: InsertOptions = {}): Promise<void> {
    const payload = payloadBytes(lines);
    if (payload.length === 0) return;
    const binary = opts.format === 'RowBinary';
    if (binary && !opts.columns) throw new StoreError(`ClickHouse server: a RowBinary insert into ${table} needs its columns`);
    const columns = binary ? ` (${opts.columns!.join(', ')})` : '';
    const settings = insertSettings(this.features, opts.dedupToken, opts.uniqueKeys);
    await this.#request(`INSERT INTO ${table}${columns} FORMAT ${binary ? 'RowBinary' : 'JSONEachRow'}`, `insert into ${table}`, {
      values: payload,
      settings,
    });
  }

  /**
   * From now on every request carries `readonly = 2` (READ_ONLY), so the
   * server refuses writes and DDL (`driftwatch query` without --write), as the
   * embedded store does. A probe checks first that the server takes the
   * setting. A user whose profile is already read-only may be refused it
   * (READONLY, or a settings constraint): at readonly = 1
   * (`driftwatch_reader`) no setting may change, whatever its value; an
   * analyst's readonly = 2 passes, being unchanged. Such a user needs no
   * setting: the refusal is accepted once the user's own level is read back
   * as read-only, so a refusal for any other reason never lets a statement
   * run unrestricted. At readonly = 1 the query settings go too (see
   * QUERY_SETTINGS: 64-bit integers then come back as strings).
   */
  async restrictToReads(): Promise<void> {
    // Once is enough, and a second probe would go out under the first one's restriction.
    if (this.#restriction !== undefined) return;
    const restriction = { readonly: READ_ONLY };
    try {
      await this.#request(READONLY_LEVEL, 'read-only check', { settings: restriction });
      this.#restriction = restriction;
    } catch (err) {
      if (!READONLY_REFUSED_CODES.has(clickhouseCodeOf(err) ?? 0)) throw err;
      const level = await this.profileReadonlyLevel();
      if (!(level >= 1)) throw err;
      this.#restriction = level === 1 ? 'none' : {};
    }
  }

  /** CLICKHOUSE_USER, as the server knows the login (for messages about what this user may do). */
  get user(): string {
    return this.#user;
  }

  /**
   * The `readonly` level the login's own profile sets (0: it may write), as
   * the server reports it. Meaningful before restrictToReads, whose setting
   * would be reported instead.
   */
  async profileReadonlyLevel(): Promise<number> {
    const { text } = await this.#request(READONLY_LEVEL, 'read-only check');
    return Number(parseJsonEachRow<{ readonly: string | number }>(text)[0]?.readonly ?? 0);
  }

  async query<T = Record<string, unknown>>(sql: string, options: QueryOptions = {}): Promise<T[]> {
    const what = statementLabel(sql);
    const statement = sql.trim().replace(/;+\s*$/, '');
    // On its own line, so a trailing `-- comment` cannot swallow it. Not after an
    // INSERT (`driftwatch query --write`): it answers no rows, and there FORMAT
    // names the format of the inserted data, which breaks `INSERT … SELECT`.
    const sent = INSERT.test(statement) ? statement : `${statement}\nFORMAT JSONEachRow`;
    const { text } = await this.#request(sent, what, { settings: QUERY_SETTINGS });
    let rows: T[];
    try {
      rows = parseJsonEachRow<T>(text, options.exactNumbers);
    } catch {
      // A server that fails after it started streaming appends the exception as text.
      const at = text.lastIndexOf('Code: ');
      throw responseError(200, maskLiteralsIn(at >= 0 ? text.slice(at) : text.slice(-300), sql), this.#ctx(what));
    }
    const last = rows[rows.length - 1] as { exception?: unknown } | undefined;
    if (last && typeof last === 'object' && Object.keys(last).length === 1 && typeof last.exception === 'string') {
      throw responseError(200, maskLiteralsIn(last.exception, sql), this.#ctx(what));
    }
    return rows;
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.close();
  }

  async #request(sql: string, what: string, opts: { values?: Buffer; settings?: Readonly<Record<string, SettingValue>> } = {}): Promise<Response> {
    const client = this.#client;
    if (!client) throw new StoreError(`ClickHouse server: ${what} after close(); open the store again`);
    const restriction = this.#restriction;
    const settings = restriction === 'none' ? {} : { ...opts.settings, ...(restriction ?? {}) };
    return request(client, this.#ctx(what), sql, what, { ...opts, settings });
  }

  #ctx(what: string): ServerErrorContext {
    return { url: this.#url, user: this.#user, what, tlsCaFile: this.#tlsCaFile };
  }
}

/** A statement that is an INSERT, after any leading comments. */
const INSERT = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*INSERT\b/i;

/** The session's `readonly` level; `system.settings` answers it on every release (getSetting() is newer than 18.16). */
const READONLY_LEVEL = "SELECT value AS readonly FROM system.settings WHERE name = 'readonly' FORMAT JSONEachRow";

/**
 * How a server refuses a change of `readonly`: READONLY (164) when the
 * profile is readonly = 1, or readonly = 2 and the value differs (18.16 and
 * current servers alike); SETTING_CONSTRAINT_VIOLATION (452) when a profile
 * constraint pins it.
 */
const READONLY_REFUSED_CODES: ReadonlySet<number> = new Set([READONLY_CODE, 452]);

/** One HTTP request; resolves with the body of a successful response, throws a classified StoreError otherwise. */
async function request(
  client: ClickHouseClient,
  who: Omit<ServerErrorContext, 'what'>,
  sql: string,
  what: string,
  opts: { values?: Buffer; settings?: Readonly<Record<string, SettingValue>> } = {},
): Promise<Response> {
  const ctx: ServerErrorContext = { ...who, what };
  let status: number;
  let text: string;
  let exceptionCode: unknown;
  try {
    const params = { query: sql, ignore_error_response: true, clickhouse_settings: { ...opts.settings } };
    const result = await (opts.values === undefined
      ? client.exec(params)
      : client.exec({ ...params, values: Readable.from([opts.values]) }));
    status = result.http_status_code ?? 0;
    exceptionCode = result.response_headers['x-clickhouse-exception-code'];
    text = await readAll(result.stream);
  } catch (err) {
    throw requestError(err, ctx);
  }
  // The server's message may echo the statement (a syntax error does): not its literals.
  if (status < 200 || status >= 300 || exceptionCode !== undefined) throw responseError(status, maskLiteralsIn(text, sql), ctx);
  return { status, text };
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The client for `url` (without credentials). The client checks the URL's
 * parameters as it is created: an unknown one (`?foo=1`) is a configuration
 * error naming CLICKHOUSE_URL, not an unexpected failure.
 */
function createClientFor(options: ClickHouseServerOptions, url: string, username: string, password: string, ca: Buffer | undefined): ClickHouseClient {
  try {
    return createClient({
      url,
      username,
      password,
      ...(options.database === undefined ? {} : { database: options.database }),
      ...(ca === undefined ? {} : { tls: { ca_cert: ca } }),
      request_timeout: options.requestTimeoutMs ?? 30_000,
      application: 'driftwatch',
      // Failures are reported by this module (as StoreError) and logged by
      // its callers; the client's own logger would print them a second time.
      log: { level: ClickHouseLogLevel.OFF },
    });
  } catch (err) {
    throw new ConfigError('CLICKHOUSE_URL', `${redactUrl(options.url)}: ${redactCredentials((err as Error).message)}`, { cause: err });
  }
}
