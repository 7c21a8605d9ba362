/**
 * `driftwatch demo` size limits: every numeric option has a range (exit 2, the message names the option and the
 * range), and the sizes cannot multiply into a run that exhausts memory or runs for hours. Accepted maxima run with
 * --no-store and the smallest other sizes (e.g. 1 s of event time), so they stay fast: only the parsing is under test.
 */
import { describe, it, expect, vi, afterEach } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, STACK_FRAME } from './run-cli.js';
import { DAY } from '../../../lib/time.js';

const env = () => ({ DRIFTWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'dw-demo-limits-')) });
/** The smallest scenario: one source, one second of event time, unpaced. */
const tiny = ['--envs', 'a', '--artifacts', '1', '--replicas', '1', '--index-instances', '0', '--duration', '1s', '--rate', '0'];
const demo = (...args: string[]) => runCli(['demo', '--no-store', ...tiny, ...args], env());

function expectUsage(r: { code: number; stderr: string; stdout: string }, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stdout).toBe('');
}

function expectRan(r: { code: number; stderr: string; stdout: string }): void {
  expect(r.stderr).not.toMatch(/driftwatch demo: /);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^driftwatch demo — seed /m);
}

afterEach(() => vi.restoreAllMocks());

describe('demo option ranges', () => {
  it('--replicas: 1..1000', async () => {
    expectUsage(await demo('--replicas', '1001'), /^driftwatch demo: --replicas: expected an integer 1\.\.1000, got "1001"\n$/);
    expectUsage(await demo('--replicas', '1e9'), /--replicas: expected an integer 1\.\.1000, got "1e9"/);
    expectUsage(await demo('--replicas', '0'), /--replicas: expected an integer 1\.\.1000/);
    expectRan(await demo('--replicas', '1000'));
  });

  it('--index-instances: 0..1000', async () => {
    expectUsage(await demo('--index-instances', '1001'), /--index-instances: expected an integer 0\.\.1000, got "1001"/);
    expectRan(await demo('--index-instances', '1000'));
  });

  it('--artifacts: 1..1000', async () => {
    expectUsage(await demo('--artifacts', '1001'), /--artifacts: expected an integer 1\.\.1000, got "1001"/);
    expectRan(await demo('--artifacts', '1000'));
  });

  it('--envs: 1..100 environments', async () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`).join(',');
    expectUsage(await demo('--envs', names(101)), /--envs: expected 1\.\.100 comma-separated environments, got 101/);
    expectUsage(await demo('--envs', ','), /--envs: expected 1\.\.100 comma-separated environments, got 0/);
    expectUsage(await demo('--envs', 'prod, prod'), /--envs: "prod" is listed twice; name each environment once/);
    expectUsage(await demo('--envs', 'a/b'), /--envs: "a\/b" is not an environment name/);
    expectRan(await demo('--envs', names(100)));
  });

  it('--rate: 0..1,000,000 records per second', async () => {
    expectUsage(await demo('--rate', '1000001'), /--rate: expected records per second 0\.\.1,000,000, got "1000001"/);
    expectUsage(await demo('--rate=-1'), /--rate: expected records per second 0\.\.1,000,000/);
    expectRan(await demo('--rate', '1000000'));
  });

  it('--seed: 0..4294967295 (the generator takes it modulo 2^32)', async () => {
    expectUsage(await demo('--seed', '4294967296'), /--seed: expected an integer 0\.\.4294967295, got "4294967296"/);
    expectUsage(await demo('--seed=-1'), /--seed: expected an integer 0\.\.4294967295, got "-1"/);
    // Written with a space, a negative number is the option's value too, not node's "argument is ambiguous".
    expectUsage(await demo('--seed', '-1'), /^driftwatch demo: --seed: expected an integer 0\.\.4294967295, got "-1"\n$/);
    expectUsage(await demo('--index-instances', '-2'), /^driftwatch demo: --index-instances: expected an integer 0\.\.1000, got "-2"\n$/);
    const r = await demo('--seed', '4294967295');
    expectRan(r);
    expect(r.stdout).toMatch(/seed 4294967295,/);
  });

  it('--duration: up to 30d, and the scenario starts after 1970', async () => {
    expectUsage(await demo('--duration', '721h'), /^driftwatch demo: --duration: expected a duration .* greater than 0 and at most 30d, got "721h"\n$/);
    expectUsage(await demo('--duration', '2592000001ms'), /--duration: .*at most 30d, got "2592000001ms"/);
    expectUsage(await demo('--duration', '1000000d'), /--duration: .*at most 30d, got "1000000d"/);
    const r = await demo('--duration', '30d'); // one source: ~90 k records
    expectRan(r);
    const [, from] = /records over (\S+) → /.exec(r.stdout)!;
    expect(Date.parse(from!)).toBeGreaterThan(Date.now() - 31 * DAY);
  }, 30_000);

  it('--duration reaching before 1970 (a clock near the epoch) is refused, not run with negative times', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(10 * DAY);
    expectUsage(await demo('--duration', '30d'), /--duration: 30d before now \(1970-01-11T00:00:00\.000Z\) starts before 1970/);
  });

  it('sizes cannot multiply past 20,000 sources', async () => {
    expectUsage(
      await demo('--envs', 'a,b,c', '--artifacts', '59', '--replicas', '113'),
      /--envs × --artifacts × \(--replicas \+ --index-instances\): 3 × 59 × \(113 \+ 0\) = 20,001 sources, at most 20,000 allowed/,
    );
    expectRan(await demo('--artifacts', '20', '--replicas', '1000')); // exactly 20,000
  });

  it('a bounded run cannot exceed 10,000,000 records', async () => {
    expectUsage(
      await runCli(['demo', '--no-store', '--duration', '30d', '--replicas', '50'], env()),
      /--duration: 30d × 624 sources \(one record each every ~30 s\) ≈ [\d,]+ records, at most 10,000,000 allowed; shorten --duration/,
    );
  });

  it('documents the ranges in --help', async () => {
    const r = await runCli(['demo', '--help']);
    expect(r.code).toBe(0);
    for (const range of ['at most 30d', '0..4294967295', '0..1,000,000', '1..100 of them', 'artifacts per environment, 1..1000', 'replicas per env/artifact, 1..1000', 'index instances per env/artifact, 0..1000', '20,000 sources', '10,000,000']) {
      expect(r.stdout).toContain(range);
    }
  });

  it('--forever with --duration is a usage error: one bounds the run, the other never ends it', async () => {
    const r = await runCli(['demo', '--forever', '--duration', '1h'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--duration bounds a run and --forever runs until stopped: give one of them');
  });
});
