import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir } from '../../helpers/replay-fixture.js';
import { runCli, STACK_FRAME } from './run-cli.js';

const fixture = join(fixturesDir, 'rogue-version.ndjson');
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'dw-cli-replay-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function expectNoStack(r: { stderr: string; log: string }): void {
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stderr).not.toContain('unexpected failure');
  expect(r.stderr).not.toContain('mkdirSync');
  expect(r.log).not.toMatch(/\\n\s+at /);
}

/** Whether mkdir under /sys is refused with EPERM here (Linux with sysfs). */
function sysRefusesMkdir(): boolean {
  try {
    mkdirSync('/sys/driftwatch-probe', { recursive: true });
    rmSync('/sys/driftwatch-probe', { recursive: true, force: true });
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('driftwatch replay --out <path> that cannot be a directory', () => {
  // The command line naming a file where a directory goes is a usage error (exit 2), as a directory given as the input is.
  it('--out naming an existing file: usage error naming --out, exit 2, the file left alone', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const r = await runCli(['replay', fixture, '--out', file, '--no-store']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`driftwatch replay: --out ${file} is a file, not a directory: choose a directory for the replay's outputs\n`);
    expectNoStack(r);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('--out under a file: usage error naming --out and the file, exit 2', async () => {
    const file = join(tmp, 'another-file');
    writeFileSync(file, 'x');
    const out = join(file, 'sub', 'out');
    const r = await runCli(['replay', fixture, '--out', out, '--no-store']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`driftwatch replay: --out ${out}: ${file} is a file, not a directory: choose a directory for the replay's outputs\n`);
    expectNoStack(r);
  });

  it.runIf(existsSync('/proc/self'))('--out under /proc: ENOENT at once (Node\'s recursive mkdir never returned there)', async () => {
    const r = await runCli(['replay', fixture, '--out', '/proc/nope/out', '--no-store']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('driftwatch replay: --out /proc/nope/out: cannot create the output directory (ENOENT: no such file or directory) [DW_INPUT_FAILED]\n');
    expectNoStack(r);
  });

  it.skipIf(!sysRefusesMkdir())('--out where the OS refuses to create it: EPERM', async () => {
    const r = await runCli(['replay', fixture, '--out', '/sys/nope', '--no-store']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('driftwatch replay: --out /sys/nope: cannot create the output directory (EPERM: operation not permitted) [DW_INPUT_FAILED]\n');
    expectNoStack(r);
  });

  it.skipIf(process.getuid?.() === 0)('--out naming a read-only directory: not writable', async () => {
    const dir = join(tmp, 'read-only');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    try {
      const r = await runCli(['replay', fixture, '--out', dir, '--no-store']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^driftwatch replay: --out .*read-only: the output directory is not writable \(EACCES: permission denied\) \[DW_INPUT_FAILED\]\n$/);
      expectNoStack(r);
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it('still creates a missing nested --out directory and replays into it', async () => {
    const out = join(tmp, 'new', 'nested', 'out');
    const r = await runCli(['replay', fixture, '--out', out, '--no-store']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`replayed `);
    expect(existsSync(join(out, 'alerts.ndjson'))).toBe(true);
  });
});

describe('driftwatch replay of events dated ahead of the clock', () => {
  // Synthetic data for a day to come: dead-lettered under the default bound (5 min), replayed with the bound off.
  const future = (i: number) => JSON.stringify({
    type: 'promotion', eventId: `f-${i}`, occurredAt: `2099-01-01T00:0${i}:00.000Z`, env: 'prod', artifact: 'api',
    promotionId: 'p-1', phase: i === 0 ? 'started' : 'succeeded', version: '1.0.0', digest: 'sha256:a',
  });
  it('dead-letters them by default, naming DRIFTWATCH_MAX_FUTURE_SKEW; processes them with DRIFTWATCH_MAX_FUTURE_SKEW=off', async () => {
    const input = join(tmp, 'future.ndjson');
    writeFileSync(input, `${future(0)}\n${future(1)}\n`);
    const bounded = await runCli(['replay', input, '--out', join(tmp, 'future-bounded'), '--no-store']);
    expect(bounded.code).toBe(0);
    expect(bounded.stdout).toContain('0 events');
    expect(bounded.stdout).toContain('2 rejected (future_time 2)');
    expect(bounded.stderr).toMatch(/note: 2 events were dated further ahead .* replay with DRIFTWATCH_MAX_FUTURE_SKEW=off/);
    const off = await runCli(['replay', input, '--out', join(tmp, 'future-off'), '--no-store'], { DRIFTWATCH_MAX_FUTURE_SKEW: 'off' });
    expect(off.code).toBe(0);
    expect(off.stdout).toContain('2 events');
    expect(off.stdout).toContain('0 rejected\n');
    expect(off.stderr).not.toMatch(/future_time/);
  });
});

describe('driftwatch replay of a gzip file', () => {
  it('says it is compressed and how to replay it, rather than dead-lettering every line as not UTF-8', async () => {
    const input = join(tmp, 'events.ndjson.gz');
    writeFileSync(input, gzipSync(readFileSync(fixture)));
    const r = await runCli(['replay', input, '--out', join(tmp, 'gz-out'), '--no-store']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`input file ${input} is gzip-compressed: expected NDJSON text; decompress it on the way in: gunzip -c ${input} | driftwatch replay - --out ${join(tmp, 'gz-out')}`);
  });
});

describe('the notes of a replay count one event in the singular', () => {
  it('"1 event came later …" (detection-delay.ndjson has one late event) and "1 event was dated …"', async () => {
    const late = await runCli(['replay', join(fixturesDir, 'detection-delay.ndjson'), '--out', join(tmp, 'one-late'), '--no-store']);
    expect(late.code).toBe(0);
    expect(late.stdout).toContain('1 late');
    expect(late.stderr).toMatch(/^note: 1 event came later than the allowed lateness /m);
    expect(late.stderr).toContain('judged only from the moment it arrived, never in the past it describes');

    const input = join(tmp, 'one-future.ndjson');
    writeFileSync(input, `${JSON.stringify({ type: 'promotion', eventId: 'f-0', occurredAt: '2099-01-01T00:00:00.000Z', env: 'prod', artifact: 'api', promotionId: 'p-1', phase: 'started', version: '1.0.0', digest: 'sha256:a' })}\n`);
    const future = await runCli(['replay', input, '--out', join(tmp, 'one-future'), '--no-store']);
    expect(future.stdout).toContain(`replayed 1 record from ${input}: 0 events, 0 duplicates, 0 late, 1 rejected (future_time 1)\n`);
    expect(future.stderr).toMatch(/^note: 1 event was dated further ahead of this machine's clock than DRIFTWATCH_MAX_FUTURE_SKEW allows and was rejected /m);
  });
});

describe('driftwatch replay --out <dir>/', () => {
  // README's quick start writes `--out out/`: the closing line names the files as paths, not `out//alerts.ndjson`.
  it('names the files it wrote without a doubled slash', async () => {
    const out = join(tmp, 'slash');
    const r = await runCli(['replay', fixture, '--out', `${out}/`, '--no-store']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}/alerts.ndjson, ${out}/incidents.ndjson, ${out}/dlq.ndjson\n`);
  });

  it('names the dead-letter file of its future_time note without a doubled slash', async () => {
    const input = join(tmp, 'slash-future.ndjson');
    writeFileSync(input, `${JSON.stringify({ type: 'promotion', eventId: 'f-0', occurredAt: '2099-01-01T00:00:00.000Z', env: 'prod', artifact: 'api', promotionId: 'p-1', phase: 'started', version: '1.0.0', digest: 'sha256:a' })}\n`);
    const out = join(tmp, 'slash-future');
    const r = await runCli(['replay', input, '--out', `${out}/`, '--no-store']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`(future_time, in ${out}/dlq.ndjson)`);
  });
});
