/** The line `driftwatch run` prints once started says where its metrics are, or that there are none. */
import { describe, expect, it } from 'vitest';
import { startedLine } from '../../../cli/commands/run-started-line.js';
import { loadConfig } from '../../../config/env-config.js';

describe('driftwatch run: the started line', () => {
  it('with DRIFTWATCH_METRICS_PORT=0 says the metrics server is disabled, not "metrics on :0"', () => {
    const config = loadConfig({ DRIFTWATCH_METRICS_PORT: '0', DRIFTWATCH_INSTANCE_ID: 'a', DRIFTWATCH_GROUP_ID: 'g' });
    const line = startedLine(config, null);
    expect(line).toBe('driftwatch run: instance a in group g; metrics server disabled (DRIFTWATCH_METRICS_PORT=0): no /metrics, /healthz or /readyz\n');
    expect(line).not.toMatch(/:0\b/);
  });

  it('with a port, gives the endpoint the server bound', () => {
    const config = loadConfig({ DRIFTWATCH_INSTANCE_ID: 'a' });
    expect(startedLine(config, 'http://127.0.0.1:9464')).toBe(
      'driftwatch run: instance a in group driftwatch; metrics at http://127.0.0.1:9464/metrics (health: /healthz, /readyz)\n',
    );
  });
});
