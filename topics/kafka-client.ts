/**
 * The kafkajs client every driftwatch component uses: configured from
 * `config.kafka` (brokers, client id, TLS and SASL), logging through pino
 * (kafkajs' own console logger would bypass our levels, redaction and
 * correlation ids).
 */
// kafkajs is CommonJS: Node sees only some of its exports as named ESM exports, so values come from the default export.
import kafkajs, { type Kafka, type KafkaConfig, type LogEntry, type logCreator } from 'kafkajs';
import type { KafkaSecurity } from '../config/kafka-security.js';
import { causeChain, ConfigError, KafkaError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { kafkajsLogMethod } from './kafkajs-log-level.js';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** `config.kafka.security`; required, so no client is made without it (`{ ssl: null, sasl: null }`: plaintext, no login). */
  security: KafkaSecurity;
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
    // kafkajs' broker pool logs a non-retriable connect failure (a refused SASL login) with the Error itself as the
    // message: pino wrote it as an object in `msg` ({"name":…,"retriable":false}), its text lost. Its text and name.
    const error = message as unknown;
    if (error instanceof Error) {
      child[kafkajsLogMethod({ ...entry, log: { ...entry.log, message: error.message } })]({ namespace: entry.namespace, error: error.name, ...fields }, error.message);
      return;
    }
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
    ...kafkajsSecurity(options.security),
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    retry: { retries: options.retries ?? 5 },
    logLevel: kafkaLevelFor(options.logger),
    logCreator: pinoLogCreator(options.logger),
  });
}

/** kafkajs' `ssl` and `sasl` options; neither key at all for the default (plaintext, no login). */
export function kafkajsSecurity(security: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  const { ssl, sasl } = security;
  if (ssl !== null) out.ssl = { rejectUnauthorized: ssl.rejectUnauthorized, ...(ssl.ca === null ? {} : { ca: [ssl.ca] }) };
  if (sasl !== null) out.sasl = { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as KafkaConfig['sasl'];
  return out;
}

/** kafkajs' own errors (KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded…), by their names. */
export function isKafkaJsError(err: unknown): boolean {
  return err instanceof Error && err.name.startsWith('KafkaJS');
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
  const chain = causeChain(err);
  const type = chain[0]?.type;
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return 'the broker answered, but a topic is missing: run `driftwatch topics create`, or check DRIFTWATCH_TOPIC_PROMOTION, _HYDRATION, _INDEX, _ALERTS, _DLQ';
  }
  if (isSaslAuthenticationFailure(err)) {
    return 'the broker refused the SASL login: check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM';
  }
  const tls = chain.find((e) => typeof e.code === 'string' && TLS_CERTIFICATE_CODES.test(e.code));
  if (tls) return `the broker's TLS certificate was refused (${String(tls.code)}): set KAFKA_SSL_CA_FILE to the CA that signed it`;
  return 'is the broker reachable, and does its listener expect the TLS (KAFKA_SSL) and SASL (KAFKA_SASL_MECHANISM) set here?';
}

/** Node's codes for a certificate the TLS handshake refused (untrusted, expired, for another host). */
const TLS_CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/;

/** A broker refused the SASL login (kafkajs' KafkaJSSASLAuthenticationError), however kafkajs or driftwatch wrapped it. */
export function isSaslAuthenticationFailure(err: unknown): boolean {
  return causeChain(err).some((e) => e.name === 'KafkaJSSASLAuthenticationError');
}

/**
 * A broker refused an operation to this login: an ACL denies the topic, the
 * group, the transactional id or the cluster (a `*_AUTHORIZATION_FAILED`
 * protocol error); the refused resource's error type, or undefined.
 */
export function kafkaAuthorizationFailure(err: unknown): string | undefined {
  const denied = causeChain(err).find((e) => typeof e.type === 'string' && e.type.endsWith('_AUTHORIZATION_FAILED'));
  return denied?.type as string | undefined;
}
