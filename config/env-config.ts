/**
 * Configuration from environment variables (SPEC §7), validated once at
 * start-up. Every option is one row of `configOptions`: variable name,
 * documented default, and a parser whose error says what is expected. An
 * empty variable counts as unset (compose files often pass `VAR=`).
 *
 * `loadConfig` checks every variable and reports all the bad ones in one
 * ConfigError (named after the first), so a broken deployment is fixed in one go.
 */
import { hostname } from 'node:os';
import type { LevelWithSilent } from 'pino';
import { ConfigError } from '../lib/errors.js';
import { LOG_LEVELS, redactUrl } from '../lib/logger.js';
import { DAY, parseDuration } from '../lib/time.js';
import type { ProcessingOptions } from './processing-options.js';

/**
 * Longest delay setTimeout/setInterval take: 2^31 − 1 ms (about 24.8 days).
 * Node turns a longer one into 1 ms (TimeoutOverflowWarning), so a huge
 * interval would silently become a busy loop.
 */
export const MAX_TIMER_MS = 2_147_483_647;
/**
 * Longest event-time duration (lateness, grace, window, source TTL, dedup
 * horizon): 365 days. These hold watermarks back or keep state alive in
 * event time; beyond a year they only pin memory, and an unbounded value
 * (1e23 ms, Infinity) breaks window arithmetic and the store's DateTime64
 * columns. A larger value is a unit slip, never a setting.
 */
export const MAX_EVENT_TIME_MS = 365 * DAY;
/**
 * Longest retention / tiering age: Number.MAX_SAFE_INTEGER ms rounded down to
 * whole days (104249991d, about 285,000 years). These may legitimately be very long
 * (retention.ms, TTL ages), but must stay finite whole numbers of ms: they are
 * written as integers into Kafka topic configs and SQL intervals.
 */
export const MAX_RETENTION_MS = Math.floor(Number.MAX_SAFE_INTEGER / DAY) * DAY;

/** Parsers throw an Error whose message says what was expected; loadConfig prefixes the variable name. */
const bad = (expected: string, text: string): Error => new Error(`expected ${expected}, got "${text}"`);

const durationHint = 'a duration such as 30s, 5m or 1h (units ms, s, m, h, d)';

/** `ms` as the shortest exact duration text the parser reads back (365d, 2147483647ms). */
function durationText(ms: number): string {
  for (const [unit, size] of [['d', DAY], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * A duration parser accepting min..max ms (min 0, or "above zero" with
 * `positive`); the error names the allowed range. Infinity (e.g. 320 nines)
 * and anything past `max` are rejected, never clamped.
 */
function durationIn(max: number, positive: boolean, why?: string): (text: string) => number {
  return (text: string): number => {
    const raw = parseDuration(text);
    if (Number.isNaN(raw)) throw bad(durationHint, text);
    const ms = Math.round(raw);
    if (positive && ms <= 0) throw bad('a duration above zero such as 30s, 5m or 1h', text);
    if (!(ms <= max)) throw bad(`a duration from ${positive ? '1ms' : '0ms'} to ${durationText(max)}${why ? ` (${why})` : ''}`, text);
    return ms;
  };
}

function positiveInteger(text: string): number {
  const t = text.trim();
  if (!/^\d[\d_]*$/.test(t)) throw bad('a positive whole number such as 5000', text);
  const n = Number(t.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < 1) throw bad('a positive whole number such as 5000', text);
  return n;
}

function httpUrl(text: string): string | null {
  const t = text.trim();
  if (t === '') return null;
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    throw bad('an http(s) URL such as http://localhost:8123', redactUrl(t));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('an http(s) URL such as http://localhost:8123', redactUrl(t));
  return t;
}

const p = {
  text: (text: string): string => text,
  nonEmpty: (text: string): string => {
    if (text.trim() === '') throw bad('a non-empty value', text);
    return text.trim();
  },
  /** Event-time durations that may be zero (lateness, grace, dedup horizon). */
  eventDuration: durationIn(MAX_EVENT_TIME_MS, false),
  /** Event-time durations above zero (window, source TTL). */
  positiveEventDuration: durationIn(MAX_EVENT_TIME_MS, true),
  /** Durations used as (or like) timer delays: capped at what setTimeout takes. */
  timerDuration: durationIn(MAX_TIMER_MS, true, 'the longest timer Node.js supports, about 24.8 days'),
  /** Retention and tiering ages: long is fine, but finite whole milliseconds. */
  retentionDuration: durationIn(MAX_RETENTION_MS, true, 'about 285,000 years: long is fine, endless is not'),
  positiveInteger,
  port: (text: string): number => {
    const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
    if (!(n >= 0 && n <= 65535)) throw bad('a TCP port from 0 to 65535 (0 = disabled)', text);
    return n;
  },
  /** The levels the logger takes (lib/logger.ts LOG_LEVELS), trimmed, any case. */
  logLevel: (text: string): LevelWithSilent => {
    const t = text.trim().toLowerCase();
    if (!LOG_LEVELS.includes(t)) throw bad(`one of ${LOG_LEVELS.join(', ')}`, text);
    return t as LevelWithSilent;
  },
  brokers: (text: string): string[] => {
    const list = text.split(',').map((b) => b.trim()).filter((b) => b !== '');
    for (const b of list) {
      const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(b);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw bad('a comma-separated list of host:port such as localhost:9092,kafka-2:9092', b);
    }
    return list;
  },
  topic: (text: string): string => {
    const t = text.trim();
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(t) || t === '.' || t === '..') {
      throw bad('a Kafka topic name (letters, digits, ".", "_", "-"; at most 249 characters)', text);
    }
    return t;
  },
  internalTopic: (text: string): string => {
    const t = p.topic(text);
    if (!t.startsWith('driftwatch.internal.')) throw bad('a topic name starting with "driftwatch.internal." (internal topics carry that prefix)', text);
    return t;
  },
  identifier: (text: string): string => {
    const t = text.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) throw bad('a database name (letters, digits and "_", not starting with a digit)', text);
    return t;
  },
  httpUrl,
  /** Storage policy / volume names end up in SQL string literals: only characters that need no escaping. */
  storageName: (text: string): string => {
    const t = text.trim();
    if (!/^[A-Za-z0-9_.-]+$/.test(t)) throw bad('a storage policy or volume name (letters, digits, "_", "-", ".")', text);
    return t;
  },
  alertFormat: (text: string): 'json' | 'avro' => {
    const t = text.trim().toLowerCase();
    if (t !== 'json' && t !== 'avro') throw bad('json or avro', text);
    return t;
  },
};

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
  windowMs: option({ env: 'DRIFTWATCH_WINDOW', default: '5m', doc: 'Tumbling window size for drift, promotion and determinism windows (epoch-aligned). At most 365d.', parse: p.positiveEventDuration }),
  dedupHorizonMs: option({ env: 'DRIFTWATCH_DEDUP_HORIZON', default: '1h', doc: 'How far back in event time duplicate eventIds are remembered. At most 365d.', parse: p.eventDuration }),
  dedupMaxEntries: option({ env: 'DRIFTWATCH_DEDUP_MAX_ENTRIES', default: '1000000', doc: 'Upper bound on remembered eventIds (oldest evicted first, counted).', parse: p.positiveInteger }),
  alertsFile: option({ env: 'DRIFTWATCH_ALERTS_FILE', default: '', doc: 'Path of alerts.yaml; empty = built-in default rules.', parse: p.text }),
  logLevel: option({ env: 'LOG_LEVEL', default: 'info', doc: 'pino log level: fatal, error, warn, info, debug, trace or silent.', parse: p.logLevel }),
  kafkaBrokers: option({ env: 'KAFKA_BROKERS', default: '', doc: 'Comma-separated host:port list; empty = no Kafka (embedded/offline modes).', parse: p.brokers }),
  kafkaClientId: option({ env: 'KAFKA_CLIENT_ID', default: 'driftwatch', doc: 'Kafka client id.', parse: p.nonEmpty }),
  groupId: option({ env: 'DRIFTWATCH_GROUP_ID', default: 'driftwatch', doc: 'Consumer group id of `driftwatch run`.', parse: p.nonEmpty }),
  topicPromotion: option({ env: 'DRIFTWATCH_TOPIC_PROMOTION', default: 'driftwatch.promotion.v1', doc: 'Promotion events topic (input).', parse: p.topic }),
  topicHydration: option({ env: 'DRIFTWATCH_TOPIC_HYDRATION', default: 'driftwatch.hydration.v1', doc: 'Hydration events topic (input).', parse: p.topic }),
  topicIndex: option({ env: 'DRIFTWATCH_TOPIC_INDEX', default: 'driftwatch.index.v1', doc: 'Index operation events topic (input).', parse: p.topic }),
  topicAlerts: option({ env: 'DRIFTWATCH_TOPIC_ALERTS', default: 'driftwatch.alerts.v1', doc: 'Alert events topic (output).', parse: p.topic }),
  topicDlq: option({ env: 'DRIFTWATCH_TOPIC_DLQ', default: 'driftwatch.dlq.v1', doc: 'Dead-letter topic for records that fail decoding or validation.', parse: p.topic }),
  topicStateChangelog: option({ env: 'DRIFTWATCH_TOPIC_STATE_CHANGELOG', default: 'driftwatch.internal.state-changelog', doc: 'Compacted changelog of the keyed processor state (internal; must start with "driftwatch.internal.").', parse: p.internalTopic }),
  partitions: option({ env: 'DRIFTWATCH_PARTITIONS', default: '6', doc: 'Partition count of the (co-partitioned) topics created by `topics create`.', parse: p.positiveInteger }),
  replication: option({ env: 'DRIFTWATCH_REPLICATION', default: '1', doc: 'Replication factor of topics created by `topics create`.', parse: p.positiveInteger }),
  retentionInputMs: option({ env: 'DRIFTWATCH_RETENTION_INPUT', default: '7d', doc: 'retention.ms of the input topics created by `topics create` (how far back a replay from Kafka can go).', parse: p.retentionDuration }),
  retentionAlertsMs: option({ env: 'DRIFTWATCH_RETENTION_ALERTS', default: '7d', doc: 'retention.ms of the alerts topic (alerts are events: delete policy, not compacted).', parse: p.retentionDuration }),
  retentionDlqMs: option({ env: 'DRIFTWATCH_RETENTION_DLQ', default: '14d', doc: 'retention.ms of the dead-letter topic (long enough to inspect and re-drive rejected records).', parse: p.retentionDuration }),
  clickhouseUrl: option({ env: 'CLICKHOUSE_URL', default: '', doc: 'ClickHouse HTTP(S) URL; empty = embedded chDB under DRIFTWATCH_DATA_DIR.', parse: p.httpUrl }),
  clickhouseUser: option({ env: 'CLICKHOUSE_USER', default: 'default', doc: 'ClickHouse user.', parse: p.nonEmpty }),
  clickhousePassword: option({ env: 'CLICKHOUSE_PASSWORD', default: '', doc: 'ClickHouse password (secret: never logged).', secret: true, parse: p.text }),
  clickhouseDatabase: option({ env: 'CLICKHOUSE_DATABASE', default: 'driftwatch', doc: 'ClickHouse database.', parse: p.identifier }),
  clickhouseTlsCaFile: option({ env: 'CLICKHOUSE_TLS_CA_FILE', default: '', doc: 'PEM file of the CA that signed the ClickHouse server certificate (https:// CLICKHOUSE_URL only); empty = the system CAs.', parse: p.text }),
  clickhouseRequestTimeoutMs: option({ env: 'CLICKHOUSE_REQUEST_TIMEOUT', default: '30s', doc: 'Timeout of one request to the ClickHouse server (a timed-out insert is retried). At most 2147483647ms (about 24.8 days).', parse: p.timerDuration }),
  storagePolicy: option({ env: 'DRIFTWATCH_STORAGE_POLICY', default: '', doc: 'Server storage policy for hot/warm/cold tiering, applied by `sql migrate`; empty = plain TTL DELETE, no tiering (sql/README.md).', parse: (t: string) => (t.trim() === '' ? null : p.storageName(t)) }),
  volumeWarm: option({ env: 'DRIFTWATCH_VOLUME_WARM', default: 'warm', doc: 'Volume of DRIFTWATCH_STORAGE_POLICY that receives data older than DRIFTWATCH_TIER_WARM_AFTER.', parse: p.storageName }),
  volumeCold: option({ env: 'DRIFTWATCH_VOLUME_COLD', default: 'cold', doc: 'Volume of DRIFTWATCH_STORAGE_POLICY that receives data older than DRIFTWATCH_TIER_COLD_AFTER, until deleted.', parse: p.storageName }),
  tierWarmAfterMs: option({ env: 'DRIFTWATCH_TIER_WARM_AFTER', default: '7d', doc: 'Age at which rows move from the hot to the warm volume (with DRIFTWATCH_STORAGE_POLICY).', parse: p.retentionDuration }),
  tierColdAfterMs: option({ env: 'DRIFTWATCH_TIER_COLD_AFTER', default: '30d', doc: 'Age at which rows move from the warm to the cold volume (with DRIFTWATCH_STORAGE_POLICY).', parse: p.retentionDuration }),
  schemaRegistryUrl: option({ env: 'SCHEMA_REGISTRY_URL', default: '', doc: 'Confluent-compatible Schema Registry URL; empty = JSON only.', parse: p.httpUrl }),
  alertFormat: option({ env: 'DRIFTWATCH_ALERT_FORMAT', default: 'json', doc: 'Encoding of alert events: json or avro (avro needs SCHEMA_REGISTRY_URL).', parse: p.alertFormat }),
  storeBatchRows: option({ env: 'DRIFTWATCH_STORE_BATCH_ROWS', default: '5000', doc: 'Rows per store insert batch.', parse: p.positiveInteger }),
  storeFlushIntervalMs: option({ env: 'DRIFTWATCH_STORE_FLUSH_INTERVAL', default: '1s', doc: 'Longest a partial store batch waits before it is written. At most 2147483647ms (about 24.8 days).', parse: p.timerDuration }),
  metricsPort: option({ env: 'DRIFTWATCH_METRICS_PORT', default: '9464', doc: 'Port of the Prometheus /metrics endpoint; 0 = disabled.', parse: p.port }),
  instanceId: option({ env: 'DRIFTWATCH_INSTANCE_ID', default: '', doc: 'Stable id of this engine instance; empty = the host name. Its transactional id derives from it, so a restarted instance fences its crashed predecessor. Distinct per instance of a group.', parse: (t: string) => t.trim() || hostname() }),
  idleTimeoutMs: option({ env: 'DRIFTWATCH_IDLE_TIMEOUT', default: '10s', doc: 'Live mode: a partition without records for this long stops holding the watermark back; when all are idle, event time moves on at wall-clock speed. At most 2147483647ms (about 24.8 days).', parse: p.timerDuration }),
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
  alertFormat: 'json' | 'avro';
  store: { batchRows: number; flushIntervalMs: number };
  /** 0 = no metrics endpoint. */
  metricsPort: number;
  live: { instanceId: string; idleTimeoutMs: number; commitIntervalMs: number; dedupIdsPerKey: number };
}

/** Reads and validates every option; throws one ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DriftwatchConfig {
  const values: Record<string, unknown> = {};
  const problems: Array<{ env: string; message: string }> = [];
  for (const [name, spec] of Object.entries(configOptions) as Array<[string, OptionSpec<unknown>]>) {
    const given = env[spec.env];
    const text = given === undefined || given.trim() === '' ? spec.default : given;
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
  if (problems.length === 0 && v.clickhouseTlsCaFile.trim() !== '' && !(v.clickhouseUrl ?? '').startsWith('https:')) {
    problems.push({ env: 'CLICKHOUSE_TLS_CA_FILE', message: 'is only used with an https:// CLICKHOUSE_URL; set CLICKHOUSE_URL to https://…, or unset CLICKHOUSE_TLS_CA_FILE' });
  }
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
      windowMs: v.windowMs,
      dedupHorizonMs: v.dedupHorizonMs,
      dedupMaxEntries: v.dedupMaxEntries,
    },
    alertsFile: v.alertsFile === '' ? null : v.alertsFile,
    logLevel: v.logLevel,
    kafka: {
      brokers: v.kafkaBrokers,
      clientId: v.kafkaClientId,
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
    alertFormat: v.alertFormat,
    store: { batchRows: v.storeBatchRows, flushIntervalMs: v.storeFlushIntervalMs },
    metricsPort: v.metricsPort,
    live: { instanceId: v.instanceId, idleTimeoutMs: v.idleTimeoutMs, commitIntervalMs: v.commitIntervalMs, dedupIdsPerKey: v.dedupIdsPerKey },
  };
}

/** The configuration as it may be logged or shown: secrets and URL credentials redacted. */
export function describeConfig(config: DriftwatchConfig): DriftwatchConfig {
  return {
    ...config,
    clickhouse: {
      ...config.clickhouse,
      url: config.clickhouse.url === null ? null : redactUrl(config.clickhouse.url),
      password: config.clickhouse.password === '' ? '' : '[redacted]',
    },
    schemaRegistryUrl: config.schemaRegistryUrl === null ? null : redactUrl(config.schemaRegistryUrl),
  };
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
