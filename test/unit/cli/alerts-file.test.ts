import { describe, it, expect } from 'vitest';
import { runCli } from './run-cli.js';

describe('an unreadable alerts file is reported under the option that named it', () => {
  it('DRIFTWATCH_ALERTS_FILE', async () => {
    const r = await runCli(['replay', 'in.ndjson', '--out', '/tmp/never'], { DRIFTWATCH_ALERTS_FILE: '/nonexistent/alerts.yaml' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^driftwatch replay: DRIFTWATCH_ALERTS_FILE: \/nonexistent\/alerts\.yaml: cannot read the alerts file \(ENOENT/);
  });

  it('--alerts, even when DRIFTWATCH_ALERTS_FILE names the same path', async () => {
    const path = '/nonexistent/alerts.yaml';
    const r = await runCli(['replay', 'in.ndjson', '--out', '/tmp/never', '--alerts', path], { DRIFTWATCH_ALERTS_FILE: path });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^driftwatch replay: --alerts: \/nonexistent\/alerts\.yaml: cannot read the alerts file/);
  });
});
