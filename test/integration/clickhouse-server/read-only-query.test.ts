/**
 * `driftwatch query` (runQuery) on a real ClickHouse server: read-only
 * unless --write, for a user that may write (readonly = 2 sent per request)
 * and for users whose profile is already read-only — the analyst's
 * readonly = 2 and the reader's readonly = 1, which may change no setting
 * (users `driftwatch_analyst` / `driftwatch_reader` of
 * deploy/clickhouse/clickhouse.sh, password driftwatch-secret). Also the
 * INSERT formats the writer sends, on this server.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ClickHouseServerTransport } from '../../../store/clickhouse-transport.js';
import { runQuery } from '../../../store/open-store.js';
import { compileRowEncoder, RowBinaryBuffer } from '../../../store/row-binary.js';
import { SERVER_PASSWORD, SERVER_URL, SERVER_USER, serverSuite } from './server-env.js';

const DB = `dw_ro_${randomBytes(4).toString('hex')}`;
const open = (user = SERVER_USER) => ClickHouseServerTransport.open({ url: SERVER_URL!, username: user, password: SERVER_PASSWORD, requestTimeoutMs: 10_000 });

/** runQuery on a transport of its own (as the CLI opens one per command). */
async function query(user: string, sql: string, write = false) {
  const t = await open(user);
  try {
    return await runQuery(t, sql, { format: 'jsonl', write });
  } finally {
    await t.close();
  }
}

serverSuite('driftwatch query on a ClickHouse server', () => {
  let admin: ClickHouseServerTransport;
  const names = async () => (await admin.query<{ name: string }>(`SELECT name FROM ${DB}.t ORDER BY name`)).map((r) => r.name);

  beforeAll(async () => {
    admin = await open();
    await admin.command(`CREATE DATABASE ${DB}`);
    await admin.command(`CREATE TABLE ${DB}.t (name String, n UInt64) ENGINE = MergeTree ORDER BY name`);
    await admin.insert(`${DB}.t`, ['{"name":"a","n":1}']);
  });

  afterAll(async () => {
    if (!admin) return;
    await admin.command(`DROP DATABASE IF EXISTS ${DB}`).catch(() => undefined);
    await admin.close();
  });

  it.each([SERVER_USER, 'driftwatch_analyst', 'driftwatch_reader'])('as %s: reads, and every kind of write is refused with a hint at --write', async (user) => {
    const read = await query(user, `SELECT name, n FROM ${DB}.t`);
    expect(read.rows).toHaveLength(1);
    expect(read.rows[0]).toMatchObject({ name: 'a' });
    expect(Number(read.rows[0]!.n)).toBe(1); // a string for the reader, who may not ask for unquoted 64-bit integers
    // readonly = 2 (sent, or the analyst's profile) still lets a SELECT tune its settings; the reader's readonly = 1 does not.
    if (user !== 'driftwatch_reader') expect((await query(user, 'SELECT 1 AS x SETTINGS max_threads = 1')).rows).toEqual([{ x: 1 }]);
    for (const sql of [
      `INSERT INTO ${DB}.t VALUES ('b', 2)`,
      `INSERT INTO ${DB}.t SELECT 'c', 3`,
      `CREATE TABLE ${DB}.other (x UInt8) ENGINE = Memory`,
      `DROP TABLE ${DB}.t`,
      `SELECT 1 SETTINGS readonly = 0`,
    ]) {
      await expect(query(user, sql), sql).rejects.toMatchObject({ code: 'DW_USAGE', message: expect.stringMatching(/read-only .*Code: 164.*pass --write/) });
    }
    expect(await names()).toEqual(['a']);
  });

  it('with --write a user that may write runs INSERT … VALUES and INSERT … SELECT', async () => {
    expect((await query(SERVER_USER, `INSERT INTO ${DB}.t VALUES ('w', 4)`, true)).rows).toEqual([]);
    expect((await query(SERVER_USER, `INSERT INTO ${DB}.t SELECT 'x', 5`, true)).rows).toEqual([]);
    expect(await names()).toEqual(['a', 'w', 'x']);
    await admin.command(`ALTER TABLE ${DB}.t DELETE WHERE name != 'a'`);
  });

  it('the writer’s INSERT … FORMAT JSONEachRow and (columns) FORMAT RowBinary are accepted as they are', async () => {
    await admin.command(`CREATE TABLE ${DB}.ins (name String, n UInt64, note String DEFAULT 'default') ENGINE = MergeTree ORDER BY name`);
    await admin.insert(`${DB}.ins`, ['{"name":"json","n":1}', '{"name":"json2","n":2,"note":"given"}']);
    const rows = new RowBinaryBuffer();
    rows.push(['binary', 3], compileRowEncoder([{ type: 'String' }, { type: 'UInt64', orDefault: 0 }]));
    await admin.insert(`${DB}.ins`, rows.take(), { format: 'RowBinary', columns: ['name', 'n'], structure: 'name String, n UInt64' });
    // 18.16 fills a field a JSONEachRow row omits with its type's default, not the DEFAULT expression
    // (input_format_defaults_for_omitted_fields came later); RowBinary's omitted columns take the expression.
    const omitted = admin.serverVersion.startsWith('18.') ? '' : 'default';
    expect(await admin.query(`SELECT name, n, note FROM ${DB}.ins ORDER BY name`)).toEqual([
      { name: 'binary', n: 3, note: 'default' },
      { name: 'json', n: 1, note: omitted },
      { name: 'json2', n: 2, note: 'given' },
    ]);
  });
});
