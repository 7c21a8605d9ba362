import { afterEach, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MigrationError } from '../../../lib/errors.js';
import { defaultMigrationsDir, loadMigrations, migrate, splitStatements } from '../../../store/migrations.js';
import { openEmbeddedStore } from '../../../store/open-store.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { storeTables } from '../../../store/tables.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dw-store-mig-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function open(dataDir: string, migrationsDir?: string): Promise<ChdbTransport> {
  const t = await openEmbeddedStore(dataDir, { migrate: false, migrationsDir });
  cleanups.push(() => t.close());
  return t;
}

describe('splitStatements', () => {
  it('splits on ; at line end, keeps ; inside lines, drops comment-only chunks', () => {
    const sql = "-- header\nCREATE TABLE a (s String DEFAULT ';x');\n\n-- only a comment;\nSELECT 1;  \n-- trailing\n";
    expect(splitStatements(sql)).toEqual(["-- header\nCREATE TABLE a (s String DEFAULT ';x')", 'SELECT 1']);
  });
});

describe('loadMigrations', () => {
  it('finds the shipped migrations in version order', () => {
    const ms = loadMigrations();
    expect(ms.map((m) => m.version)).toEqual([...ms.map((m) => m.version)].sort((a, b) => a - b));
    expect(ms[0]!.name).toBe('0001_raw_history.sql');
    expect(ms.every((m) => m.statements.length > 0 && /^[0-9a-f]{64}$/.test(m.checksum))).toBe(true);
  });

  it('rejects a badly named file and a duplicate version', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'create.sql'), 'SELECT 1;\n');
    expect(() => loadMigrations(dir)).toThrow(/NNNN_description\.sql/);
    rmSync(join(dir, 'create.sql'));
    writeFileSync(join(dir, '0001_a.sql'), 'SELECT 1;\n');
    writeFileSync(join(dir, '0001_b.sql'), 'SELECT 2;\n');
    expect(() => loadMigrations(dir)).toThrow(/share version 0001/);
  });

  it('says why the folder cannot be read (the plain line on stderr is all a user sees at the default log level)', () => {
    const missing = join(tempDir(), 'no-such-dir');
    expect(() => loadMigrations(missing)).toThrow(`cannot read the migrations folder ${missing} (ENOENT)`);
  });
});

describe('migrate on the embedded store (chDB)', () => {
  it('applies every migration once; the second run is a no-op; schema_migrations records them', async () => {
    const t = await open(tempDir());
    const names = readdirSync(defaultMigrationsDir()).filter((f) => f.endsWith('.sql')).sort();

    const first = await migrate(t);
    expect(first).toEqual({ applied: names, skipped: [] });
    const second = await migrate(t);
    expect(second).toEqual({ applied: [], skipped: names });

    const recorded = await t.query<{ version: number; name: string; checksum: string; n: number }>(
      'SELECT version, name, checksum, count() OVER (PARTITION BY version) AS n FROM driftwatch.schema_migrations FINAL ORDER BY version',
    );
    expect(recorded.map((r) => r.name)).toEqual(names);
    expect(recorded.every((r) => r.n === 1)).toBe(true);
    expect(recorded.map((r) => r.checksum)).toEqual(loadMigrations().map((m) => m.checksum));

    const tables = (await t.query<{ name: string }>("SELECT name FROM system.tables WHERE database = 'driftwatch'")).map((r) => r.name);
    for (const table of [...storeTables, 'schema_migrations', 'drift_detection_daily']) expect(tables).toContain(table);
  });

  it('survives a reopen: the persistent store keeps its schema and history', async () => {
    const data = tempDir();
    const t1 = await openEmbeddedStore(data);
    await t1.insert('driftwatch.audit_log', [JSON.stringify({ at: 1, category: 'security', action: 'probe' })]);
    await t1.close();
    const t2 = await open(data);
    expect(await migrate(t2)).toMatchObject({ applied: [] });
    expect(await t2.query('SELECT category, action FROM driftwatch.audit_log')).toEqual([{ category: 'security', action: 'probe' }]);
  });

  it('applies only a migration added later', async () => {
    const dir = tempDir();
    cpSync(defaultMigrationsDir(), dir, { recursive: true });
    const t = await open(tempDir());
    await migrate(t, { dir });
    writeFileSync(join(dir, '0999_extra.sql'), '-- test\nCREATE TABLE IF NOT EXISTS driftwatch.extra (a UInt8) ENGINE = MergeTree ORDER BY a;\n');
    const r = await migrate(t, { dir });
    expect(r.applied).toEqual(['0999_extra.sql']);
    expect(await t.query("SELECT name FROM system.tables WHERE database = 'driftwatch' AND name = 'extra'")).toHaveLength(1);
  });

  it('refuses to run when an applied migration was edited, naming the file, and applies nothing', async () => {
    const dir = tempDir();
    cpSync(defaultMigrationsDir(), dir, { recursive: true });
    const t = await open(tempDir());
    await migrate(t, { dir });
    appendFileSync(join(dir, '0002_windows.sql'), '\n-- an innocent-looking edit\n');
    writeFileSync(join(dir, '0999_extra.sql'), 'CREATE TABLE IF NOT EXISTS driftwatch.extra (a UInt8) ENGINE = MergeTree ORDER BY a;\n');

    const err = await migrate(t, { dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).code).toBe('DW_MIGRATION_FAILED');
    expect((err as Error).message).toMatch(/0002_windows\.sql was changed after it was applied/);
    expect((err as Error).message).toMatch(/new migration file/);
    expect(await t.query("SELECT name FROM system.tables WHERE database = 'driftwatch' AND name = 'extra'")).toHaveLength(0);
  });

  it('0008: promotion windows written before it read promotions_ended as the denominator they were computed with', async () => {
    const dir = tempDir();
    cpSync(defaultMigrationsDir(), dir, { recursive: true });
    rmSync(join(dir, '0008_promotions_ended.sql'));
    const t = await open(tempDir());
    await migrate(t, { dir });
    // Written before 0008: 2 succeeded (one rolled back since), 1 failed, 1 rollback → 3 ended by 0007's formula.
    const old = { window_start: 1_000, window_end: 301_000, env: 'prod', succeeded: 2, failed: 1, rolled_back: 1, rolled_back_after_success: 1 };
    await t.insert('driftwatch.promotion_windows', [JSON.stringify(old)]);
    cpSync(defaultMigrationsDir(), dir, { recursive: true });
    expect(await migrate(t, { dir })).toMatchObject({ applied: ['0008_promotions_ended.sql'] });
    await t.insert('driftwatch.promotion_windows', [JSON.stringify({ ...old, env: 'qa', promotions_ended: 2 })]);
    const rows = await t.query<{ env: string; promotions_ended: number }>('SELECT env, promotions_ended FROM driftwatch.promotion_windows FINAL ORDER BY env');
    expect(rows.map((r) => [r.env, Number(r.promotions_ended)])).toEqual([['prod', 3], ['qa', 2]]);
  });

  it('reports the failing file and statement of a broken migration', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '0001_ok.sql'), 'CREATE DATABASE IF NOT EXISTS driftwatch;\n');
    writeFileSync(join(dir, '0002_broken.sql'), 'CREATE TABLE IF NOT EXISTS driftwatch.x (a UInt8) ENGINE = MergeTree ORDER BY a;\nCREATE TABLE driftwatch.y (a NoSuchType) ENGINE = Memory;\n');
    const t = await open(tempDir());
    const err = await migrate(t, { dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toMatch(/^0002_broken\.sql, statement 2 failed: .*NoSuchType/s);
    const recorded = await t.query<{ name: string }>('SELECT name FROM driftwatch.schema_migrations FINAL');
    expect(recorded.map((r) => r.name)).toEqual(['0001_ok.sql']);
  });
});
