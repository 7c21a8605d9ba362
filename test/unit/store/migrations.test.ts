import { afterEach, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MigrationError } from '../../../lib/errors.js';
import { defaultMigrationsDir, loadMigrations, migrate, splitStatements, type MigrationResult } from '../../../store/migrations.js';
import { openEmbeddedStore } from '../../../store/open-store.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { storeTables } from '../../../store/tables.js';
import { RowMapper } from '../../../store/row-mappers.js';
import type { Incident } from '../../../processors/facts.js';

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

/** A store migrated with every shipped migration but `name` (as one made before it, by an older driftwatch); `upgrade` runs migrate with all of them. */
async function storeBefore(name: string): Promise<{ t: ChdbTransport; upgrade: () => Promise<MigrationResult> }> {
  const dir = tempDir();
  cpSync(defaultMigrationsDir(), dir, { recursive: true });
  rmSync(join(dir, name));
  const t = await open(tempDir());
  await migrate(t, { dir });
  return {
    t,
    upgrade: () => {
      cpSync(defaultMigrationsDir(), dir, { recursive: true });
      return migrate(t, { dir });
    },
  };
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
    const { t, upgrade } = await storeBefore('0008_promotions_ended.sql');
    // Written before 0008: 2 succeeded (one rolled back since), 1 failed, 1 rollback → 3 ended by 0007's formula.
    const old = { window_start: 1_000, window_end: 301_000, env: 'prod', succeeded: 2, failed: 1, rolled_back: 1, rolled_back_after_success: 1 };
    await t.insert('driftwatch.promotion_windows', [JSON.stringify(old)]);
    expect(await upgrade()).toMatchObject({ applied: ['0008_promotions_ended.sql'] });
    await t.insert('driftwatch.promotion_windows', [JSON.stringify({ ...old, env: 'qa', promotions_ended: 2 })]);
    const rows = await t.query<{ env: string; promotions_ended: number }>('SELECT env, promotions_ended FROM driftwatch.promotion_windows FINAL ORDER BY env');
    expect(rows.map((r) => [r.env, Number(r.promotions_ended)])).toEqual([['prod', 3], ['qa', 2]]);
  });

  it('0017: incident rows written before it read 0 digests omitted; one past the bound says how many it left out', async () => {
    const { t, upgrade } = await storeBefore('0017_incidents_digests_omitted.sql');
    const incident = (incidentId: string, over: Partial<Incident> = {}): Incident =>
      ({ incidentId, kind: 'state', env: 'prod', artifact: 'web', severity: 'high', startedAt: 1_000, detectedAt: 1_000, resolvedAt: null, divergentDigests: ['sha256:b'], ...over });
    const rowOf = (i: Incident) => JSON.stringify(new RowMapper().rows({ kind: 'incident', at: 2_000, change: 'opened', incident: i })[0]!.row);
    // Below the bound the row is what the previous release wrote (no new field), so it goes into a store before 0017 too.
    await t.insert('driftwatch.incidents', [rowOf(incident('inc-old'))]);
    expect(await upgrade()).toMatchObject({ applied: ['0017_incidents_digests_omitted.sql'] });
    for (const sql of loadMigrations().find((m) => m.name === '0017_incidents_digests_omitted.sql')!.statements) await t.command(sql); // a no-op again
    await t.insert('driftwatch.incidents', [rowOf(incident('inc-new', { divergentDigests: ['sha256:c'], divergentDigestsOmitted: 7 }))]);
    const rows = await t.query<{ incident_id: string; divergent_digests: string[]; divergent_digests_omitted: number }>(
      'SELECT incident_id, divergent_digests, divergent_digests_omitted FROM driftwatch.incidents FINAL ORDER BY incident_id',
    );
    expect(rows.map((r) => [r.incident_id, r.divergent_digests, Number(r.divergent_digests_omitted)])).toEqual([['inc-new', ['sha256:c'], 7], ['inc-old', ['sha256:b'], 0]]);
    const [comment] = await t.query<{ comment: string }>("SELECT comment FROM system.columns WHERE database = 'driftwatch' AND table = 'incidents' AND name = 'divergent_digests_omitted'");
    expect(comment!.comment).toMatch(/how many more the incident saw than divergent_digests names/);
  });

  it('0015: a store made before it keeps its alert rows, partitioning, TTL, settings and comments; cut half way, it is run again', async () => {
    const { t, upgrade } = await storeBefore('0015_alerts_key_per_emission.sql');
    const table = async () =>
      (await t.query<{ partition_key: string; sorting_key: string; engine_full: string }>(
        "SELECT partition_key, sorting_key, engine_full FROM system.tables WHERE database = 'driftwatch' AND name = 'alerts'",
      ))[0]!;
    const comments = async () =>
      new Map((await t.query<{ name: string; comment: string }>("SELECT name, comment FROM system.columns WHERE database = 'driftwatch' AND table = 'alerts'")).map((r) => [r.name, r.comment]));
    const before = await table();
    const commentsBefore = await comments();
    // Rows as the driftwatch before 0015 wrote them (no emission_key, no instance_id): two emissions and one ingested a year ago.
    const row = (alertId: string, status: string, ingestedAt?: string) =>
      JSON.stringify({ alert_id: alertId, fingerprint: 'fp-1', rule: 'drift_detected', status, severity: 'high', escalation_level: 1, env: 'prod', artifact: 'web', labels: { env: 'prod' }, summary: 's', description: 'd', starts_at: 1_000, emitted_at: 2_000, event_time: status === 'firing' ? 1_000 : 9_000, ...(ingestedAt ? { ingested_at: ingestedAt } : {}) });
    await t.insert('driftwatch.alerts', [row('alert-a', 'firing', '2030-01-01 00:00:00.000'), row('alert-b', 'resolved')]);

    // Cut after its first statement (the sorting key changed, the comments not yet): the next run applies it all.
    const [first] = loadMigrations().find((m) => m.name === '0015_alerts_key_per_emission.sql')!.statements;
    await t.command(first!);
    expect(await upgrade()).toMatchObject({ applied: ['0015_alerts_key_per_emission.sql'] });
    expect(await upgrade()).toMatchObject({ applied: [] });
    const sorted = (await table()).sorting_key;
    for (const sql of loadMigrations().find((m) => m.name === '0015_alerts_key_per_emission.sql')!.statements) await t.command(sql); // a no-op again

    const after = await table();
    expect(after.sorting_key).toBe(sorted);
    expect(after.sorting_key).toBe('fingerprint, event_time, status, severity, escalation_level, emission_key, instance_id');
    expect(after.partition_key).toBe(before.partition_key);
    const rest = (e: string) => e.replace(/ PRIMARY KEY \(.*?\)| ORDER BY \(.*?\)/g, ''); // TTL, SETTINGS, engine, partitioning
    expect(rest(after.engine_full)).toBe(rest(before.engine_full));
    expect(after.engine_full).toMatch(/TTL greatest\(toDateTime\(event_time\), toDateTime\(ingested_at\)\) \+ toIntervalYear\(1\).*non_replicated_deduplication_window = 1000/);
    const commentsAfter = await comments();
    for (const [name, comment] of commentsBefore) if (name !== 'alert_id') expect(commentsAfter.get(name), name).toBe(comment);
    expect(commentsAfter.get('alert_id')).toMatch(/derived from it.*Not random/);
    expect(commentsAfter.get('emission_key')).toMatch(/alert_id again/);

    await t.command('OPTIMIZE TABLE driftwatch.alerts FINAL');
    expect(await t.query('SELECT alert_id, emission_key, instance_id, toString(ingested_at) AS ingested FROM driftwatch.alerts ORDER BY alert_id')).toEqual([
      { alert_id: 'alert-a', emission_key: '', instance_id: '', ingested: '2030-01-01 00:00:00.000' },
      { alert_id: 'alert-b', emission_key: '', instance_id: '', ingested: expect.any(String) },
    ]);
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
