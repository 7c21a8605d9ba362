/** `driftwatch sql migrate` and `driftwatch query`: the configured store (CLICKHOUSE_URL, else embedded chDB). */
import type { Command } from '../command.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../lib/errors.js';
import { loadRuntime } from '../runtime.js';
import { checkEmbeddedStoreDir, embeddedStoreDir, migrateConfiguredStore, openConfiguredStore, usesEmbeddedStore } from '../../store/configured-store.js';
import { requireDriftwatchSchema, runQuery } from '../../store/open-store.js';
import { DATABASE } from '../../store/tables.js';
import { isStatementError } from '../../store/store-errors.js';
import { schemaBehindHint } from '../../store/schema-behind.js';
import { adminActor, auditAdminAction } from '../../store/admin-audit.js';
import type { Runtime } from '../runtime.js';
import type { StoreTransport } from '../../store/transport.js';

export const sqlMigrateCommand: Command = {
  path: ['sql', 'migrate'],
  summary: 'apply sql/migrations to the configured store (idempotent; records what it applied)',
  options: {
    'data-dir': { type: 'string', doc: 'embedded store directory, even with CLICKHOUSE_URL set (default: DRIFTWATCH_DATA_DIR/store)', valueName: '<dir>' },
  },
  async run(args, ctx) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected arguments: ${args.positionals.join(' ')}`);
    const rt = loadRuntime(ctx);
    const transport = await openConfiguredStore(rt, { dataDir: args.values['data-dir'] as string | undefined, migrate: false });
    try {
      const result = await migrateConfiguredStore(rt, transport);
      if (result.applied.length > 0) await auditAdminAction(transport, actorOf(rt, transport), { action: 'store.migrate', applied: result.applied }, rt.logger);
      ctx.stdout.write(`applied: ${result.applied.length ? result.applied.join(', ') : 'none'}; already applied: ${result.skipped.length}\n`);
    } finally {
      await transport.close();
    }
    return 0;
  },
};

export const queryCommand: Command = {
  path: ['query'],
  args: '"<SQL>"',
  summary: 'run one SQL statement against the configured store and print the rows (read-only unless --write)',
  options: {
    format: { type: 'string', short: 'f', doc: 'table (at most 10000 rows shown) or jsonl (all rows)', default: 'table', valueName: '<format>' },
    'data-dir': { type: 'string', doc: 'embedded store directory, e.g. <replay out>/store, even with CLICKHOUSE_URL set (default: DRIFTWATCH_DATA_DIR/store)', valueName: '<dir>' },
    write: { type: 'boolean', doc: 'allow a statement that writes (INSERT, ALTER, TRUNCATE, DROP); without it the store refuses them', default: false },
  },
  async run(args, ctx) {
    const sql = args.positionals.join(' ').trim();
    if (!sql) throw new UsageError('missing "<SQL>", e.g. driftwatch query "SELECT count() FROM driftwatch.incidents FINAL"');
    const format = args.values.format as string;
    if (format !== 'table' && format !== 'jsonl') throw new UsageError(`--format: expected table or jsonl, got "${format}"`);
    const rt = loadRuntime(ctx);
    const dataDir = args.values['data-dir'] as string | undefined;
    const embedded = usesEmbeddedStore(rt.config, dataDir);
    const where = embedded ? describeStoreDir(dataDir ?? embeddedStoreDir(rt.config), dataDir !== undefined) : 'CLICKHOUSE_URL';
    if (embedded) {
      checkEmbeddedStoreDir(rt.config, dataDir); // a file there is said as such, not as "no embedded store there"
      requireEmbeddedStore(dataDir ?? embeddedStoreDir(rt.config), where);
    }
    // No migrations here: query only reads a store that `sql migrate`, a replay or a run made.
    const transport = await openConfiguredStore(rt, { dataDir, migrate: false });
    try {
      if (embedded) await requireDriftwatchSchema(transport, where);
      const write = args.values.write === true;
      let result;
      try {
        result = await runQuery(transport, sql, { format, write });
      } catch (err) {
        if (write) await auditAdminAction(transport, actorOf(rt, transport), { action: 'store.write', statement: sql, error: err }, rt.logger);
        // SQL the store refuses as wrong (syntax, unknown table or column…) is the user's input: exit 2, like bad usage.
        if (isStatementError(err)) {
          const migrate = `driftwatch sql migrate${dataDir === undefined ? '' : ` --data-dir ${dataDir}`}`;
          const behind = await schemaBehindHint(transport, err, migrate);
          throw new UsageError(behind ? `${(err as Error).message}\n${behind}` : (err as Error).message, { cause: err });
        }
        throw err;
      }
      // A statement run with --write may change history: a security audit record (store/admin-audit.ts).
      if (write) await auditAdminAction(transport, actorOf(rt, transport), { action: 'store.write', statement: sql }, rt.logger);
      ctx.stdout.write(result.text.endsWith('\n') ? result.text : result.text + '\n');
    } finally {
      await transport.close();
    }
    return 0;
  },
};

/** Who acts on the store: the OS user, and the store login (a server's CLICKHOUSE_USER). */
function actorOf(rt: Runtime, transport: StoreTransport) {
  return adminActor(transport.kind === 'server' ? rt.config.clickhouse.user : 'embedded');
}

function describeStoreDir(dir: string, fromFlag: boolean): string {
  return fromFlag ? `--data-dir ${dir}` : `${dir} (DRIFTWATCH_DATA_DIR/store)`;
}

/**
 * `query` reads a store that exists. Opening a mistyped or missing directory
 * would create an empty store there and answer every count with 0. Checked
 * on disk before chDB opens the directory, since opening it creates files:
 * a driftwatch store holds the metadata of its `driftwatch` database.
 */
function requireEmbeddedStore(dir: string, where: string): void {
  if (holdsDriftwatchDatabase(dir)) return;
  const hint = holdsDriftwatchDatabase(join(dir, 'store'))
    ? `; did you mean --data-dir ${join(dir, 'store')}?`
    : "; a replay's store is <out>/store, the demo's and a live run's <DRIFTWATCH_DATA_DIR>/store";
  // The command line (or DRIFTWATCH_DATA_DIR) names a directory without a store: a usage error, exit 2.
  throw new UsageError(`${where}: no embedded store there${hint}`);
}

function holdsDriftwatchDatabase(dir: string): boolean {
  return existsSync(join(dir, 'metadata', `${DATABASE}.sql`));
}
