/** Every log line of a run carries its runId, a failing one too; `--version` prints the package's version. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir } from '../../helpers/replay-fixture.js';
import { runCli } from './run-cli.js';

const fixture = join(fixturesDir, 'rogue-version.ndjson');

const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('correlation id of a run', () => {
  it('a command that fails logs its failure with the run id of its other lines', async () => {
    const loop = join(mkdtempSync(join(tmpdir(), 'dw-run-id-')), 'loop');
    symlinkSync(loop, loop); // --out a symbolic link to itself: a runtime failure (ELOOP)
    const r = await runCli(['replay', fixture, '--out', loop, '--no-store'], { DRIFTWATCH_BOGUS: 'x', LOG_LEVEL: 'debug' });
    expect(r.code).toBe(1);
    const lines = r.log.trim().split('\n').map((l) => JSON.parse(l) as { level: number; runId?: string; msg: string; err?: { code?: string } });
    // The warning about the unknown variable (from the runtime) and the failure (from main, at debug) share one run id.
    expect(lines.find((l) => l.level === 40)?.msg).toMatch(/DRIFTWATCH_BOGUS/);
    expect(lines.at(-1)).toMatchObject({ level: 20, err: { code: 'DW_INPUT_FAILED' } });
    expect(lines[0]!.runId).toMatch(/^run-/);
    expect(lines.every((l) => l.runId === lines[0]!.runId)).toBe(true);
  });
});

describe('driftwatch --version', () => {
  it.each(['--version', '-v', '-V', 'version'])('%s prints the package version', async (flag) => {
    const r = await runCli([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`driftwatch ${version}\n`);
  });
});
