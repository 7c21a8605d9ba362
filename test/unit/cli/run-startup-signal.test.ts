/**
 * `driftwatch run` stopped by SIGTERM while it is still starting (here: retrying
 * a broker that is not there, which goes on for about two minutes) ends at
 * once, cleanly and with a log line — nothing was processed, so nothing is left
 * to finish — instead of being killed by its supervisor's deadline without a
 * word. The built CLI runs in a process of its own (signals).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cliMain, repoRoot } from '../../integration/live/engine-process.js';

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

beforeAll(() => assertBuilt());

describe('driftwatch run stopped during start-up', () => {
  it('SIGTERM while retrying an unreachable broker: exit 0 at once, with a log line saying nothing was processed', async () => {
    const child = spawn(process.execPath, [cliMain, 'run'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        LOG_LEVEL: 'info',
        KAFKA_BROKERS: `127.0.0.1:${await closedPort()}`,
        DRIFTWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'dw-run-startup-')),
        DRIFTWATCH_METRICS_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Start-up is under way once kafkajs reports its first failed connection.
    for (let i = 0; i < 300 && !stderr.includes('ECONNREFUSED'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toContain('ECONNREFUSED');
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(5000);
    expect(stderr).toMatch(/"signal":"SIGTERM".*"msg":"signal during start-up: nothing processed yet; exiting"/);
  }, 60_000);
});
