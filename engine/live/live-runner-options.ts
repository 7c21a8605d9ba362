/** What `driftwatch run` (start-live.ts) and the tests hand the live runner (live-runner.ts). */
import type { Kafka } from 'kafkajs';
import type { DriftwatchConfig } from '../../config/env-config.js';
import type { AlertsConfig } from '../../config/alert-rules.js';
import type { Logger } from '../../lib/logger.js';
import type { StoreWriter } from '../../store/store-writer.js';
import type { Fact } from '../../processors/facts.js';
import type { Decoder } from '../../processors/decode.js';
import type { AlertEncoder } from '../../schemas/registry/alert-encoder.js';
import type { LiveMetrics } from './live-metrics.js';
import type { LiveAudit } from './live-audit.js';

export interface LiveRunnerOptions {
  kafka: Kafka;
  config: DriftwatchConfig;
  alerts: AlertsConfig;
  logger: Logger;
  writer: StoreWriter | null;
  changelogTopic: string;
  /** Stable per instance: the transactional id derives from it, so a restarted instance fences its crashed predecessor. */
  instanceId: string;
  commitIntervalMs?: number;
  idleTimeoutMs?: number;
  metrics?: LiveMetrics;
  /** This instance's own audit records: readiness, backpressure, rebalances, refused logins (live-audit.ts). */
  audit?: LiveAudit;
  /** Decoder of input records; default JSON (the schema-registry decoder when SCHEMA_REGISTRY_URL is set). */
  decoder?: Decoder;
  /** Encoder of alert values; default JSON (Avro with DRIFTWATCH_ALERT_FORMAT=avro). */
  alertEncoder?: AlertEncoder;
  /** Every fact the engine derives, in order (the demo tallies them). */
  onFact?: (fact: Fact) => void;
  /** Wall clock, injectable for tests. */
  now?: () => number;
  /** How long a consumer may stay stopped without a crash report or a rejoin before it is replaced (stuck-consumer.ts). */
  stuckConsumerMs?: number;
}
