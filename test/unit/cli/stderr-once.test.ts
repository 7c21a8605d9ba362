/**
 * What a user sees on stderr, with the built CLI in a process of its own (the
 * log and the plain lines share stderr there): a failure is said once, as
 * one plain line, its structured record (coded fields) in the log at debug
 * level; a replay prints its summary and no log lines at the default level.
 */
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cliProcess } from '../../integration/live/engine-process.js';
import { fixturesDir } from '../../helpers/replay-fixture.js';

const fixture = join(fixturesDir, 'rogue-version.ndjson');

/** The JSON log lines among stderr's lines. */
function logLines(stderr: string): Array<Record<string, unknown>> {
  return stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('stderr of a command, as a user sees it', () => {
  beforeAll(() => assertBuilt());

  it('a runtime failure is one plain line with its code; LOG_LEVEL=debug adds its structured record', async () => {
    // An --out the OS cannot resolve (a symbolic link to itself: ELOOP, even for root) is a runtime failure.
    const loop = join(mkdtempSync(join(tmpdir(), 'dw-once-')), 'loop');
    symlinkSync(loop, loop);
    const r = await cliProcess(['replay', fixture, '--out', loop, '--no-store'], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^driftwatch replay: --out ${loop}: cannot create the output directory \\(ELOOP: [^\n]*\\) \\[DW_INPUT_FAILED\\]\n$`));

    const debug = await cliProcess(['replay', fixture, '--out', loop, '--no-store'], { LOG_LEVEL: 'debug' });
    expect(debug.code).toBe(1);
    expect(debug.stderr.split('\n').filter((l) => l.startsWith('driftwatch replay: '))).toHaveLength(1);
    expect(logLines(debug.stderr)).toContainEqual(
      expect.objectContaining({ level: 20, err: expect.objectContaining({ name: 'InputError', code: 'DW_INPUT_FAILED', canRetry: false }) }),
    );
  });

  it('a usage error is one plain line too', async () => {
    const r = await cliProcess(['replay', '/nonexistent/events.ndjson', '--out', join(mkdtempSync(join(tmpdir(), 'dw-once-')), 'out')], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('driftwatch replay: input file /nonexistent/events.ndjson does not exist\n');
  });

  it('a replay prints its summary and nothing on stderr; its log lines are there at LOG_LEVEL=debug', async () => {
    const r = await cliProcess(['replay', fixture, '--out', mkdtempSync(join(tmpdir(), 'dw-quiet-'))], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^replayed 10 records from .*\nincidents: 1 \(0 still open\); alerts: 3 \(medium 3\)\nwrote /);
    expect(r.stderr).toBe('');

    const debug = await cliProcess(['replay', fixture, '--out', mkdtempSync(join(tmpdir(), 'dw-quiet-'))], { LOG_LEVEL: 'debug' });
    expect(debug.code).toBe(0);
    const lines = logLines(debug.stderr);
    expect(lines).toContainEqual(expect.objectContaining({ level: 20, msg: 'store schema migrated', upToDate: 0 }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 20, msg: 'replay finished', summary: expect.objectContaining({ records: 10, incidents: 1 }) }));
  });
});
