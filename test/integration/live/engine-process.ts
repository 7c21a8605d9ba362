/**
 * `driftwatch run` as a real child process (`node dist/cli/main.js run`), so
 * SIGKILL is a real crash and SIGTERM the real shutdown path. Collects the
 * pino lines it writes to stderr and lets tests wait for one of them.
 *
 * Also runs `driftwatch query` against an engine's embedded store once the
 * engine has exited (chDB allows one process per data directory) — in the
 * test's own process: the command's own code, without a process and an
 * engine load of its own per query.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const cliMain = join(repoRoot, 'dist/cli/main.js');

/** Newest mtime of the .ts sources under the folders the engine is built from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** The engine runs from dist/: fail with the fix when it is missing, warn when it looks older than the sources. */
export function assertBuilt(): void {
  if (!existsSync(cliMain)) throw new Error(`${cliMain} is missing: these tests run the built CLI; run \`npm run build\` first`);
  const built = statSync(join(repoRoot, 'dist/engine/live/live-runner.js')).mtimeMs;
  const sources = Math.max(...['engine', 'processors', 'store', 'topics', 'cli'].map((d) => newestSource(join(repoRoot, d))));
  if (sources > built) console.warn('[live] dist/ looks older than the TypeScript sources; run `npm run build` to test the current code');
}

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/**
 * Log lines that explain a missing output (see describe): event time's (idle partitions, end offsets, late records)
 * and the engine's lineage — each join and restore (a second one is a rebalance or a consumer replaced), and at
 * warning level or above a failed or abandoned commit and the re-read from the committed offsets after it.
 */
const EXPLAINING_LINE = /idle|late|end offsets|frontier|watermark|joined group|state restored/i;
const WARN = 40;

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class EngineProcess {
  readonly logs: LogLine[] = [];
  readonly exited: Promise<EngineExit>;
  private readonly child: ChildProcess;
  private stderrTail = '';
  /** What the engine printed on stdout (its started line). */
  stdout = '';
  /** Its stderr as text (the log lines and the plain lines `driftwatch run` writes there on failure). */
  stderrText = '';
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
    main: string,
  ) {
    this.child = spawn(process.execPath, [main, 'run'], {
      cwd: join(main, '../../..'),
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.onStderr(chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => this.notify());
  }

  /**
   * Starts `driftwatch run` with exactly `env` (plus PATH); LOG_LEVEL defaults to info so tests can follow it.
   * `main`: another build's dist/cli/main.js (an earlier release, for the upgrade test).
   */
  static start(name: string, env: Record<string, string>, main: string = cliMain): EngineProcess {
    return new EngineProcess(name, env, main);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private onStderr(chunk: string): void {
    this.stderrText += chunk;
    const text = this.stderrTail + chunk;
    const lines = text.split('\n');
    this.stderrTail = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        this.logs.push({ msg: line, level: 50, raw: true });
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves with the first log line (already seen or to come) matching `pred`. */
  waitForLog(pred: (line: LogLine) => boolean, timeoutMs = 60_000, after = 0): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.logs.slice(after).find(pred);
        if (hit) {
          done();
          resolve(hit);
          return true;
        }
        if (!this.running) {
          done();
          reject(new Error(`engine ${this.name} exited before the expected log line\n${this.describe()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`engine ${this.name}: no matching log line within ${timeoutMs} ms\n${this.describe()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Resolves once the engine holds partitions with its state restored (the runner logs 'state restored'). */
  waitRestored(timeoutMs = 60_000, after = 0): Promise<LogLine> {
    return this.waitForLog((l) => l.msg === 'state restored', timeoutMs, after);
  }

  /** Every assignment the engine received (from its 'joined group' log lines). */
  assignments(): Array<Record<string, number[]>> {
    return this.logs.filter((l) => l.msg === 'joined group; state will be restored').map((l) => l.assignment as Record<string, number[]>);
  }

  /**
   * Errors the engine logged (level ≥ 50), kafkajs' lines included: what
   * kafkajs retries by itself (CONCURRENT_TRANSACTIONS right after a commit,
   * and the send it retries) is logged as a warning (topics/kafkajs-log-level.ts).
   */
  errors(): LogLine[] {
    return this.logs.filter((l) => (l.level ?? 0) >= 50);
  }

  /** SIGTERM; resolves with the exit once the process is gone (SIGKILL after `timeoutMs`). */
  async terminate(timeoutMs = 30_000): Promise<EngineExit> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** kill -9: no shutdown code runs. */
  async kill(): Promise<EngineExit> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** The engine's Prometheus counters (name{labels} → value); needs DRIFTWATCH_METRICS_PORT set to a port. */
  async metrics(): Promise<Map<string, number>> {
    const port = Number(this.env.DRIFTWATCH_METRICS_PORT ?? 0);
    if (!port) throw new Error(`engine ${this.name} has no metrics port`);
    return scrapeMetrics(`http://127.0.0.1:${port}`);
  }

  /** Last log lines and stdout, for failure messages. */
  describe(lines = 25): string {
    const tail = this.logs.slice(-lines);
    // Event time's own story (idle partitions, end offsets that could not be read, late records) and the engine's
    // lineage (joins, restores, failed commits read again), wherever they were told: a missing alert is usually
    // explained there, long before the last lines (an engine logs every alert it emits, so those are alert lines).
    const earlier = this.logs.slice(0, -lines || undefined).filter((l) => (l.level ?? 0) >= WARN || EXPLAINING_LINE.test(l.msg ?? ''));
    const said = (ls: LogLine[]) => ls.map((l) => JSON.stringify(l)).join('\n');
    const story = earlier.length > 0 ? `--- earlier lines about idleness, end offsets, late records, joins, restores, warnings and errors:\n${said(earlier)}\n` : '';
    return `--- ${this.name} (pid ${this.child.pid}) stdout:\n${this.stdout}${story}--- last log lines:\n${said(tail)}${this.stderrTail ? '\n' + this.stderrTail : ''}`;
  }
}

/** The samples of a /metrics endpoint at `baseUrl` (name{labels} → value). */
export async function scrapeMetrics(baseUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** Runs the CLI once (not `run`) and returns its stdout; rejects on a non-zero exit. */
export async function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<string> {
  const r = await cliProcess(args, { LOG_LEVEL: 'warn', ...env }, timeoutMs);
  if (r.code === 0) return r.stdout;
  throw new Error(`driftwatch ${args.join(' ')} exited ${r.code}\n${r.stderr}${r.stdout}`);
}

/**
 * Runs the CLI once (not `run`) with exactly `env` (plus PATH: LOG_LEVEL unset is its default, info) and returns its
 * exit code, stdout and stderr — the log lines and the plain lines together, as a user sees them.
 */
export function cliProcess(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliMain, ...args], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Final state of every incident in an embedded store (the engine that wrote it must have exited). */
export async function storeIncidents(storeDir: string): Promise<Array<Record<string, unknown>>> {
  return storeRows(
    storeDir,
    'SELECT incident_id, kind, env, artifact, rule_id, severity, started_at, detected_at, resolved_at, reason, expected_digest, ' +
      'divergent_digests, recovery_ms, change, changed_at FROM driftwatch.incidents FINAL ORDER BY env, artifact, incident_id',
  );
}

/**
 * Runs a CLI command that ends by itself (topics create, query…) in the test's own process, with exactly `env`;
 * returns its stdout, rejects on a non-zero exit. chDB takes one data directory per process at a time: a command
 * that opens a store refuses while the process holds another open.
 */
export async function cliInProcess(args: string[], env: Record<string, string>): Promise<string> {
  const { runCli: runCliInProcess } = await import('../../unit/cli/run-cli.js'); // the whole CLI: loaded when first needed
  const r = await runCliInProcess(args, { LOG_LEVEL: 'warn', ...env });
  if (r.code === 0) return r.stdout;
  throw new Error(`driftwatch ${args.join(' ')} (in-process) exited ${r.code}\n${r.stderr}${r.stdout}${r.log}`);
}

/** The rows of `sql` run by `driftwatch query` on an (idle) engine's embedded store. */
export async function storeRows(storeDir: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const out = await cliInProcess(['query', '--format', 'jsonl', '--data-dir', storeDir, sql], {});
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Every row of every table of an (idle) engine's embedded store, one JSON line a row: what a test searches for a
 * value that must be stored nowhere (a password). Read through SQL, not from the part files: those are compressed,
 * and a compressed string need not appear as its own bytes.
 */
export async function storeText(storeDir: string): Promise<string> {
  const tables = await storeRows(storeDir, "SELECT name FROM system.tables WHERE database = 'driftwatch' AND engine LIKE '%MergeTree' ORDER BY name");
  if (tables.length === 0) throw new Error(`no tables in the store at ${storeDir}`);
  const sql = tables.map((t) => `SELECT formatRow('JSONEachRow', *) AS row FROM driftwatch.${String(t.name)}`).join(' UNION ALL ');
  return (await storeRows(storeDir, sql)).map((r) => String(r.row)).join('');
}

/**
 * Runs `body`; a failure carries the engines' last `lines` log lines (what they were doing is usually the
 * explanation), and `note` (e.g. counters read before the engine exited) — a function is only called on a
 * failure (e.g. a second read of a topic, too slow to make on every run).
 */
export async function withEngineLogs<T>(
  engines: () => EngineProcess[],
  body: () => Promise<T>,
  { lines = 40, note }: { lines?: number; note?: string | (() => Promise<string>) } = {},
): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof Error) {
      const text = typeof note === 'function' ? await note().catch((e: unknown) => `(note not made: ${String(e)})`) : note;
      err.message += '\n' + (text ? text + '\n' : '') + engines().map((e) => e.describe(lines)).join('\n');
    }
    throw err;
  }
}
