/**
 * Ordered, idempotent SQL migrations (`sql/migrations/NNNN_name.sql`).
 *
 * Each applied migration is recorded in `driftwatch.schema_migrations` with
 * the SHA-256 of its text. `migrate` applies only the files not recorded yet,
 * in version order, statement by statement (a server accepts one statement
 * per request; statements end with `;` at the end of a line). It refuses to
 * run when an applied file was edited afterwards: the database no longer
 * matches what the file says, and re-running it would not fix that.
 *
 * Statements are `CREATE … IF NOT EXISTS`, so a migration interrupted half
 * way is safely re-applied from its first statement on the next run.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationError } from '../lib/errors.js';
import { isTransientStoreFailure } from './store-errors.js';
import type { StoreTransport } from './transport.js';
import { DATABASE } from './tables.js';

export interface Migration {
  version: number;
  /** File name, e.g. `0001_raw_history.sql`. */
  name: string;
  checksum: string;
  statements: string[];
}

export interface MigrationResult {
  /** File names applied by this run, in order. */
  applied: string[];
  /** File names already applied before (checksum verified). */
  skipped: string[];
}

export interface MigrateOptions {
  /** Folder of the migration files; defaults to the package's `sql/migrations`. */
  dir?: string;
  /** Called before each migration is applied (for logs / CLI progress). */
  onApply?: (migration: Migration) => void;
}

const FILE = /^(\d{4})_[A-Za-z0-9_-]+\.sql$/;

// The bookkeeping table uses only types every ClickHouse version knows
// (DateTime, not DateTime64), so even an old server can report what it has.
const BOOTSTRAP = [
  `CREATE DATABASE IF NOT EXISTS ${DATABASE}`,
  `CREATE TABLE IF NOT EXISTS ${DATABASE}.schema_migrations
(
    version     UInt32,
    name        String,
    checksum    String,
    statements  UInt32,
    applied_at  DateTime DEFAULT now()
)
ENGINE = ReplacingMergeTree
ORDER BY version`,
];

/** The package's `sql/migrations`, found from this module both in `store/` (sources) and `dist/store/` (build). */
export function defaultMigrationsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', '../..', '../../..']) {
    const dir = resolve(here, up, 'sql', 'migrations');
    if (existsSync(dir)) return dir;
  }
  throw new MigrationError(`sql/migrations not found above ${here}; pass the folder explicitly (dir option)`);
}

/** Splits a migration into statements: each ends with `;` at the end of a line; comment-only chunks are dropped. */
export function splitStatements(sql: string): string[] {
  return sql
    .replace(/\r\n/g, '\n')
    .split(/;[ \t]*$/m)
    .map((s) => s.trim())
    .filter((s) => s.replace(/^[ \t]*--.*$/gm, '').trim().length > 0);
}

export function loadMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  } catch (err) {
    // The reason in the message: a failure's structured record (with its cause) is logged at debug only (cli/report-failure.ts).
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new MigrationError(`cannot read the migrations folder ${dir} (${reason})`, { cause: err });
  }
  const byVersion = new Map<number, Migration>();
  for (const name of files) {
    const m = FILE.exec(name);
    if (!m) throw new MigrationError(`${join(dir, name)}: migration files are named NNNN_description.sql (e.g. 0006_add_index.sql)`);
    const version = Number(m[1]);
    const other = byVersion.get(version);
    if (other) throw new MigrationError(`${name} and ${other.name} share version ${m[1]}; give one of them the next free number`);
    const text = readFileSync(join(dir, name), 'utf8').replace(/\r\n/g, '\n');
    const checksum = createHash('sha256').update(text).digest('hex');
    byVersion.set(version, { version, name, checksum, statements: splitStatements(text) });
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

export async function migrate(transport: StoreTransport, options: MigrateOptions = {}): Promise<MigrationResult> {
  const migrations = loadMigrations(options.dir ?? defaultMigrationsDir());
  for (const sql of BOOTSTRAP) await run(transport, sql, 'schema_migrations bootstrap', 0);
  const appliedRows = await transport.query<AppliedRow>(
    `SELECT version, name, checksum FROM ${DATABASE}.schema_migrations FINAL ORDER BY version`,
  );
  const applied = new Map(appliedRows.map((r) => [Number(r.version), r]));

  // Verify every applied file before touching anything.
  for (const m of migrations) {
    const done = applied.get(m.version);
    if (done && done.checksum !== m.checksum) {
      throw new MigrationError(
        `${m.name} was changed after it was applied (recorded checksum ${done.checksum.slice(0, 12)}…, file now ${m.checksum.slice(0, 12)}…). ` +
          'Applied migrations are immutable: revert the edit and put the change in a new migration file with the next number.',
      );
    }
  }

  const result: MigrationResult = { applied: [], skipped: [] };
  for (const m of migrations) {
    if (applied.has(m.version)) {
      result.skipped.push(m.name);
      continue;
    }
    options.onApply?.(m);
    for (let i = 0; i < m.statements.length; i++) await run(transport, m.statements[i]!, m.name, i + 1);
    const record = { version: m.version, name: m.name, checksum: m.checksum, statements: m.statements.length };
    try {
      await transport.insert(`${DATABASE}.schema_migrations`, [JSON.stringify(record)]);
    } catch (err) {
      throw new MigrationError(`${m.name}: applied, but recording it in schema_migrations failed; run migrate again`, {
        cause: err,
        canRetry: true,
      });
    }
    result.applied.push(m.name);
  }
  return result;
}

async function run(transport: StoreTransport, sql: string, name: string, index: number): Promise<void> {
  try {
    await transport.command(sql);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const where = index > 0 ? `${name}, statement ${index}` : name;
    throw new MigrationError(
      `${where} failed: ${detail}. Statements are idempotent: fix the cause (or the file, if it was never applied) and run migrate again.`,
      { cause: err, canRetry: isTransientStoreFailure(err) },
    );
  }
}
