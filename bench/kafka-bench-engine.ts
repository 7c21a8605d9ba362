/**
 * `driftwatch run` as a child process for the benchmark (the real binary,
 * with its embedded store in a temp directory), with the moments the
 * benchmark measures from: when it joined the group and when its state was
 * restored (both from its log lines, stamped on arrival).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../lib/free-port.js';
import { cpuTimes, type CpuTimes } from './thread-cpu.js';

const cliMain = fileURLToPath(new URL('../cli/main.js', import.meta.url));


export class BenchEngine {
  /** Wall time each log message was first seen (by `msg`). */
  readonly seen = new Map<string, number>();
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private tail = '';
  private lastLines: string[] = [];

  private constructor(
    env: Record<string, string>,
    readonly dataDir: string,
    readonly metricsPort: number,
    /** Extra node flags, e.g. --cpu-prof. */
    nodeArgs: string[],
  ) {
    this.child = spawn(process.execPath, [...nodeArgs, cliMain, 'run'], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env, DRIFTWATCH_DATA_DIR: dataDir, DRIFTWATCH_METRICS_PORT: String(metricsPort) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (this.tail + chunk).split('\n');
      this.tail = lines.pop() ?? '';
      for (const line of lines) {
        this.lastLines = [...this.lastLines.slice(-20), line];
        try {
          const msg = (JSON.parse(line) as { msg?: string }).msg;
          if (msg && !this.seen.has(msg)) this.seen.set(msg, Date.now());
        } catch {
          // not a log line
        }
      }
      for (const w of [...this.waiters]) w();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => this.waiters.forEach((w) => w()));
  }

  static async start(env: Record<string, string>, nodeArgs: string[] = []): Promise<BenchEngine> {
    const dir = mkdtempSync(join(tmpdir(), 'dw-bench-engine-'));
    return new BenchEngine(env, dir, await freePort(), nodeArgs);
  }

  /** Wall time of the first log line with this message. */
  waitFor(msg: string, timeoutMs = 60_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`engine: no "${msg}" within ${timeoutMs} ms\n${this.lastLines.join('\n')}`)), timeoutMs);
      const check = () => {
        const t = this.seen.get(msg);
        if (t !== undefined) done(undefined, t);
        else if (this.child.exitCode !== null) done(new Error(`engine exited before "${msg}"\n${this.lastLines.join('\n')}`));
      };
      const done = (err?: Error, t?: number) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (err) reject(err);
        else resolve(t!);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** CPU time the engine process has used so far: its main thread, and all its threads (thread-cpu.ts). */
  cpu(): CpuTimes {
    return this.child.pid === undefined ? {} : cpuTimes(this.child.pid);
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
  }

  /** SIGTERM, wait for the exit, remove the data dir. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    const code = await this.exited;
    clearTimeout(timer);
    rmSync(this.dataDir, { recursive: true, force: true });
    return code;
  }
}
