/**
 * SPEC: "Where a default is named, it is configurable" — the §4 defaults
 * (convergenceGrace 120 s, sourceTtl 15 min, the 5-minute windows, allowed
 * lateness 30 s) set through their environment variables change what
 * `driftwatch replay` finds, not only what the configuration parser returns.
 * Expectations by hand from the fixtures under the options given.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, readNdjson } from '../../helpers/replay-fixture.js';
import { runCli } from './run-cli.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'dw-cli-options-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

async function replay(input: string, out: string, env: NodeJS.ProcessEnv): Promise<{ stdout: string; incidents: Array<Record<string, unknown>> }> {
  const dir = join(tmp, out);
  const r = await runCli(['replay', input, '--out', dir, '--no-store'], env);
  expect(r.code, r.stderr).toBe(0);
  return { stdout: r.stdout, incidents: readNdjson(join(dir, 'incidents.ndjson')) };
}

describe('driftwatch replay honours the §4 processing options', () => {
  it('DRIFTWATCH_CONVERGENCE_GRACE and DRIFTWATCH_SOURCE_TTL move a drift\'s start and its expiry', async () => {
    // failed-canary by default: p-5 failed 12:11:10 → drifted at 12:13:10, c1 (last sb at 12:14:00) forgotten at
    // 12:29:00.001 (replay-scenarios.test.ts). With a 30 s grace: drifted at 12:11:40; with a 5 min TTL: forgotten
    // at 12:19:00.001.
    const { incidents } = await replay(join(fixturesDir, 'failed-canary.ndjson'), 'grace-ttl', {
      DRIFTWATCH_CONVERGENCE_GRACE: '30s',
      DRIFTWATCH_SOURCE_TTL: '5m',
    });
    expect(incidents).toEqual([
      expect.objectContaining({
        env: 'prod', artifact: 'search', startedAt: '2026-11-27T12:11:40.000Z', resolvedAt: '2026-11-27T12:19:00.001Z',
        reason: 'source_expired', recoveryMs: 440_001,
      }),
    ]);
  });

  it('DRIFTWATCH_WINDOW sizes the determinism window', async () => {
    // Outputs out-1 at 10:01 and out-2 at 10:02 of one input share a 5-minute window (an incident,
    // open-at-end.test.ts) but fall in two 1-minute windows: nothing to judge.
    const input = join(fixturesDir, 'determinism-open-at-end.ndjson');
    expect((await replay(input, 'window-default', {})).incidents).toHaveLength(1);
    expect((await replay(input, 'window-1m', { DRIFTWATCH_WINDOW: '1m' })).incidents).toEqual([]);
  });

  it('DRIFTWATCH_ALLOWED_LATENESS bounds how far behind an event may come and still be on time', async () => {
    // Newest 10:01:00, then one dated 10:00:15 (45 s behind). Late = older than watermark − lateness =
    // newest − 2 × lateness: 10:00:00 by default (on time), 10:00:40 with 10 s (late).
    const index = (id: string, at: string) => JSON.stringify({
      type: 'index', eventId: id, occurredAt: `2026-11-27T${at}.000Z`, env: 'dev', artifact: 'a', op: 'read', instance: id,
      servedDigest: 'sha256:d', latencyMs: 1, status: 'ok',
    });
    const input = join(tmp, 'late.ndjson');
    writeFileSync(input, [index('l1', '10:00:00'), index('l2', '10:01:00'), index('l3', '10:00:15')].join('\n') + '\n');
    expect((await replay(input, 'lateness-default', {})).stdout).toContain('3 events, 0 duplicates, 0 late');
    expect((await replay(input, 'lateness-10s', { DRIFTWATCH_ALLOWED_LATENESS: '10s' })).stdout).toContain('2 events, 0 duplicates, 1 late');
  });
});
