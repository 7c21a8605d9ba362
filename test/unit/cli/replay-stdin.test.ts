/**
 * Standard input and the embedded store, with the built CLI in a process of
 * its own (the bug is about the process's fd 0, so it cannot run in the
 * test's process): chDB reads the host's stdin as data for an INSERT that
 * carries its own (chdb-io/chdb-core#239), so a replay run with a pipe on
 * stdin inserted the piped bytes as a row of schema_migrations, or failed
 * its migrations ("Cannot parse input") — lib/stdin-shield.ts. And
 * `replay -` reads its events from stdin, as a file gives them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cliMain, repoRoot, storeRows } from '../../integration/live/engine-process.js';
import { fixturesDir, readNdjson } from '../../helpers/replay-fixture.js';

/**
 * Runs the CLI with `stdin` written to its standard input — through a socket
 * pair, which is what Node's spawn gives a child — or, with `viaShellPipe`,
 * with `cat <file> |` in front (a pipe, as a shell user gives it).
 */
function cli(args: string[], stdin: string | Buffer, viaShellPipe?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn' };
    const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
    const child = viaShellPipe
      ? spawn('sh', ['-c', `cat ${quote(viaShellPipe)} | ${[process.execPath, cliMain, ...args].map(quote).join(' ')}`], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(process.execPath, [cliMain, ...args], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // a process that never reads its stdin may close it first
    child.stdin.end(stdin);
  });
}

const fixture = join(fixturesDir, 'rogue-version.ndjson');
const migrations = readdirSync(join(repoRoot, 'sql/migrations')).filter((f) => f.endsWith('.sql')).length;

const migrationRows = (store: string) => storeRows(store, 'SELECT version, name FROM driftwatch.schema_migrations FINAL ORDER BY version');

/** What `replay <fixture>` (the file, nothing on stdin) writes: the reference both stdin tests compare with, made once. */
let replayOfFile: Promise<string> | undefined;
function fileReplay(): Promise<string> {
  replayOfFile ??= (async () => {
    const out = mkdtempSync(join(tmpdir(), 'dw-stdin-file-'));
    expect((await cli(['replay', fixture, '--out', out], '')).code).toBe(0);
    return out;
  })();
  return replayOfFile;
}

describe('replay and standard input', () => {
  beforeAll(() => assertBuilt());

  it('an empty standard input (closed, or nothing piped) or an empty file: exit 0, with a note that nothing was replayed', async () => {
    const r = await cli(['replay', '-', '--out', mkdtempSync(join(tmpdir(), 'dw-stdin-empty-')), '--no-store'], '');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('replayed 0 records from standard input');
    expect(r.stderr).toBe('note: standard input held no lines: nothing was replayed\n');
    const empty = join(mkdtempSync(join(tmpdir(), 'dw-empty-file-')), 'empty.ndjson');
    writeFileSync(empty, '');
    const f = await cli(['replay', empty, '--out', mkdtempSync(join(tmpdir(), 'dw-empty-out-')), '--no-store'], '');
    expect(f.code).toBe(0);
    expect(f.stderr).toBe(`note: ${empty} held no lines: nothing was replayed\n`);
  });

  it('data piped to a replay of a file never reaches the store', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dw-stdin-'));
    const r = await cli(['replay', fixture, '--out', out], '{"version":99,"name":"piped","x":1}\n(9999)\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = await migrationRows(join(out, 'store'));
    expect(rows).toHaveLength(migrations);
    expect(rows.every((row) => /^\d{4}_.+\.sql$/.test(String(row.name)))).toBe(true);
  });

  it('replay - reads the events from stdin: the same incidents and alerts as the file, and a clean store', async () => {
    const fromFile = await fileReplay();
    const fromStdin = mkdtempSync(join(tmpdir(), 'dw-stdin-pipe-'));
    const r = await cli(['replay', '-', '--out', fromStdin], '', fixture);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^replayed 10 records from standard input: 10 events/);
    const incidents = (dir: string) => readNdjson(join(dir, 'incidents.ndjson'));
    expect(incidents(fromStdin)).toEqual(incidents(fromFile));
    expect(incidents(fromStdin)).toHaveLength(1);
    const alerts = (dir: string) => readNdjson(join(dir, 'alerts.ndjson')).map((a) => `${a.rule} ${a.status} ${a.startsAt}`);
    expect(alerts(fromStdin)).toEqual(alerts(fromFile));
    expect(await migrationRows(join(fromStdin, 'store'))).toHaveLength(migrations);
  });

  it('replay - from a socket (which cannot be reopened: it is copied to a file first) gives the same, and leaves no copy', async () => {
    const fromFile = await fileReplay();
    const fromSocket = mkdtempSync(join(tmpdir(), 'dw-stdin-socket-'));
    const r = await cli(['replay', '-', '--out', fromSocket], readFileSync(fixture));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^replayed 10 records from standard input: 10 events/);
    expect(readNdjson(join(fromSocket, 'incidents.ndjson'))).toEqual(readNdjson(join(fromFile, 'incidents.ndjson')));
    expect(readdirSync(fromSocket).filter((f) => f.includes('stdin'))).toEqual([]);
    expect(await migrationRows(join(fromSocket, 'store'))).toHaveLength(migrations);
  });
});
