/**
 * A live runner's /readyz served as `driftwatch run` serves it (liveReadiness
 * on the metrics server), for tests that ask it what it says.
 */
import { MetricsRegistry } from '../../engine/metrics/metrics-registry.js';
import { startMetricsServer } from '../../engine/metrics/metrics-server.js';
import { liveReadiness } from '../../engine/live/readiness.js';
import type { LiveRunner } from '../../engine/live/live-runner.js';

export interface ReadyzOfRunner {
  /** GET /readyz: [status, body]. */
  readyz(): Promise<readonly [number, string]>;
  close(): Promise<void>;
}

export async function serveReadyz(runner: LiveRunner): Promise<ReadyzOfRunner> {
  const server = await startMetricsServer({ registry: new MetricsRegistry(), port: 0, host: '127.0.0.1', isReady: () => liveReadiness(runner, 'joining the group / restoring state') });
  return {
    async readyz() {
      const res = await fetch(`${server.url}/readyz`);
      return [res.status, await res.text()] as const;
    },
    close: () => server.close(),
  };
}
