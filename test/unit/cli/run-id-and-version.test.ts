/** Every log line of a run carries its runId, a failing one too; `--version` prints the package's version. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runCli } from './run-cli.js';

const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('correlation id of a run', () => {
  it('a command that fails logs its error line with the run id of its other lines', async () => {
    const r = await runCli(['replay', '/nonexistent/events.ndjson', '--out', '/tmp/dw-never-made'], { DRIFTWATCH_BOGUS: 'x' });
    expect(r.code).toBe(1);
    const lines = r.log.trim().split('\n').map((l) => JSON.parse(l) as { level: number; runId?: string; msg: string });
    // The warning about the unknown variable (from the runtime) and the failure (from main) share one run id.
    expect(lines.map((l) => l.level)).toEqual([40, 50]);
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
