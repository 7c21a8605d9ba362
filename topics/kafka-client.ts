/**
 * The kafkajs client every driftwatch component uses: configured from
 * `config.kafka`, logging through pino (kafkajs' own console logger would
 * bypass our levels, redaction and correlation ids).
 */
// kafkajs is CommonJS: Node sees only some of its exports as named ESM exports, so values come from the default export.
import kafkajs, { type Kafka, type LogEntry, type logCreator } from 'kafkajs';
import { ConfigError, KafkaError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { kafkajsLogMethod } from './kafkajs-log-level.js';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** kafkajs connection timeout (ms); its default of 1 s is short for a cold broker. */
  connectionTimeoutMs?: number;
  /** How many times kafkajs retries a failing request before giving up (exponential backoff). */
  retries?: number;
}

const { logLevel: KafkaLogLevel } = kafkajs;
type KafkaLogLevel = kafkajs.logLevel;

/**
 * A kafkajs logCreator that writes to `logger` (child `component: kafkajs`),
 * at the level kafkajsLogMethod gives. `logger` must not bind `component`
 * itself: pino would write the key twice in every line.
 */
export function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () => (entry: LogEntry) => {
    const { message, timestamp: _ignored, logger: _name, ...fields } = entry.log as LogEntry['log'] & { logger?: unknown };
    child[kafkajsLogMethod(entry)]({ namespace: entry.namespace, ...fields }, message);
  };
}

/** kafkajs only logs what its own level lets through; follow pino's level so debug shows protocol detail. */
function kafkaLevelFor(logger: Logger): KafkaLogLevel {
  const level = logger.level;
  if (level === 'debug' || level === 'trace') return KafkaLogLevel.DEBUG;
  if (level === 'silent') return KafkaLogLevel.NOTHING;
  if (level === 'error' || level === 'fatal') return KafkaLogLevel.ERROR;
  if (level === 'warn') return KafkaLogLevel.WARN;
  return KafkaLogLevel.INFO;
}

/** Builds the client; throws ConfigError when no broker is configured (the caller needs Kafka). */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  if (options.brokers.length === 0) {
    throw new ConfigError('KAFKA_BROKERS', 'is empty, but this command needs Kafka; set it to host:port, e.g. KAFKA_BROKERS=127.0.0.1:9092 (deploy/kafka/kafka.sh start runs a local broker)');
  }
  return new kafkajs.Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    retry: { retries: options.retries ?? 5 },
    logLevel: kafkaLevelFor(options.logger),
    logCreator: pinoLogCreator(options.logger),
  });
}

/** Wraps a kafkajs failure as a coded, retryable KafkaError whose message says where it went. */
export function kafkaFailure(action: string, brokers: string[], err: unknown): KafkaError {
  const reason = err instanceof Error ? err.message : String(err);
  return new KafkaError(`${action} failed against KAFKA_BROKERS=${brokers.join(',')}: ${reason} (${hintFor(err)})`, {
    cause: err,
    canRetry: true,
  });
}

/**
 * What to check for a kafkajs failure: a broker that answered "unknown topic"
 * is reachable — the topics are missing (or named otherwise); anything else
 * is most often a broker that cannot be reached.
 */
function hintFor(err: unknown): string {
  const type = typeof err === 'object' && err !== null ? (err as { type?: unknown }).type : undefined;
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return 'the broker answered, but a topic is missing: run `driftwatch topics create`, or check DRIFTWATCH_TOPIC_PROMOTION, _HYDRATION, _INDEX, _ALERTS, _DLQ';
  }
  return 'is the broker reachable?';
}
