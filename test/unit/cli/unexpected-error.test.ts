import { describe, it, expect, vi } from 'vitest';
import { runCli, STACK_FRAME } from './run-cli.js';

// A failure driftwatch did not code (a bug, or an OS error nobody wrapped).
vi.mock('../../../engine/replay.js', () => ({
  replayFile: vi.fn(async () => {
    throw Object.assign(new Error('disk on fire'), { code: 'EIO' });
  }),
}));

describe('an unexpected (uncoded) error', () => {
  it('prints the message and the error code once, exit 1, no stack trace', async () => {
    const r = await runCli(['replay', 'in.ndjson', '--out', '/tmp/unused', '--no-store']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('driftwatch replay: unexpected failure: Error: disk on fire [EIO] (set LOG_LEVEL=debug for the stack trace)\n');
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.log).toBe(''); // the plain line says it; the log's record of it is at debug level
  });

  it.each(['debug', 'trace'])('shows the stack at LOG_LEVEL=%s', async (level) => {
    const r = await runCli(['replay', 'in.ndjson', '--out', '/tmp/unused', '--no-store'], { LOG_LEVEL: level });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^driftwatch replay: unexpected failure: Error: disk on fire \[EIO\]\n/);
    expect(r.stderr).toMatch(STACK_FRAME);
    expect(r.log).toContain('unexpected failure');
    expect(r.log).toContain('"code":"EIO"');
    expect(r.log).toMatch(/\\n\s+at /);
  });
});
