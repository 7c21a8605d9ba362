/**
 * A LiveRunner in the test's own process, on a deployment's topics: for the
 * tests that inject a failure through a wrapped kafkajs client, which an
 * engine process (`driftwatch run`) could not be handed.
 */
import type { Kafka } from 'kafkajs';
import { LiveRunner } from '../../../engine/live/live-runner.js';
import { loadConfig } from '../../../config/env-config.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { silentLogger, type Logger } from '../../../lib/logger.js';
export { capturingLogger } from '../../helpers/capturing-logger.js';
import type { LiveDeployment } from './live-env.js';

export interface InProcessRunnerOptions {
  logger?: Logger;
  /** Variables on top of the deployment's (e.g. DRIFTWATCH_COMMIT_INTERVAL). */
  env?: Record<string, string>;
  stuckConsumerMs?: number;
}

export function inProcessRunner(d: LiveDeployment, kafka: Kafka, instanceId: string, options: InProcessRunnerOptions = {}): LiveRunner {
  const config = loadConfig({ ...d.env, DRIFTWATCH_INSTANCE_ID: instanceId, ...options.env });
  return new LiveRunner({
    kafka,
    config,
    alerts: defaultAlertsConfig(),
    logger: options.logger ?? silentLogger,
    writer: null,
    changelogTopic: d.topics.changelog,
    instanceId,
    commitIntervalMs: config.live.commitIntervalMs,
    idleTimeoutMs: config.live.idleTimeoutMs,
    stuckConsumerMs: options.stuckConsumerMs,
  });
}
