/**
 * sql/roles/*.sql on the embedded engine. chDB has no writable user
 * directory (only its built-in users.xml), so it refuses to EXECUTE access
 * control statements (ACCESS_DENIED) — that is checked below so a future chDB
 * that allows them is noticed. What it can do is PARSE them with the server's
 * own parser (formatQuery), which rejects unknown privileges, settings-profile
 * syntax errors and the like; that is what these tests prove. The writer's
 * grants are checked against the statements migrate, tiering and the writer
 * really send (recorded), by kind, with the server's own privilege tree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { defaultMigrationsDir, migrate, splitStatements } from '../../../store/migrations.js';
import { openEmbeddedStore } from '../../../store/open-store.js';
import { applyStorageTiering, TABLE_RETENTION } from '../../../store/storage-tiering.js';
import { qualifiedTable, storeTables } from '../../../store/tables.js';
import type { StoreTransport } from '../../../store/transport.js';

const rolesDir = join(defaultMigrationsDir(), '..', 'roles');
const statementsOf = (file: string) => splitStatements(readFileSync(join(rolesDir, file), 'utf8'));
const literal = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

let dir: string;
let t: ChdbTransport;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dw-roles-'));
  t = await openEmbeddedStore(dir, { migrate: false });
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

async function parse(sql: string): Promise<string> {
  const rows = await t.query<{ q: string }>(`SELECT formatQuerySingleLine(${literal(sql)}) AS q`);
  return rows[0]!.q;
}

/**
 * Statement kind → the privileges ClickHouse checks for it on driftwatch.*
 * (InterpreterCreateQuery / InterpreterAlterQuery::getRequiredAccess).
 */
const REQUIRED: Record<string, readonly string[]> = {
  'CREATE DATABASE': ['CREATE DATABASE'],
  'CREATE TABLE': ['CREATE TABLE'],
  // The view itself; SELECT and INSERT on its TO table; its query reads the source table. Inserts
  // into the source then run the view as its definer (the creating user): SELECT and INSERT again.
  'CREATE MATERIALIZED VIEW … TO': ['CREATE VIEW', 'SELECT', 'INSERT'],
  'ALTER ADD_COLUMN': ['ALTER ADD COLUMN'],
  'ALTER MODIFY_ORDER_BY': ['ALTER ORDER BY'],
  'ALTER MODIFY_TTL': ['ALTER TTL'],
  'ALTER MODIFY_SETTING': ['ALTER SETTINGS'],
  'ALTER COMMENT_COLUMN': ['ALTER COMMENT COLUMN'],
  INSERT: ['INSERT'],
  // Also of system.tables / system.storage_policies, which need no grant (a user sees the tables it has any privilege on).
  SELECT: ['SELECT'],
};

/** The kinds of one statement: its type, and for an ALTER each of its commands (from the server's own AST). */
async function kindsOf(sql: string): Promise<string[]> {
  const ast = (await t.query<{ explain: string }>(`EXPLAIN AST ${sql}`)).map((r) => r.explain);
  const root = ast[0]!.trim().split(' ')[0];
  if (root === 'AlterQuery') return ast.flatMap((l) => /^\s*AlterCommand (\w+)/.exec(l)?.slice(1).map((c) => `ALTER ${c}`) ?? []);
  if (root === 'InsertQuery') return ['INSERT'];
  if (root === 'SelectWithUnionQuery') return ['SELECT'];
  const text = await parse(sql);
  if (/^CREATE DATABASE /.test(text)) return ['CREATE DATABASE'];
  if (/^CREATE TABLE /.test(text)) return ['CREATE TABLE'];
  if (/^CREATE MATERIALIZED VIEW .* TO \S+ /.test(text)) return ['CREATE MATERIALIZED VIEW … TO'];
  return [text.split(' ').slice(0, 3).join(' ')]; // unknown: named in the failure
}

/** Every statement `driftwatch sql migrate` (with tiering) and the writer send, recorded from the code that sends them. */
async function statementsTheWriterRuns(): Promise<string[]> {
  const sent: string[] = [];
  const recorder: StoreTransport = {
    kind: 'server',
    command: async (sql) => void sent.push(sql),
    insert: async (table) => void sent.push(`INSERT INTO ${table} FORMAT JSONEachRow`),
    query: async <T>(sql: string) => {
      sent.push(sql);
      if (sql.includes('system.storage_policies')) return [{ volume_name: 'warm' }, { volume_name: 'cold' }] as T[];
      if (sql.includes('system.tables')) return TABLE_RETENTION.map((r) => ({ name: r.table, storage_policy: 'default', engine_full: '' })) as T[];
      return [] as T[];
    },
    close: async () => {},
  };
  await migrate(recorder);
  await applyStorageTiering(recorder, { policy: 'tiered', warmVolume: 'warm', coldVolume: 'cold', warmAfterMs: 7 * 86_400_000, coldAfterMs: 30 * 86_400_000 });
  // The writer: rows into every table (incidents also feed the daily rollup's materialized views).
  for (const table of storeTables) sent.push(`INSERT INTO ${qualifiedTable(table)} FORMAT JSONEachRow`);
  return sent;
}

/** The privileges granted to driftwatch_writer, each on driftwatch.* only (names as the server normalises them). */
async function writerGrants(): Promise<string[]> {
  const privileges: string[] = [];
  for (const sql of statementsOf('roles.sql').filter((s) => / TO driftwatch_writer$/.test(s))) {
    const m = /^GRANT (.+) ON (\S+) TO driftwatch_writer$/.exec(await parse(sql));
    expect(m?.[2], sql).toBe('driftwatch.*');
    privileges.push(...m![1]!.split(', '));
  }
  return privileges;
}

/** covers(granted, needed): whether a grant of `granted` includes `needed`, by the server's privilege tree (system.privileges). */
async function coverage(): Promise<(granted: string, needed: string) => boolean> {
  const rows = await t.query<{ privilege: string; parent_group: string | null }>('SELECT privilege, parent_group FROM system.privileges');
  const parent = new Map(rows.map((r) => [r.privilege, r.parent_group]));
  return (granted, needed) => {
    for (let p: string | null | undefined = needed; p; p = parent.get(p)) if (p === granted) return true;
    return false;
  };
}

describe('sql/roles', () => {
  it.each(['roles.sql', 'users.example.sql'])('every statement of %s parses', async (file) => {
    const statements = statementsOf(file);
    expect(statements.length).toBeGreaterThan(5);
    for (const sql of statements) expect(await parse(sql)).toMatch(/^(CREATE|GRANT) /);
  });

  it('the parser would catch a misspelt privilege', async () => {
    await expect(parse('GRANT SELEKT ON driftwatch.* TO driftwatch_reader')).rejects.toThrow(/Syntax error/);
  });

  it("no bound the analyst may change can be lifted with 0 (0 means unlimited for these limits)", () => {
    // readonly = 2 lets the analyst SET a setting within its constraint: a MAX alone allows 0, which turns the bound off.
    const profile = statementsOf('roles.sql').find((x) => x.includes('CREATE SETTINGS PROFILE IF NOT EXISTS driftwatch_analyst_profile'))!;
    const limits = ['max_execution_time', 'max_memory_usage', 'max_result_rows', 'max_threads'];
    for (const name of limits) {
      const line = new RegExp(`^\\s*${name} = .*$`, 'm').exec(profile)?.[0] ?? '';
      expect(line, name).toMatch(/ (MIN [1-9]\d*|CONST)\b/);
    }
  });

  it('grants the writer what the engine, the migrations and tiering need, and the others SELECT only', () => {
    const grants = statementsOf('roles.sql').filter((s) => s.startsWith('GRANT'));
    expect(grants).toEqual([
      'GRANT SELECT, INSERT ON driftwatch.* TO driftwatch_writer',
      'GRANT CREATE DATABASE, CREATE TABLE, CREATE VIEW ON driftwatch.* TO driftwatch_writer',
      'GRANT ALTER ADD COLUMN, ALTER ORDER BY, ALTER COMMENT COLUMN ON driftwatch.* TO driftwatch_writer',
      'GRANT ALTER TTL, ALTER SETTINGS ON driftwatch.* TO driftwatch_writer',
      'GRANT SELECT ON driftwatch.* TO driftwatch_reader',
      'GRANT SELECT ON driftwatch.* TO driftwatch_analyst',
    ]);
  });

  it('the writer holds exactly the privileges of every statement migrate, tiering and the writer send', async () => {
    const statements = await statementsTheWriterRuns();
    const needed = new Map<string, string>(); // privilege → a statement that needs it
    for (const sql of statements) {
      for (const kind of await kindsOf(sql)) {
        const privileges = REQUIRED[kind];
        if (!privileges) throw new Error(`no privileges known for "${kind}" (${sql.slice(0, 100)}): add it to REQUIRED and grant driftwatch_writer what it needs`);
        for (const p of privileges) if (!needed.has(p)) needed.set(p, sql);
      }
    }
    const granted = await writerGrants();
    const covers = await coverage();
    const missing = [...needed].filter(([p]) => !granted.some((g) => covers(g, p)));
    const shown = (sql: string) => sql.replace(/^\s*--.*$/gm, '').replace(/\s+/g, ' ').trim().slice(0, 80);
    expect(missing.map(([p, sql]) => `${p} (for ${shown(sql)})`)).toEqual([]);
    // Least privilege: each grant is a privilege some statement needs, not a group holding more.
    expect(granted.filter((g) => !needed.has(g))).toEqual([]);
    // Every kind the mapping knows of occurs, so the mapping stays the migrations' (no stale entries).
    const kinds = new Set((await Promise.all(statements.map(kindsOf))).flat());
    expect(Object.keys(REQUIRED).filter((k) => !kinds.has(k))).toEqual([]);
  });

  it('the coverage check knows privilege groups: ALTER TABLE covers ALTER ORDER BY, SELECT does not cover INSERT', async () => {
    const covers = await coverage();
    expect(covers('ALTER TABLE', 'ALTER ORDER BY')).toBe(true);
    expect(covers('ALL', 'CREATE VIEW')).toBe(true);
    expect(covers('SELECT', 'INSERT')).toBe(false);
    expect(covers('ALTER TTL', 'ALTER SETTINGS')).toBe(false);
  });

  it('chDB cannot execute access control statements (no writable user directory)', async () => {
    await expect(t.command('CREATE ROLE IF NOT EXISTS driftwatch_writer')).rejects.toThrow(/ACCESS_DENIED|Not enough privileges/);
  });
});
