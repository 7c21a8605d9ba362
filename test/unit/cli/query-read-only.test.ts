/**
 * `driftwatch query` end to end on a replay's embedded store: read-only
 * unless --write, one statement without FORMAT, a capped table, and no store
 * made where none was.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindQueryParams, queryParams } from '../queries/query-params.js';
import { runCli, STACK_FRAME } from './run-cli.js';

const fixture = fileURLToPath(new URL('../../scenarios/fixtures/rollback.ndjson', import.meta.url));
const COUNT = 'SELECT count() AS n FROM driftwatch.incidents FINAL';

let out: string;
let store: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'dw-query-ro-'));
  store = join(out, 'store');
  expect((await runCli(['replay', fixture, '--out', out])).code).toBe(0);
}, 60_000);

async function query(...args: string[]) {
  return runCli(['query', '--data-dir', store, ...args]);
}

async function incidents(): Promise<number> {
  const r = await query('-f', 'jsonl', COUNT);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim()).n as number;
}

describe('query is read-only unless --write', () => {
  it('refuses DROP, TRUNCATE, INSERT and SET readonly with a usage error naming --write; the data stays', async () => {
    const before = await incidents();
    expect(before).toBeGreaterThan(0);
    for (const sql of [
      'DROP TABLE driftwatch.incidents',
      'DROP DATABASE driftwatch',
      'TRUNCATE TABLE driftwatch.incidents',
      'INSERT INTO driftwatch.schema_migrations (version, name) VALUES (99, \'x\')',
      'SET readonly = 0',
    ]) {
      const r = await query(sql);
      expect(r.code, sql).toBe(2);
      expect(r.stderr).toMatch(/read-only.*pass --write/);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
    expect(await incidents()).toBe(before);
  });

  // The embedded engine's readonly = 2 does not stop an insert into a table function (the server's 18.16 does):
  // it wrote any file the process may write — into the store's own directory too.
  it.each([
    ["INSERT INTO FUNCTION file('{path}', 'CSV', 'a String') SELECT 'x'"],
    ["insert /* c */ into\u00a0TABLE\tfunction file('{path}', 'CSV', 'a String') VALUES ('x')"],
  ])('refuses %s without --write: no file written', async (template) => {
    const path = join(out, `written-${Math.random().toString(36).slice(2)}.csv`);
    const r = await query(template.replace('{path}', path));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/INSERT INTO FUNCTION writes.*refused in a read-only query.*--write/);
    expect(existsSync(path)).toBe(false);
  });

  it('runs a SELECT with its own SETTINGS clause and table functions read-only', async () => {
    const r = await query('-f', 'jsonl', 'SELECT sum(number) AS s FROM numbers(10) SETTINGS max_threads = 1');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ s: 45 });
  });

  it('runs every analyst query of sql/queries read-only', async () => {
    const dir = fileURLToPath(new URL('../../../sql/queries/', import.meta.url));
    const values = { from: '2000-01-01 00:00:00', to: '2100-01-01 00:00:00', horizon_minutes: 60, limit: 10 };
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql'))) {
      const sql = readFileSync(join(dir, file), 'utf8');
      const used = Object.fromEntries([...queryParams(sql).keys()].map((k) => [k, values[k as keyof typeof values]]));
      const r = await query('-f', 'jsonl', '--', bindQueryParams(sql, used));
      expect(r.code, `${file}: ${r.stderr}`).toBe(0);
    }
  });

  it('writes with --write', async () => {
    const r = await query('--write', "INSERT INTO driftwatch.schema_migrations (version, name) VALUES (9999, 'by-hand')");
    expect(r.code, r.stderr).toBe(0);
    const seen = await query('-f', 'jsonl', 'SELECT name FROM driftwatch.schema_migrations FINAL WHERE version = 9999');
    expect(seen.stdout.trim()).toBe('{"name":"by-hand"}');
    expect((await query('--write', 'ALTER TABLE driftwatch.schema_migrations DELETE WHERE version = 9999 SETTINGS mutations_sync = 1')).code).toBe(0);
  });
});

describe('query takes one statement and no FORMAT clause', () => {
  it.each([
    ['SELECT 1 FORMAT CSV', /FORMAT clause.*-f\/--format \(table or jsonl\)/],
    ['SELECT 1 FORMAT JSON;', /FORMAT clause/],
    ['SELECT 1 FORMAT Pretty SETTINGS max_threads = 1', /FORMAT clause/], // a SETTINGS clause after it once hid it
    ['SELECT number FROM numbers(3) FORMAT `CSV`', /FORMAT clause/], // so did a quoted name
    ["SELECT 'x' INTO OUTFILE '/tmp/dw-never-written.txt' TRUNCATE", /INTO OUTFILE writes a file; it is refused in a read-only query/],
    ['SELECT 1; SELECT 2', /one statement at a time/],
    [';', /empty SQL/],
  ])('%s is a usage error', async (sql, message) => {
    const r = await query(sql);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('allows a trailing ;', async () => {
    const r = await query('-f', 'jsonl', 'SELECT 1 AS one;');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('{"one":1}');
  });
});

describe('query prints numbers exactly', () => {
  it('64-bit integers and long decimals beyond a double\'s precision come out as their digits; small ones stay numbers', async () => {
    const sql = "SELECT toUInt64(18446744073709551615) AS u, toInt64(-9007199254740993) AS i, toDecimal128('12345678901234567890.123', 3) AS d, count() AS n, 0.5 AS h FROM numbers(3)";
    const r = await query('-f', 'jsonl', sql);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ u: '18446744073709551615', i: '-9007199254740993', d: '12345678901234567890.123', n: 3, h: 0.5 });
    const table = await query(sql);
    expect(table.stdout).toContain('18446744073709551615'); // was 18446744073709552000
  });

  it('a column or function named format is not a FORMAT clause', async () => {
    const r = await query('-f', 'jsonl', "SELECT format('{}-{}', 'a', 'b') AS format");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ format: 'a-b' });
  });
});

describe('query prints large results', () => {
  it('a 200 k-row table stops at 10 000 rows and says how to see the rest', async () => {
    const r = await query('SELECT number FROM numbers(200000)');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(10_004);
    expect(lines.at(-2)).toBe('200000 rows');
    expect(lines.at(-1)).toMatch(/190000 rows not shown.*LIMIT.*-f jsonl/);
  });
});

describe('query needs a driftwatch store', () => {
  it('an empty directory: input error, nothing created', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dw-query-empty-'));
    const r = await runCli(['query', '--data-dir', empty, COUNT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no embedded store there; a replay's store is <out>\/store/);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('the default store under DRIFTWATCH_DATA_DIR: input error, nothing created', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dw-query-default-'));
    const r = await runCli(['query', COUNT], { DRIFTWATCH_DATA_DIR: dataDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\(DRIFTWATCH_DATA_DIR\/store\): no embedded store there/);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('a store without driftwatch.schema_migrations: input error pointing at sql migrate, which repairs it', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'dw-query-nomig-'));
    const dir = join(copy, 'store');
    mkdirSync(dir);
    expect((await runCli(['sql', 'migrate', '--data-dir', dir])).code).toBe(0);
    expect((await runCli(['query', '--write', '--data-dir', dir, 'DROP TABLE driftwatch.schema_migrations'])).code).toBe(0);
    const r = await runCli(['query', '--data-dir', dir, COUNT]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/schema_migrations is missing.*sql migrate/);
    expect((await runCli(['sql', 'migrate', '--data-dir', dir])).code).toBe(0);
    expect((await runCli(['query', '--data-dir', dir, COUNT])).code).toBe(0);
  });
});
