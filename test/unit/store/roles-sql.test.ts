/**
 * sql/roles/*.sql on the embedded engine. chDB has no writable user
 * directory (only its built-in users.xml), so it refuses to EXECUTE access
 * control statements (ACCESS_DENIED) — that is checked below so a future chDB
 * that allows them is noticed. What it can do is PARSE them with the server's
 * own parser (formatQuery), which rejects unknown privileges, settings-profile
 * syntax errors and the like; that is what these tests prove.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { defaultMigrationsDir, splitStatements } from '../../../store/migrations.js';
import { openEmbeddedStore } from '../../../store/open-store.js';

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

describe('sql/roles', () => {
  it.each(['roles.sql', 'users.example.sql'])('every statement of %s parses', async (file) => {
    const statements = statementsOf(file);
    expect(statements.length).toBeGreaterThan(5);
    for (const sql of statements) expect(await parse(sql)).toMatch(/^(CREATE|GRANT) /);
  });

  it('the parser would catch a misspelt privilege', async () => {
    await expect(parse('GRANT SELEKT ON driftwatch.* TO driftwatch_reader')).rejects.toThrow(/Syntax error/);
  });

  it('grants the writer exactly what the engine, the migrations and tiering need, and the others SELECT only', () => {
    const grants = statementsOf('roles.sql').filter((s) => s.startsWith('GRANT'));
    expect(grants).toEqual([
      'GRANT SELECT, INSERT ON driftwatch.* TO driftwatch_writer',
      'GRANT CREATE DATABASE, CREATE TABLE, CREATE VIEW ON driftwatch.* TO driftwatch_writer',
      'GRANT ALTER TTL, ALTER SETTINGS ON driftwatch.* TO driftwatch_writer',
      'GRANT SELECT ON driftwatch.* TO driftwatch_reader',
      'GRANT SELECT ON driftwatch.* TO driftwatch_analyst',
    ]);
  });

  it('chDB cannot execute access control statements (no writable user directory)', async () => {
    await expect(t.command('CREATE ROLE IF NOT EXISTS driftwatch_writer')).rejects.toThrow(/ACCESS_DENIED|Not enough privileges/);
  });
});
