/**
 * A replay stopped by Ctrl-C or SIGTERM says what it left (no .ndjson
 * outputs, the rows stored so far) and ends by the signal, instead of ending
 * without a word and leaving its unfinished output files behind. The
 * built CLI runs in a process of its own (signals), reading its events from a
 * FIFO the test keeps open, so it is mid-input when the signal comes. The
 * replays after it, whose point is what the interrupted one left in --out, run
 * the same CLI in the test's process (run-cli.ts): a node process each cost
 * about a second of CPU to load the CLI and the embedded engine.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cliMain, repoRoot } from '../../integration/live/engine-process.js';
import { fixturesDir } from '../../helpers/replay-fixture.js';
import { runCli } from './run-cli.js';

/** `outSuffix` `/`: the README's `--out out/`; `extra`: more options of the replay (`--no-store`). */
async function interruptedReplay(
  signal: 'SIGINT' | 'SIGTERM',
  { outSuffix = '', extra = [] }: { outSuffix?: string; extra?: string[] } = {},
): Promise<{ endedBy: NodeJS.Signals | null; stderr: string; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dw-interrupted-'));
  const fifo = join(dir, 'events.fifo');
  execFileSync('mkfifo', [fifo]);
  const out = join(dir, 'out');
  const child = spawn(process.execPath, [cliMain, 'replay', fifo, '--out', out + outSuffix, ...extra], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, endedBy) => resolve(endedBy)));
  // Some events, and the FIFO kept open: the replay waits for more.
  const writer = createWriteStream(fifo);
  writer.write(readFileSync(join(fixturesDir, 'rogue-version.ndjson')));
  const started = join(out, '.alerts.ndjson.partial');
  for (let i = 0; i < 300 && !existsSync(started); i++) await new Promise((r) => setTimeout(r, 100));
  expect(existsSync(started)).toBe(true);
  await new Promise((r) => setTimeout(r, 500));
  child.kill(signal);
  const endedBy = await exited;
  writer.destroy();
  return { endedBy, stderr, out };
}

describe('an interrupted replay', () => {
  beforeAll(() => assertBuilt());

  it.each(['SIGINT', 'SIGTERM'] as const)('%s: says what it left, removes its unfinished files, and ends by the signal', async (signal) => {
    const { endedBy, stderr, out } = await interruptedReplay(signal);
    expect(endedBy).toBe(signal); // exit status 128 + the signal's number to a shell, as without a handler
    expect(stderr).toContain(`driftwatch replay: interrupted (${signal}); nothing written to ${out}/*.ndjson`);
    // No .partial files; the lock of the ended process is taken over by the next run (lib/dir-lock.ts).
    expect(readdirSync(out).filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(readdirSync(out).filter((f) => f.endsWith('.ndjson'))).toEqual([]);
    expect(stderr).toContain(`replay again with --force to redo the run from the start`);
    // Replaying again into the same --out with --force redoes it (the store keeps rows of the interrupted run: without it, refused).
    const again = await runCli(['replay', join(fixturesDir, 'rogue-version.ndjson'), '--out', out], { LOG_LEVEL: 'warn' });
    expect(again.code).toBe(2);
    expect(again.stderr + again.stdout).toMatch(/--force/);
    const forced = await runCli(['replay', join(fixturesDir, 'rogue-version.ndjson'), '--out', out, '--force'], { LOG_LEVEL: 'warn' });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('wrote');
    expect(existsSync(join(out, 'alerts.ndjson'))).toBe(true);
  }, 60_000);

  it('names its --out as a path (the README\'s `--out out/`: no doubled slash)', async () => {
    const { endedBy, stderr, out } = await interruptedReplay('SIGINT', { outSuffix: '/' });
    expect(endedBy).toBe('SIGINT');
    expect(stderr).toContain(`nothing written to ${out}/*.ndjson`);
    expect(stderr).toContain(`while ${out}/store keeps the rows stored so far`);
    expect(stderr).not.toContain('//');
  }, 60_000);

  it('with --no-store speaks of no store, and a replay into the same --out needs no --force', async () => {
    const { endedBy, stderr, out } = await interruptedReplay('SIGTERM', { extra: ['--no-store'] });
    expect(endedBy).toBe('SIGTERM');
    expect(existsSync(join(out, 'store'))).toBe(false);
    expect(stderr).toContain(`driftwatch replay: interrupted (SIGTERM); nothing written to ${out}/*.ndjson`);
    expect(stderr).not.toContain('store');
    expect(stderr).not.toContain('--force');
    const again = await runCli(['replay', join(fixturesDir, 'rogue-version.ndjson'), '--out', out, '--no-store'], { LOG_LEVEL: 'warn' });
    expect(again.code, again.stderr).toBe(0);
  }, 60_000);
});
