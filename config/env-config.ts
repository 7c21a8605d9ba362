/**
 * Configuration from environment variables (SPEC §7), validated once at
 * start-up. Every option is one row of `configOptions`: variable name,
 * documented default, and a parser whose error says what is expected. An
 * empty variable counts as unset (compose files often pass `VAR=`); one of
 * only whitespace is an error (isBlank).
 *
 * `loadConfig` checks every variable and reports all the bad ones in one
 * ConfigError (named after the first), so a broken deployment is fixed in one go.
 */
import { ConfigError } from '../lib/errors.js';
import { redactUrl } from '../lib/logger.js';
import type { ProcessingOptions } from './processing-options.js';
import { describeKafkaSecurity, kafkaSecurityFrom, type KafkaSecurity } from './kafka-security.js';
import { readCaFile } from './ca-file.js';

import { MAX_EVENT_TIME_MS, MAX_RETENTION_MS, MAX_TIMER_MS, p } from './option-parsers.js';

export { MAX_EVENT_TIME_MS, MAX_RETENTION_MS, MAX_TIMER_MS };

export interface OptionSpec<T> {
  env: string;
  default: string;
  doc: string;
  /** Never logged or shown: `describeConfig` redacts it. */
  secret?: boolean;
  parse: (text: string) => T;
}

const option = <T>(spec: OptionSpec<T>): OptionSpec<T> => spec;

export const configOptions = {
  dataDir: option({ env: 'DRIFTWATCH_DATA_DIR', default: '.data', doc: 'Directory for local state and the embedded store (chDB).', parse: p.nonEmpty }),
  allowedLatenessMs: option({ env: 'DRIFTWATCH_ALLOWED_LATENESS', default: '30s', doc: 'Watermark = max event time seen minus this; events older than the watermark by more than this are late. At most 365d.', parse: p.eventDuration }),
  convergenceGraceMs: option({ env: 'DRIFTWATCH_CONVERGENCE_GRACE', default: '120s', doc: 'How long the previous (or a failed promotion\'s) digest stays acceptable after desired state changes. At most 365d.', parse: p.eventDuration }),
  sourceTtlMs: option({ env: 'DRIFTWATCH_SOURCE_TTL', default: '15m', doc: 'A hydration/index source silent for longer than this is forgotten. At most 365d.', parse: p.positiveEventDuration }),
  maxSourcesPerKey: option({ env: 'DRIFTWATCH_MAX_SOURCES_PER_KEY', default: '10000', doc: 'Most hydration/index sources one key (env and artifact) keeps within DRIFTWATCH_SOURCE_TTL, and a drift window counts: past it a new source takes the place of one serving an acceptable digest (counted: driftwatch_sources_dropped_total), so one producer inventing replica names cannot grow memory without bound, and whether the key is drifted is still what its sources say.', parse: p.positiveInteger }),
  windowMs: option({ env: 'DRIFTWATCH_WINDOW', default: '5m', doc: 'Tumbling window size for drift, promotion and determinism windows (epoch-aligned). At most 365d. The windows of the rate rules in alerts.yaml must be whole numbers of it (checked at start-up): with the built-in rules it divides 5m (the window of index_error_rate_high), e.g. 1m; a longer one (10m, 15m) needs an alerts file with longer rate rule windows.', parse: p.positiveEventDuration }),
  dedupHorizonMs: option({ env: 'DRIFTWATCH_DEDUP_HORIZON', default: '1h', doc: 'How far back in event time duplicate eventIds are remembered (behind the event-time frontier, the slowest partition\'s). At most 365d.', parse: p.eventDuration }),
  maxFutureSkewMs: option({ env: 'DRIFTWATCH_MAX_FUTURE_SKEW', default: '5m', doc: 'An event whose occurredAt is further than this ahead of the instance\'s clock is dead-lettered (a broken producer clock or a corrupted timestamp would otherwise move the watermark ahead and make every later event late); while it is on, an event dated ahead by less is processed at its occurredAt but moves the watermark no further than the clock. At most 365d, or off: no bound (a replay of a file dated ahead of today\'s clock, e.g. synthetic test data).', parse: p.eventDurationOrOff }),
  dedupMaxEntries: option({ env: 'DRIFTWATCH_DEDUP_MAX_ENTRIES', default: '1000000', doc: 'Upper bound on remembered eventIds (oldest evicted first, counted); each keeps its event time and a 32-bit digest of its event (to tell a retry from another event under the id), not the event.', parse: p.positiveInteger }),
  alertsFile: option({ env: 'DRIFTWATCH_ALERTS_FILE', default: '', doc: 'Path of alerts.yaml; empty = built-in default rules.', parse: p.text }),
  logLevel: option({ env: 'LOG_LEVEL', default: 'info', doc: 'pino log level: fatal, error, warn, info, debug, trace or silent.', parse: p.logLevel }),
  kafkaBrokers: option({ env: 'KAFKA_BROKERS', default: '', doc: 'Comma-separated host:port list; empty = no Kafka (embedded/offline modes).', parse: p.brokers }),
  kafkaSsl: option({ env: 'KAFKA_SSL', default: 'false', doc: 'true: every Kafka client (run, demo, topics create, the Kafka benchmark) connects to the brokers over TLS.', parse: p.boolean }),
  kafkaSslCaFile: option({ env: 'KAFKA_SSL_CA_FILE', default: '', doc: 'PEM file of the CA that signed the broker certificates (KAFKA_SSL=true only), read at start-up; empty = the system CAs.', parse: p.text }),
  kafkaSslRejectUnauthorized: option({ env: 'KAFKA_SSL_REJECT_UNAUTHORIZED', default: 'true', doc: 'KAFKA_SSL=true only: false accepts a broker certificate no trusted CA signed or that names another host (logged as a warning: the connection can be intercepted).', parse: p.boolean }),
  kafkaSaslMechanism: option({ env: 'KAFKA_SASL_MECHANISM', default: '', doc: 'SASL login to the brokers: plain, scram-sha-256 or scram-sha-512, with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD; empty = none. plain sends the password as it is: use it with KAFKA_SSL=true.', parse: p.saslMechanism }),
  kafkaSaslUsername: option({ env: 'KAFKA_SASL_USERNAME', default: '', doc: 'SASL user (required with KAFKA_SASL_MECHANISM).', parse: p.text }),
  kafkaSaslPassword: option({ env: 'KAFKA_SASL_PASSWORD', default: '', doc: 'SASL password (required with KAFKA_SASL_MECHANISM; secret: never logged).', secret: true, parse: p.text }),
  kafkaClientId: option({ env: 'KAFKA_CLIENT_ID', default: 'driftwatch', doc: 'Kafka client id.', parse: p.nonEmpty }),
  groupId: option({ env: 'DRIFTWATCH_GROUP_ID', default: 'driftwatch', doc: 'Consumer group id of `driftwatch run`.', parse: p.nonEmpty }),
  topicPromotion: option({ env: 'DRIFTWATCH_TOPIC_PROMOTION', default: 'driftwatch.promotion.v1', doc: 'Promotion events topic (input).', parse: p.topic }),
  topicHydration: option({ env: 'DRIFTWATCH_TOPIC_HYDRATION', default: 'driftwatch.hydration.v1', doc: 'Hydration events topic (input).', parse: p.topic }),
  topicIndex: option({ env: 'DRIFTWATCH_TOPIC_INDEX', default: 'driftwatch.index.v1', doc: 'Index operation events topic (input).', parse: p.topic }),
  topicAlerts: option({ env: 'DRIFTWATCH_TOPIC_ALERTS', default: 'driftwatch.alerts.v1', doc: 'Alert events topic (output).', parse: p.topic }),
  topicDlq: option({ env: 'DRIFTWATCH_TOPIC_DLQ', default: 'driftwatch.dlq.v1', doc: 'Dead-letter topic for records that fail decoding or validation.', parse: p.topic }),
  topicStateChangelog: option({ env: 'DRIFTWATCH_TOPIC_STATE_CHANGELOG', default: 'driftwatch.internal.state-changelog', doc: 'Compacted changelog of the keyed processor state (internal; must start with "driftwatch.internal.").', parse: p.internalTopic }),
  partitions: option({ env: 'DRIFTWATCH_PARTITIONS', default: '6', doc: 'Partition count of the (co-partitioned) topics created by `topics create`. At most 2147483647.', parse: p.partitionCount }),
  replication: option({ env: 'DRIFTWATCH_REPLICATION', default: '1', doc: 'Replication factor of topics created by `topics create`. At most 32767.', parse: p.replicationFactor }),
  retentionInputMs: option({ env: 'DRIFTWATCH_RETENTION_INPUT', default: '7d', doc: 'retention.ms of the input topics created by `topics create` (how far back a replay from Kafka can go).', parse: p.retentionDuration }),
  retentionAlertsMs: option({ env: 'DRIFTWATCH_RETENTION_ALERTS', default: '7d', doc: 'retention.ms of the alerts topic (alerts are events: delete policy, not compacted).', parse: p.retentionDuration }),
  retentionDlqMs: option({ env: 'DRIFTWATCH_RETENTION_DLQ', default: '14d', doc: 'retention.ms of the dead-letter topic (long enough to inspect and re-drive rejected records).', parse: p.retentionDuration }),
  clickhouseUrl: option({ env: 'CLICKHOUSE_URL', default: '', doc: 'ClickHouse HTTP(S) URL; empty = embedded chDB under DRIFTWATCH_DATA_DIR. A user:password in it (percent-encoded) is used instead of CLICKHOUSE_USER / CLICKHOUSE_PASSWORD.', parse: p.httpUrl }),
  clickhouseUser: option({ env: 'CLICKHOUSE_USER', default: 'default', doc: 'ClickHouse user.', parse: p.nonEmpty }),
  clickhousePassword: option({ env: 'CLICKHOUSE_PASSWORD', default: '', doc: 'ClickHouse password (secret: never logged).', secret: true, parse: p.text }),
  clickhouseDatabase: option({ env: 'CLICKHOUSE_DATABASE', default: 'driftwatch', doc: 'ClickHouse database; only driftwatch for now: every statement of sql/migrations and the writer name it.', parse: p.schemaDatabase }),
  clickhouseTlsCaFile: option({ env: 'CLICKHOUSE_TLS_CA_FILE', default: '', doc: 'PEM file of the CA that signed the ClickHouse server certificate (https:// CLICKHOUSE_URL only), read at start-up; empty = the system CAs.', parse: p.text }),
  clickhouseRequestTimeoutMs: option({ env: 'CLICKHOUSE_REQUEST_TIMEOUT', default: '30s', doc: 'Timeout of one request to the ClickHouse server (a timed-out insert is retried). At most 2147483647ms (about 24.8 days).', parse: p.timerDuration }),
  storagePolicy: option({ env: 'DRIFTWATCH_STORAGE_POLICY', default: '', doc: 'Server storage policy for hot/warm/cold tiering, applied by `sql migrate`; empty = plain TTL DELETE, no tiering (sql/README.md).', parse: (t: string) => (t.trim() === '' ? null : p.storageName(t)) }),
  volumeWarm: option({ env: 'DRIFTWATCH_VOLUME_WARM', default: 'warm', doc: 'Volume of DRIFTWATCH_STORAGE_POLICY that receives data older than DRIFTWATCH_TIER_WARM_AFTER.', parse: p.storageName }),
  volumeCold: option({ env: 'DRIFTWATCH_VOLUME_COLD', default: 'cold', doc: 'Volume of DRIFTWATCH_STORAGE_POLICY that receives data older than DRIFTWATCH_TIER_COLD_AFTER, until deleted.', parse: p.storageName }),
  tierWarmAfterMs: option({ env: 'DRIFTWATCH_TIER_WARM_AFTER', default: '7d', doc: 'Age at which rows move from the hot to the warm volume (with DRIFTWATCH_STORAGE_POLICY).', parse: p.retentionDuration }),
  tierColdAfterMs: option({ env: 'DRIFTWATCH_TIER_COLD_AFTER', default: '30d', doc: 'Age at which rows move from the warm to the cold volume (with DRIFTWATCH_STORAGE_POLICY).', parse: p.retentionDuration }),
  schemaRegistryUrl: option({ env: 'SCHEMA_REGISTRY_URL', default: '', doc: 'Confluent-compatible Schema Registry URL, its API root (Apicurio: …/apis/ccompat/v7); empty = JSON only. A user:password in it (percent-encoded) is sent as basic auth. No query string or fragment: request paths are appended to it.', parse: p.registryUrl }),
  unknownSchemaTtlMs: option({ env: 'DRIFTWATCH_UNKNOWN_SCHEMA_TTL', default: '60s', doc: 'With SCHEMA_REGISTRY_URL: how long the registry\'s "schema not found" for an id is remembered, so further records with that id are dead-lettered at once with the same reason instead of each asking the registry (a producer on a wrong id); then the id is asked again. Outages and refused credentials are never remembered. At most 10000 ids; 0 = ask for every record. At most 2147483647ms (about 24.8 days).', parse: p.timerDurationOrOff }),
  alertFormat: option({ env: 'DRIFTWATCH_ALERT_FORMAT', default: 'json', doc: 'Encoding of alert events: json or avro (avro needs SCHEMA_REGISTRY_URL).', parse: p.alertFormat }),
  // 25000: in live mode 5000-row batches left the engine waiting on the store for a sixth of a bench:kafka run
  // (25000: +14 % events/s in interleaved runs; 50000 was slower again). A commit and the flush interval cut smaller ones.
  storeBatchRows: option({ env: 'DRIFTWATCH_STORE_BATCH_ROWS', default: '25000', doc: 'Rows per store insert batch of one table (a live commit and the flush interval send what is buffered sooner).', parse: p.positiveInteger }),
  storeFlushIntervalMs: option({ env: 'DRIFTWATCH_STORE_FLUSH_INTERVAL', default: '1s', doc: 'Longest a partial store batch waits before it is written. At most 2147483647ms (about 24.8 days).', parse: p.timerDuration }),
  metricsStoreIntervalMs: option({ env: 'DRIFTWATCH_METRICS_STORE_INTERVAL', default: '15s', doc: 'Live mode: how often the engine writes its own metrics (lag, watermark delay, memory, CPU, store backlog) to the engine_metrics table for the Operational Metrics dashboard; 0 = never. At most 2147483647ms (about 24.8 days).', parse: p.timerDurationOrOff }),
  metricsPort: option({ env: 'DRIFTWATCH_METRICS_PORT', default: '9464', doc: 'Port of the Prometheus /metrics endpoint; 0 = disabled.', parse: p.port }),
  instanceId: option({ env: 'DRIFTWATCH_INSTANCE_ID', default: '', doc: 'Stable id of this engine instance; empty = the host name. Its transactional id derives from it, so a restarted instance fences its crashed predecessor. Distinct per instance of a group: one started beside a running instance with its id refuses to start, and one fenced by it exits 1, both saying so. Letters, digits, ".", "_" and "-" (at most 249): it is also the store\'s instance_id, a metric label and the audit actor.', parse: p.instanceId }),
  idleTimeoutMs: option({ env: 'DRIFTWATCH_IDLE_TIMEOUT', default: '10s', doc: 'Live mode: a partition without records for this long stops holding the watermark back; when all are idle, event time moves on at wall-clock speed. At most 2147483647ms (about 24.8 days).', parse: p.timerDuration }),
  sessionTimeoutMs: option({ env: 'DRIFTWATCH_SESSION_TIMEOUT', default: '30s', doc: 'Live mode: consumer-group session timeout — how long the group waits for a member that stopped without leaving (kill -9, a lost host) before its partitions move to the others; also how long this instance stays ready without an answer from the broker (/readyz). From 6s to 30m.', parse: p.sessionTimeout }),
  lagIntervalMs: option({ env: 'DRIFTWATCH_LAG_INTERVAL', default: '15s', doc: 'Live mode: how often driftwatch_consumer_lag is read from the broker for every owned input partition (end offset minus this instance\'s position; one request per input topic), besides at each assignment. At most 2147483647ms (about 24.8 days).', parse: p.timerDuration }),
  commitIntervalMs: option({ env: 'DRIFTWATCH_COMMIT_INTERVAL', default: '1s', doc: 'Live mode: longest time between transactions (alerts are committed at once). At most 2147483647ms (about 24.8 days).', parse: p.timerDuration }),
  dedupIdsPerKey: option({ env: 'DRIFTWATCH_DEDUP_IDS_PER_KEY', default: '16', doc: 'Live mode: newest eventIds per key kept in the state changelog, so a producer retry is still caught as a duplicate after a restart or a rebalance.', parse: p.positiveInteger }),
};

type Options = typeof configOptions;
export type ConfigValues = { [K in keyof Options]: Options[K] extends OptionSpec<infer T> ? T : never };
export type LogLevel = ConfigValues['logLevel'];

export interface DriftwatchConfig {
  dataDir: string;
  processing: ProcessingOptions;
  /** null = built-in default rules. */
  alertsFile: string | null;
  logLevel: LogLevel;
  kafka: {
    /** Empty = no Kafka. */
    brokers: string[];
    clientId: string;
    /** TLS and SASL of every Kafka client (topics/kafka-client.ts). */
    security: KafkaSecurity;
    groupId: string;
    topics: { promotion: string; hydration: string; index: string; alerts: string; dlq: string };
    /** Internal topics (prefix `driftwatch.internal.`), kept apart from `topics` so code iterating inputs/outputs is unaffected. */
    internalTopics: { stateChangelog: string };
    partitions: number;
    replication: number;
    /** retention.ms of the delete-policy topics created by `topics create`. */
    retention: { inputMs: number; alertsMs: number; dlqMs: number };
  };
  clickhouse: {
    /** null = embedded chDB. */
    url: string | null;
    user: string;
    password: string;
    database: string;
    /** null = the system CAs. */
    tlsCaFile: string | null;
    requestTimeoutMs: number;
  };
  /** null = no tiering (plain TTL DELETE of the migrations). */
  storageTiering: { policy: string; warmVolume: string; coldVolume: string; warmAfterMs: number; coldAfterMs: number } | null;
  schemaRegistryUrl: string | null;
  /** How long a schema id the registry does not know is remembered (0 = not at all). */
  unknownSchemaTtlMs: number;
  alertFormat: 'json' | 'avro';
  store: { batchRows: number; flushIntervalMs: number };
  /** 0 = no metrics endpoint. */
  metricsPort: number;
  /** Live mode: interval of the engine_metrics rows (0 = none). */
  metricsStoreIntervalMs: number;
  live: { instanceId: string; idleTimeoutMs: number; commitIntervalMs: number; sessionTimeoutMs: number; dedupIdsPerKey: number; lagIntervalMs: number };
}

/**
 * The one rule for empty values, for every option: an empty variable (`VAR=`,
 * as compose files pass it) is unset and gets the default; a value of only
 * whitespace is refused. Such a value is a slip (a quoted template that
 * expanded to a space), and falling back to the default would hide it where
 * the default is dangerous: DRIFTWATCH_GROUP_ID=" " would join the production
 * group `driftwatch`.
 */
const isBlank = (given: string | undefined): boolean => given !== undefined && given !== '' && given.trim() === '';

/** Reads and validates every option; throws one ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DriftwatchConfig {
  const values: Record<string, unknown> = {};
  const problems: Array<{ env: string; message: string }> = [];
  for (const [name, spec] of Object.entries(configOptions) as Array<[string, OptionSpec<unknown>]>) {
    const given = env[spec.env];
    if (isBlank(given)) {
      problems.push({ env: spec.env, message: `is only whitespace: give a value, or leave it empty for the default (${spec.default === '' ? 'unset' : spec.default})` });
      continue;
    }
    const text = given === undefined || given === '' ? spec.default : given;
    try {
      values[name] = spec.parse(text);
    } catch (err) {
      const message = spec.secret ? 'has an invalid value (not shown: it is a secret)' : err instanceof Error ? err.message : String(err);
      problems.push({ env: spec.env, message });
    }
  }
  const v = values as ConfigValues;
  if (problems.length === 0 && v.alertFormat === 'avro' && v.schemaRegistryUrl === null) {
    problems.push({ env: 'DRIFTWATCH_ALERT_FORMAT', message: 'avro needs SCHEMA_REGISTRY_URL to be set; set it, or use json' });
  }
  if (problems.length === 0 && v.clickhouseTlsCaFile.trim() !== '') {
    if (!(v.clickhouseUrl ?? '').startsWith('https:')) {
      problems.push({ env: 'CLICKHOUSE_TLS_CA_FILE', message: 'is only used with an https:// CLICKHOUSE_URL; set CLICKHOUSE_URL to https://…, or unset CLICKHOUSE_TLS_CA_FILE' });
    } else readCaFile('CLICKHOUSE_TLS_CA_FILE', v.clickhouseTlsCaFile.trim(), problems); // the transport reads it again when it connects
  }
  const kafkaSecurity = problems.length === 0 ? kafkaSecurityFrom(v) : undefined;
  problems.push(...(kafkaSecurity?.problems ?? []));
  if (problems.length === 0 && v.storagePolicy !== null && !(v.tierWarmAfterMs < v.tierColdAfterMs)) {
    problems.push({ env: 'DRIFTWATCH_TIER_COLD_AFTER', message: `must be later than DRIFTWATCH_TIER_WARM_AFTER (${v.tierWarmAfterMs} ms), got ${v.tierColdAfterMs} ms` });
  }
  if (problems.length > 0) {
    const [first, ...rest] = problems;
    const more = rest.map((q) => `; ${q.env}: ${q.message}`).join('');
    throw new ConfigError(first!.env, first!.message + more);
  }
  return {
    dataDir: v.dataDir,
    processing: {
      allowedLatenessMs: v.allowedLatenessMs,
      convergenceGraceMs: v.convergenceGraceMs,
      sourceTtlMs: v.sourceTtlMs,
      maxSourcesPerKey: v.maxSourcesPerKey,
      windowMs: v.windowMs,
      dedupHorizonMs: v.dedupHorizonMs,
      dedupMaxEntries: v.dedupMaxEntries,
      maxFutureSkewMs: v.maxFutureSkewMs,
    },
    alertsFile: v.alertsFile === '' ? null : v.alertsFile,
    logLevel: v.logLevel,
    kafka: {
      brokers: v.kafkaBrokers,
      clientId: v.kafkaClientId,
      security: kafkaSecurity!.security,
      groupId: v.groupId,
      topics: { promotion: v.topicPromotion, hydration: v.topicHydration, index: v.topicIndex, alerts: v.topicAlerts, dlq: v.topicDlq },
      internalTopics: { stateChangelog: v.topicStateChangelog },
      partitions: v.partitions,
      replication: v.replication,
      retention: { inputMs: v.retentionInputMs, alertsMs: v.retentionAlertsMs, dlqMs: v.retentionDlqMs },
    },
    clickhouse: {
      url: v.clickhouseUrl,
      user: v.clickhouseUser,
      password: v.clickhousePassword,
      database: v.clickhouseDatabase,
      tlsCaFile: v.clickhouseTlsCaFile.trim() === '' ? null : v.clickhouseTlsCaFile.trim(),
      requestTimeoutMs: v.clickhouseRequestTimeoutMs,
    },
    storageTiering:
      v.storagePolicy === null
        ? null
        : { policy: v.storagePolicy, warmVolume: v.volumeWarm, coldVolume: v.volumeCold, warmAfterMs: v.tierWarmAfterMs, coldAfterMs: v.tierColdAfterMs },
    schemaRegistryUrl: v.schemaRegistryUrl,
    unknownSchemaTtlMs: v.unknownSchemaTtlMs,
    alertFormat: v.alertFormat,
    store: { batchRows: v.storeBatchRows, flushIntervalMs: v.storeFlushIntervalMs },
    metricsPort: v.metricsPort,
    metricsStoreIntervalMs: v.metricsStoreIntervalMs,
    live: { instanceId: v.instanceId, idleTimeoutMs: v.idleTimeoutMs, commitIntervalMs: v.commitIntervalMs, sessionTimeoutMs: v.sessionTimeoutMs, dedupIdsPerKey: v.dedupIdsPerKey, lagIntervalMs: v.lagIntervalMs },
  };
}

/** The configuration as it may be logged or shown: secrets and URL credentials redacted. */
export function describeConfig(config: DriftwatchConfig): DriftwatchConfig {
  return {
    ...config,
    kafka: { ...config.kafka, security: describeKafkaSecurity(config.kafka.security) },
    clickhouse: {
      ...config.clickhouse,
      url: config.clickhouse.url === null ? null : redactUrl(config.clickhouse.url),
      password: config.clickhouse.password === '' ? '' : '[redacted]',
    },
    schemaRegistryUrl: config.schemaRegistryUrl === null ? null : redactUrl(config.schemaRegistryUrl),
  };
}

/**
 * The configuration's secret values — the Kafka SASL password, the ClickHouse
 * password, and the passwords in CLICKHOUSE_URL and SCHEMA_REGISTRY_URL —
 * for masking wherever text from outside (an error message) is kept, e.g. in
 * an audit record (engine/live/live-audit.ts). Empty ones are left out.
 */
export function configuredSecrets(config: DriftwatchConfig): string[] {
  const secrets = [config.kafka.security.sasl?.password ?? '', config.clickhouse.password, ...urlPasswords(config.clickhouse.url), ...urlPasswords(config.schemaRegistryUrl)];
  return [...new Set(secrets.filter((x) => x !== ''))];
}

/** The password of a URL's `user:password@`, as typed and percent-decoded (a message may show either); none without one. */
function urlPasswords(url: string | null): string[] {
  if (url === null) return [];
  let raw: string;
  try {
    raw = new URL(url).password;
  } catch {
    return [];
  }
  try {
    return [raw, decodeURIComponent(raw)];
  } catch {
    return [raw]; // a malformed escape: used as typed
  }
}

/** The table of options for the README and `--help`. */
export function configReference(): Array<{ env: string; default: string; doc: string }> {
  return Object.values(configOptions).map((o: OptionSpec<unknown>) => ({ env: o.env, default: o.default, doc: o.doc }));
}

/**
 * DRIFTWATCH_* variables that match no option (typos such as
 * DRIFTWATCH_ALOWED_LATENESS would otherwise be ignored silently); the CLI logs them as warnings.
 */
export function unknownDriftwatchVariables(env: NodeJS.ProcessEnv = process.env): string[] {
  const known = new Set(Object.values(configOptions).map((o: OptionSpec<unknown>) => o.env));
  return Object.keys(env).filter((k) => k.startsWith('DRIFTWATCH_') && !known.has(k)).sort();
}
