/** The line `driftwatch run` prints on stdout once it has started (its logs go to stderr). */
import type { DriftwatchConfig } from '../../config/env-config.js';

/**
 * Says where the metrics endpoint listens, or that there is none: with DRIFTWATCH_METRICS_PORT=0 (disabled) the
 * line used to read "metrics on :0", an address nothing listens on — and no /healthz or /readyz for probes either.
 */
export function startedLine(config: Pick<DriftwatchConfig, 'live' | 'kafka'>, metricsUrl: string | null): string {
  const metrics = metricsUrl
    ? `metrics at ${metricsUrl}/metrics (health: /healthz, /readyz)`
    : 'metrics server disabled (DRIFTWATCH_METRICS_PORT=0): no /metrics, /healthz or /readyz';
  return `driftwatch run: instance ${config.live.instanceId} in group ${config.kafka.groupId}; ${metrics}\n`;
}
