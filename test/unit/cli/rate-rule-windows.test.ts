/**
 * A rate rule's `window` must be a whole number of aggregation windows (DRIFTWATCH_WINDOW, 5m): the rule judges, at
 * each window's close, the closed windows that ended within `window`. With `window: 2m` a breach that never ends
 * fired at each close and resolved 2 min later as "no longer measured" (its only window had left the span), then
 * fired again: 6 pages in 30 min of a steady 20 % gate failure rate, each saying "in the last 2m" of 5 minutes' runs.
 * With 7m it judged 10 min, then 5 min, alternately. Refused at start-up, with the file, the entry and both values.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-rate-windows-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const replay = (env: Record<string, string>, args: string[] = []) => runCli(['replay', 'in.ndjson', '--out', '/tmp/never', ...args], env);

describe('a rate rule window that is not a whole number of DRIFTWATCH_WINDOW windows', () => {
  it('shorter than one window, from DRIFTWATCH_ALERTS_FILE or --alerts', async () => {
    const path = file('short.yaml', 'rules:\n  gate_failure_rate_high:\n    window: 2m\n');
    const message = `${path}: rules.gate_failure_rate_high.window: expected a whole number of DRIFTWATCH_WINDOW windows (5m), got 2m`;
    const viaEnv = await replay({ DRIFTWATCH_ALERTS_FILE: path });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr.startsWith(`driftwatch replay: DRIFTWATCH_ALERTS_FILE: ${message}`)).toBe(true);
    const viaFlag = await replay({}, ['--alerts', path]);
    expect(viaFlag.code).toBe(2);
    expect(viaFlag.stderr.startsWith(`driftwatch replay: --alerts: ${message}`)).toBe(true);
  });

  it('not a multiple; the built-in defaults against another DRIFTWATCH_WINDOW name that variable', async () => {
    const path = file('seven.yaml', 'rules:\n  promotion_duration_high:\n    window: 7m\n');
    const seven = await replay({ DRIFTWATCH_ALERTS_FILE: path });
    expect(seven.stderr).toMatch(/^driftwatch replay: DRIFTWATCH_ALERTS_FILE: .*seven\.yaml: rules\.promotion_duration_high\.window: expected a whole number of DRIFTWATCH_WINDOW windows \(5m\), got 7m/);
    // The defaults' first rate rule (promotion_success_rate_low, 1h) is not a whole number of 7m windows.
    const defaults = await replay({ DRIFTWATCH_WINDOW: '7m' });
    expect(defaults.code).toBe(2);
    expect(defaults.stderr).toMatch(/^driftwatch replay: DRIFTWATCH_WINDOW: alerts\.yaml \(built-in defaults\): rules\.promotion_success_rate_low\.window: expected a whole number of DRIFTWATCH_WINDOW windows \(7m\), got 1h/);
  });

  it('the built-in defaults against a longer DRIFTWATCH_WINDOW: index_error_rate_high (5m), and what to change', async () => {
    // 15m windows are a sensible choice that the built-in index rule (window 5m) cannot judge: the error says what to do.
    const r = await replay({ DRIFTWATCH_WINDOW: '15m' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^driftwatch replay: DRIFTWATCH_WINDOW: alerts\.yaml \(built-in defaults\): rules\.index_error_rate_high\.window: expected a whole number of DRIFTWATCH_WINDOW windows \(15m\), got 5m/);
    expect(r.stderr).toContain('with the built-in rules DRIFTWATCH_WINDOW must divide 5m; for longer windows give an alerts file (DRIFTWATCH_ALERTS_FILE) whose rate rule windows are whole numbers of it');
  });

  it('is accepted as a multiple, or for a rule that is off', async () => {
    const path = file('fine.yaml', 'rules:\n  gate_failure_rate_high:\n    window: 10m\n  index_error_rate_high:\n    enabled: false\n    window: 2m\n');
    // Past the configuration: the replay then fails on its missing input, not on the rules.
    for (const env of [{ DRIFTWATCH_ALERTS_FILE: path }, { DRIFTWATCH_WINDOW: '1m' }]) {
      const r = await replay(env);
      expect(r.stderr).toMatch(/^driftwatch replay: input file in\.ndjson/);
    }
  });
});
