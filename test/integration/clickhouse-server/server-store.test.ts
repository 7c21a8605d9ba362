/**
 * StoreWriter + ClickHouseServerTransport against a real ClickHouse server:
 * the one `deploy/clickhouse/clickhouse.sh` runs (Debian's 18.16, HTTP on
 * 127.0.0.1:8123). Needs:
 *
 *   deploy/clickhouse/clickhouse.sh install && deploy/clickhouse/clickhouse.sh start
 *   CLICKHOUSE_TEST_URL=http://127.0.0.1:8123
 *   CLICKHOUSE_TEST_USER / CLICKHOUSE_TEST_PASSWORD (default driftwatch / driftwatch-secret)
 *
 * Skipped, with a notice, when CLICKHOUSE_TEST_URL is unset — except under
 * CI=true, where that is a failure. The restart test stops and starts the
 * server through the script, so nothing else may use that server meanwhile.
 *
 * `driftwatch query` (runQuery) runs first, in its own database: read-only
 * unless --write for a user that may write (readonly = 2 sent per request)
 * and for users whose profile is already read-only — the analyst's
 * readonly = 2 and the reader's readonly = 1, which may change no setting;
 * with --write those two are told they are read-only (users
 * `driftwatch_analyst` / `driftwatch_reader` of
 * deploy/clickhouse/clickhouse.sh, same password). In this file, not one of
 * its own: files run in parallel, and the restart test below stops the server.
 *
 * 18.16 cannot run sql/migrations (no DateTime64, TTL, Map…), so each run
 * creates its own database (random name) with an 18.16-compatible
 * hydration_events table (hydration-table-1816.ts). TLS (tls-transport.ts)
 * runs on the server's HTTPS port when CLICKHOUSE_TEST_HTTPS_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '../../../config/env-config.js';
import { MigrationError, StoreError } from '../../../lib/errors.js';
import { silentLogger } from '../../../lib/logger.js';
import { ClickHouseServerTransport } from '../../../store/clickhouse-transport.js';
import { openConfiguredStore } from '../../../store/configured-store.js';
import { runQuery } from '../../../store/open-store.js';
import { compileRowEncoder, RowBinaryBuffer } from '../../../store/row-binary.js';
import { StoreWriter } from '../../../store/store-writer.js';
import { LIVE_STORE_RETRY } from '../../../engine/live/start-live.js';
import type { InsertOptions, StoreTransport } from '../../../store/transport.js';
import { hydration, T0 } from '../../unit/store/fixtures.js';
import { createHydrationEvents1816 } from './hydration-table-1816.js';
import { secretsInOutputSuite } from './secrets-in-output.js';
import { httpsPortToKeep, httpsServes, tlsTransportSuite } from './tls-transport.js';

const URL_ = process.env.CLICKHOUSE_TEST_URL?.trim() || undefined;
const USER = process.env.CLICKHOUSE_TEST_USER?.trim() || 'driftwatch';
const PASSWORD = process.env.CLICKHOUSE_TEST_PASSWORD ?? 'driftwatch-secret';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../../../deploy/clickhouse/clickhouse.sh');
const DB = `dw_it_${randomBytes(4).toString('hex')}`;

if (URL_ === undefined && process.env.CI === 'true') {
  describe('ClickHouse server integration', () => {
    it('runs in CI', () => {
      throw new Error(
        'CI=true but CLICKHOUSE_TEST_URL is unset: run deploy/clickhouse/clickhouse.sh install && deploy/clickhouse/clickhouse.sh start, ' +
          'then export CLICKHOUSE_TEST_URL=http://127.0.0.1:8123',
      );
    });
  });
} else if (URL_ === undefined) {
  console.warn('[skipped] test/integration/clickhouse-server: set CLICKHOUSE_TEST_URL (e.g. http://127.0.0.1:8123 after deploy/clickhouse/clickhouse.sh start) to run it');
}

const suite = URL_ === undefined ? describe.skip : describe;
const run = promisify(execFile);
/**
 * The script starts on CLICKHOUSE_HTTP_PORT (default 8123): a restart must come back on the port the tests talk to,
 * also when only CLICKHOUSE_TEST_URL says which (else the test waited 2 minutes for a server listening elsewhere).
 */
const httpPort = () => process.env.CLICKHOUSE_HTTP_PORT || new URL(URL_!).port || '8123';
/** Likewise its HTTPS port (httpsPortToKeep), which .ci/run gives the first start only. */
const clickhouseSh = (cmd: 'start' | 'stop' | 'status') =>
  run('bash', [SCRIPT, cmd], { timeout: 90_000, env: { ...process.env, CLICKHOUSE_HTTP_PORT: httpPort(), CLICKHOUSE_HTTPS_PORT: httpsPortToKeep() } });

/** A transport that counts inserts (one per writer batch). */
function counting(inner: StoreTransport): StoreTransport & { inserts: number } {
  const c = {
    kind: inner.kind,
    inserts: 0,
    command: (sql: string) => inner.command(sql),
    query: <T>(sql: string) => inner.query<T>(sql),
    close: () => inner.close(),
    insert: async (table: string, lines: string[] | string | Buffer, opts?: InsertOptions) => {
      await inner.insert(table, lines, opts);
      c.inserts++;
    },
  };
  return c;
}

async function until(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const open = (password = PASSWORD, user = USER) => ClickHouseServerTransport.open({ url: URL_!, username: user, password, requestTimeoutMs: 10_000 });

const RO_DB = `dw_ro_${randomBytes(4).toString('hex')}`;

/** `driftwatch query`: runQuery on a transport of its own (as the CLI opens one per command). */
async function query(user: string, sql: string, write = false) {
  const t = await open(PASSWORD, user);
  try {
    return await runQuery(t, sql, { format: 'jsonl', write });
  } finally {
    await t.close();
  }
}

suite('driftwatch query on a ClickHouse server', () => {
  let admin: ClickHouseServerTransport;
  const names = async () => (await admin.query<{ name: string }>(`SELECT name FROM ${RO_DB}.t ORDER BY name`)).map((r) => r.name);

  beforeAll(async () => {
    admin = await open();
    await admin.command(`CREATE DATABASE ${RO_DB}`);
    await admin.command(`CREATE TABLE ${RO_DB}.t (name String, n UInt64) ENGINE = MergeTree ORDER BY name`);
    await admin.insert(`${RO_DB}.t`, ['{"name":"a","n":1}']);
  });

  afterAll(async () => {
    if (!admin) return;
    await admin.command(`DROP DATABASE IF EXISTS ${RO_DB}`).catch(() => undefined);
    await admin.close();
  });

  it.each([USER, 'driftwatch_analyst', 'driftwatch_reader'])('as %s: reads, and every kind of write is refused with a hint at --write', async (user) => {
    const read = await query(user, `SELECT name, n FROM ${RO_DB}.t`);
    expect(read.rows).toHaveLength(1);
    expect(read.rows[0]).toMatchObject({ name: 'a' });
    expect(Number(read.rows[0]!.n)).toBe(1); // a string for the reader, who may not ask for unquoted 64-bit integers
    // readonly = 2 (sent, or the analyst's profile) still lets a SELECT tune its settings; the reader's readonly = 1 does not.
    if (user !== 'driftwatch_reader') expect((await query(user, 'SELECT 1 AS x SETTINGS max_threads = 1')).rows).toEqual([{ x: 1 }]);
    for (const sql of [
      `INSERT INTO ${RO_DB}.t VALUES ('b', 2)`,
      `INSERT INTO ${RO_DB}.t SELECT 'c', 3`,
      `CREATE TABLE ${RO_DB}.other (x UInt8) ENGINE = Memory`,
      `DROP TABLE ${RO_DB}.t`,
      `SELECT 1 SETTINGS readonly = 0`,
    ]) {
      await expect(query(user, sql), sql).rejects.toMatchObject({ code: 'DW_USAGE', message: expect.stringMatching(/read-only .*Code: 164.*pass --write/) });
    }
    expect(await names()).toEqual(['a']);
  });

  it('with --write a user that may write runs INSERT … VALUES and INSERT … SELECT', async () => {
    expect((await query(USER, `INSERT INTO ${RO_DB}.t VALUES ('w', 4)`, true)).rows).toEqual([]);
    expect((await query(USER, `INSERT INTO ${RO_DB}.t SELECT 'x', 5`, true)).rows).toEqual([]);
    expect(await names()).toEqual(['a', 'w', 'x']);
  });

  it('with --write, a statement the server echoes in its syntax error fails without its string literals (a password)', async () => {
    // 18.16 has no CREATE USER: it quotes the statement from the failure position, the password with it.
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const failed = await query(USER, `CREATE USER bob IDENTIFIED BY '${password}'`, true).then(
      () => expect.unreachable('CREATE USER succeeded'),
      (err: Error) => err,
    );
    expect(failed.message).toMatch(/Syntax error: failed at position \d+[^:]*: USER bob IDENTIFIED BY '…'/);
    expect(JSON.stringify({ message: failed.message, cause: (failed as { cause?: unknown }).cause })).not.toContain(password);
  });

  it.each(['driftwatch_analyst', 'driftwatch_reader'])('as %s with --write: refused, naming the read-only user and what --write needs', async (user) => {
    // The reader, at readonly = 1, is refused even a SELECT: on the settings every query carries (before, that was
    // all the message said); the analyst's readonly = 2 lets a SELECT through.
    const before = await names();
    const statements = [`INSERT INTO ${RO_DB}.t VALUES ('r', 6)`, `CREATE TABLE ${RO_DB}.other (x UInt8) ENGINE = Memory`];
    if (user === 'driftwatch_reader') statements.push(`SELECT name FROM ${RO_DB}.t`);
    else expect((await query(user, `SELECT name FROM ${RO_DB}.t ORDER BY name`, true)).rows.map((r) => r.name)).toEqual(before);
    for (const sql of statements) {
      await expect(query(user, sql, true), sql).rejects.toMatchObject({
        code: 'DW_USAGE',
        message: expect.stringMatching(new RegExp(`CLICKHOUSE_USER "${user}" is read-only \\(its profile sets readonly = [12]\\).*--write needs a user that may write.*Code: 164`)),
      });
    }
    expect(await names()).toEqual(before);
  });

  it('the writer’s INSERT … FORMAT JSONEachRow and (columns) FORMAT RowBinary are accepted as they are', async () => {
    await admin.command(`CREATE TABLE ${RO_DB}.ins (name String, n UInt64, note String DEFAULT 'default') ENGINE = MergeTree ORDER BY name`);
    await admin.insert(`${RO_DB}.ins`, ['{"name":"json","n":1}', '{"name":"json2","n":2,"note":"given"}']);
    const rows = new RowBinaryBuffer();
    rows.push(['binary', 3], compileRowEncoder([{ type: 'String' }, { type: 'UInt64', orDefault: 0 }]));
    await admin.insert(`${RO_DB}.ins`, rows.take(), { format: 'RowBinary', columns: ['name', 'n'], structure: 'name String, n UInt64' });
    // 18.16 fills a field a JSONEachRow row omits with its type's default, not the DEFAULT expression
    // (input_format_defaults_for_omitted_fields came later); RowBinary's omitted columns take the expression.
    const omitted = admin.serverVersion.startsWith('18.') ? '' : 'default';
    expect(await admin.query(`SELECT name, n, note FROM ${RO_DB}.ins ORDER BY name`)).toEqual([
      { name: 'binary', n: 3, note: 'default' },
      { name: 'json', n: 1, note: omitted },
      { name: 'json2', n: 2, note: 'given' },
    ]);
  });
});

// Before the StoreWriter suite: its last test stops the server.
secretsInOutputSuite(suite, URL_ ?? '', USER);
tlsTransportSuite(suite, USER, PASSWORD);

suite('StoreWriter on a ClickHouse server (18.16)', () => {
  let admin: ClickHouseServerTransport;

  beforeAll(async () => {
    admin = await open();
    await admin.command(`CREATE DATABASE ${DB}`);
    await createHydrationEvents1816(admin, DB);
  });

  afterAll(async () => {
    if (!admin) return;
    await admin.command(`DROP DATABASE IF EXISTS ${DB}`).catch(() => undefined);
    await admin.close();
  });

  const stats = async () =>
    (await admin.query<{ n: number; uniq: number }>(`SELECT count() AS n, uniqExact(event_id) AS uniq FROM ${DB}.hydration_events`))[0]!;

  it('detects the server version and leaves out the settings it does not know', () => {
    expect(admin.serverVersion).toMatch(/^\d+\.\d+/);
    if (admin.serverVersion.startsWith('18.')) {
      expect(admin.features).toEqual({ insertDeduplicationToken: false, asyncInsertSetting: false, optimizeOnInsertSetting: false, partitionLimitSetting: false, schema: false });
    }
  });

  it('writes N rows in ⌈N / batchRows⌉ inserts and reads them back', async () => {
    await admin.command(`TRUNCATE TABLE ${DB}.hydration_events`);
    const t = counting(admin);
    const w = new StoreWriter(t, { database: DB, batchRows: 50, flushIntervalMs: 0 });
    for (let i = 0; i < 237; i++) w.write(hydration(T0 + i * 1000, `b-${i}`));
    await w.close();
    expect(t.inserts).toBe(5);
    expect(w.stats()).toMatchObject({ batches: 5, retries: 0, pendingRows: 0, rowsWritten: { hydration_events: 237 } });
    expect(await stats()).toEqual({ n: 237, uniq: 237 });
    expect(await admin.query(`SELECT event_id, occurred_at, occurred, duration_ms, source_offset FROM ${DB}.hydration_events WHERE event_id = 'b-3'`)).toEqual([
      { event_id: 'b-3', occurred_at: T0 + 3000, occurred: '2026-11-27 12:00:03', duration_ms: 42.5, source_offset: 1234 },
    ]);
  });

  it('a wrong password or user fails at open with a clear, non-retryable StoreError', async () => {
    for (const [user, password] of [[USER, 'not-the-password'], ['ghost', 'ghost-password']] as const) {
      const err = await open(password, user).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ canRetry: false });
      expect((err as Error).message).toMatch(/^CLICKHOUSE_USER\/CLICKHOUSE_PASSWORD rejected by http:\/\/[^ ]+: Code: 19[23]/);
      expect((err as Error).message).not.toContain(password);
    }
  });

  it('a login in CLICKHOUSE_URL is used (over CLICKHOUSE_USER / CLICKHOUSE_PASSWORD), and a wrong one says it came from the URL', async () => {
    const withLogin = (user: string, password: string) => {
      const u = new URL(URL_!);
      u.username = encodeURIComponent(user);
      u.password = encodeURIComponent(password);
      return u.toString();
    };
    const t = await ClickHouseServerTransport.open({ url: withLogin(USER, PASSWORD), username: 'ghost', password: 'ghost-password' });
    try {
      expect(await t.query('SELECT 1 + 1 AS two')).toEqual([{ two: 2 }]);
    } finally {
      await t.close();
    }
    const err = await ClickHouseServerTransport.open({ url: withLogin(USER, 'not-the-password'), username: USER, password: PASSWORD }).catch((e: unknown) => e);
    expect(err).toMatchObject({ canRetry: false });
    expect((err as Error).message).toMatch(/^the user and password in CLICKHOUSE_URL rejected by http:\/\/[^ ]+: Code: 193/);
    expect((err as Error).message).not.toContain('not-the-password');
  });

  it('an unreachable server fails at open with a retryable StoreError naming CLICKHOUSE_URL', async () => {
    const err = await ClickHouseServerTransport.open({ url: 'http://127.0.0.1:1', username: USER, password: PASSWORD }).catch((e: unknown) => e);
    expect(err).toMatchObject({ canRetry: true, message: expect.stringMatching(/^ClickHouse at http:\/\/127\.0\.0\.1:1\/ \(CLICKHOUSE_URL\) is unreachable .*ECONNREFUSED/) });
  });

  it('openConfiguredStore connects from the configuration, and refuses to migrate a server too old for the schema', async () => {
    const rt = { config: loadConfig({ CLICKHOUSE_URL: URL_!, CLICKHOUSE_USER: USER, CLICKHOUSE_PASSWORD: PASSWORD }), logger: silentLogger };
    const t = await openConfiguredStore(rt, { migrate: false });
    try {
      expect(t.kind).toBe('server');
      expect(await t.query('SELECT 1 + 1 AS two')).toEqual([{ two: 2 }]);
    } finally {
      await t.close();
    }
    if (admin.features.schema) return; // a current server would migrate for real
    const err = await openConfiguredStore(rt, { migrate: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toMatch(/runs 18\.16\.1; sql\/migrations need 22\.2 or newer/);
  });

  it('server stopped mid-run: the writer retries and backpressures, then every row lands once', { timeout: 120_000 }, async (ctx) => {
    // The test stops and restarts the server through this checkout's script, which only knows a server it started
    // (its pid file). Another checkout's (a git worktree beside a developer's running services) is not ours to stop.
    const owned = await clickhouseSh('status').then(() => true, () => false);
    if (!owned) {
      const why = `the ClickHouse server at ${URL_} was not started by ${SCRIPT} of this checkout, so this test cannot stop and restart it`;
      if (process.env.CI === 'true') throw new Error(why);
      console.warn(`[skipped] ${why}`);
      ctx.skip();
    }
    await admin.command(`TRUNCATE TABLE ${DB}.hydration_events`);
    const cap = 120;
    // Live mode's retry settings (retryable failures without limit, jittered), with a shorter cap for the test.
    const w = new StoreWriter(admin, { ...LIVE_STORE_RETRY, database: DB, batchRows: 50, flushIntervalMs: 0, initialBackoffMs: 50, maxBackoffMs: 300 });
    let produced = 0;
    let total = Number.POSITIVE_INFINITY;
    // A consumer that pauses (waitForCapacity) instead of buffering without
    // bound. Paced like a live source (250 rows/s) until the server is down —
    // a stopping 18.16 keeps serving its open keep-alive connections for a
    // few seconds — then 1000 more rows as fast as the writer accepts them.
    const producer = (async () => {
      for (let i = 0; i < total; i++) {
        await w.waitForCapacity(cap);
        w.write(hydration(T0 + i * 1000, `r-${i}`));
        produced++;
        if (total === Number.POSITIVE_INFINITY && i % 25 === 24) await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      await until('the first rows', () => produced >= 100);
      await clickhouseSh('stop');
      total = produced + 1000;
      await until('retries while the server is down', () => w.stats().retries >= 5);
      const whileDown = produced;
      await until('more retries', () => w.stats().retries >= 10);
      expect(produced).toBe(whileDown); // paused, not buffering
      expect(produced).toBeLessThan(total);
      expect(w.pendingRows).toBeLessThanOrEqual(cap + 1);
      expect(w.failure).toBeUndefined();
    } finally {
      await clickhouseSh('start');
    }
    await producer;
    await w.close();
    expect(w.failure).toBeUndefined();

    // Crash and restart: a new writer replays the last 300 events (from an
    // older committed position); ReplacingMergeTree keys absorb them.
    const replay = new StoreWriter(admin, { database: DB, batchRows: 50, flushIntervalMs: 0 });
    for (let i = total - 300; i < total; i++) replay.write(hydration(T0 + i * 1000, `r-${i}`));
    await replay.close();

    const final = await admin.query<{ n: number }>(`SELECT count() AS n FROM ${DB}.hydration_events FINAL`);
    expect(final).toEqual([{ n: total }]);
    // OPTIMIZE … FINAL silently does nothing while a background merge holds
    // the parts; repeat it until the duplicates are merged away.
    for (let attempt = 0; attempt < 50; attempt++) {
      await admin.command(`OPTIMIZE TABLE ${DB}.hydration_events FINAL`);
      const s = await stats();
      if (s.n === s.uniq) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await stats()).toEqual({ n: total, uniq: total });
    expect(await admin.query(`SELECT event_id, count() AS c FROM ${DB}.hydration_events GROUP BY event_id HAVING c > 1`)).toEqual([]);
    // Back as it was started, its HTTPS port too (when it had one): a run after this one meets the same server.
    expect(await httpsServes(USER, PASSWORD), 'the HTTPS port answers after the restart').toBe(true);
  });
});
