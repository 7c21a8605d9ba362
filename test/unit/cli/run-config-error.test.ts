/**
 * `driftwatch run` refusing its configuration (a bad variable, a bad alerts
 * file): its log is what a supervisor collects, so the refusal is there once
 * at error level, with its code and the option it names — not only at debug
 * level, invisible at the default LOG_LEVEL — beside the one plain line on
 * stderr. No broker is dialled: configuration is checked first.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-run-config-'));
const badAlerts = join(dir, 'alerts.yaml');
writeFileSync(badAlerts, 'rules:\n  mttr_breach:\n    threshold: soon\n');

describe('driftwatch run with a configuration error', () => {
  it.each([
    ['a bad variable', { DRIFTWATCH_ALLOWED_LATENESS: 'bogus' }, 'DRIFTWATCH_ALLOWED_LATENESS: expected a duration'],
    ['a bad alerts file', { DRIFTWATCH_ALERTS_FILE: badAlerts }, `DRIFTWATCH_ALERTS_FILE: ${badAlerts}: rules.mttr_breach.threshold: `],
  ])('%s: one plain line on stderr, one error-level log record naming the option (exit 2)', async (_what, env, names) => {
    const r = await runCli(['run'], { KAFKA_BROKERS: '127.0.0.1:1', DRIFTWATCH_METRICS_PORT: '0', ...env });
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(`driftwatch run: ${names}`)).toBe(true);
    expect(r.stderr.trimEnd().split('\n').filter((l) => l.startsWith('driftwatch run: '))).toHaveLength(1);
    const records = r.log.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; err?: { code?: string } });
    const errors = records.filter((l) => l.level >= 50);
    expect(errors).toEqual([expect.objectContaining({ level: 50, msg: expect.stringContaining(names), err: expect.objectContaining({ code: 'DW_CONFIG_INVALID' }) })]);
  });

  it('a replay (no supervisor reads its log) keeps its configuration error out of the log at the default level', async () => {
    const r = await runCli(['replay', 'in.ndjson', '--out', join(dir, 'never')], { DRIFTWATCH_ALLOWED_LATENESS: 'bogus' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^driftwatch replay: DRIFTWATCH_ALLOWED_LATENESS: /);
    expect(r.log).toBe('');
  });
});
