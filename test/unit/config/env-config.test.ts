import { describe, it, expect } from 'vitest';
import { configReference, describeConfig, loadConfig, unknownDriftwatchVariables } from '../../../config/env-config.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { ConfigError } from '../../../lib/errors.js';
import { configErrorOf } from '../../helpers/config-error.js';

const errorFor = (env: Record<string, string>): ConfigError => configErrorOf(() => loadConfig(env));

describe('loadConfig', () => {
  it('gives the documented defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.processing).toEqual(defaultProcessingOptions);
    expect(c).toMatchObject({
      dataDir: '.data',
      alertsFile: null,
      logLevel: 'info',
      kafka: {
        brokers: [],
        clientId: 'driftwatch',
        groupId: 'driftwatch',
        topics: {
          promotion: 'driftwatch.promotion.v1',
          hydration: 'driftwatch.hydration.v1',
          index: 'driftwatch.index.v1',
          alerts: 'driftwatch.alerts.v1',
          dlq: 'driftwatch.dlq.v1',
        },
        partitions: 6,
        replication: 1,
      },
      clickhouse: { url: null, user: 'default', password: '', database: 'driftwatch' },
      schemaRegistryUrl: null,
      alertFormat: 'json',
      store: { batchRows: 25000, flushIntervalMs: 1000 },
      metricsPort: 9464,
      live: { lagIntervalMs: 15_000 },
    });
  });

  it('treats empty variables as unset', () => {
    const c = loadConfig({ DRIFTWATCH_ALLOWED_LATENESS: '', KAFKA_BROKERS: '', DRIFTWATCH_GROUP_ID: '', DRIFTWATCH_VOLUME_COLD: '', CLICKHOUSE_USER: '' });
    expect(c.processing.allowedLatenessMs).toBe(30_000);
    expect(c.kafka).toMatchObject({ brokers: [], groupId: 'driftwatch' });
    expect(c.clickhouse.user).toBe('default');
  });

  it.each([
    ['DRIFTWATCH_GROUP_ID', ' '],
    ['KAFKA_BROKERS', '  '],
    ['CLICKHOUSE_USER', '\t'],
    ['DRIFTWATCH_VOLUME_COLD', ' '],
  ])('refuses %s set to only whitespace rather than falling back to the default', (name, value) => {
    const err = errorFor({ [name]: value });
    expect(err.option).toBe(name);
    expect(err.message).toMatch(new RegExp(`^${name}: is only whitespace`));
  });

  it('says a blank secret is blank without showing it', () => {
    expect(errorFor({ CLICKHOUSE_PASSWORD: '  ' }).message).toMatch(/^CLICKHOUSE_PASSWORD: is only whitespace/);
  });

  it.each([',', ' , ,'])('refuses KAFKA_BROKERS=%j, a list with no broker in it', (value) => {
    const err = errorFor({ KAFKA_BROKERS: value });
    expect(err.option).toBe('KAFKA_BROKERS');
    expect(err.message).toContain('at least one host:port');
  });

  it('lets a list carry an empty item beside real ones (a trailing comma)', () => {
    expect(loadConfig({ KAFKA_BROKERS: 'kafka-1:9092,' }).kafka.brokers).toEqual(['kafka-1:9092']);
  });

  it('parses the values it is given', () => {
    const c = loadConfig({
      DRIFTWATCH_DATA_DIR: '/var/lib/driftwatch',
      DRIFTWATCH_ALLOWED_LATENESS: '1500ms',
      DRIFTWATCH_CONVERGENCE_GRACE: '2m',
      DRIFTWATCH_SOURCE_TTL: '1h',
      DRIFTWATCH_MAX_SOURCES_PER_KEY: '500',
      DRIFTWATCH_WINDOW: '1m',
      DRIFTWATCH_DEDUP_HORIZON: '1d',
      DRIFTWATCH_DEDUP_MAX_ENTRIES: '250_000',
      DRIFTWATCH_MAX_FUTURE_SKEW: '90s',
      DRIFTWATCH_ALERTS_FILE: './alerts.yaml',
      LOG_LEVEL: 'DEBUG',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9093,[::1]:9094',
      DRIFTWATCH_TOPIC_ALERTS: 'team.alerts',
      DRIFTWATCH_PARTITIONS: '12',
      CLICKHOUSE_URL: 'https://ch.internal:8443',
      CLICKHOUSE_PASSWORD: 's3cret',
      SCHEMA_REGISTRY_URL: 'http://registry:8081',
      DRIFTWATCH_ALERT_FORMAT: 'avro',
      DRIFTWATCH_STORE_FLUSH_INTERVAL: '250ms',
      DRIFTWATCH_METRICS_PORT: '0',
    });
    expect(c.processing).toEqual({
      allowedLatenessMs: 1500,
      convergenceGraceMs: 120_000,
      sourceTtlMs: 3_600_000,
      maxSourcesPerKey: 500,
      windowMs: 60_000,
      dedupHorizonMs: 86_400_000,
      dedupMaxEntries: 250_000,
      maxFutureSkewMs: 90_000,
    });
    expect(c.dataDir).toBe('/var/lib/driftwatch');
    expect(c.alertsFile).toBe('./alerts.yaml');
    expect(c.logLevel).toBe('debug');
    expect(c.kafka.brokers).toEqual(['kafka-1:9092', 'kafka-2:9093', '[::1]:9094']);
    expect(c.kafka.topics.alerts).toBe('team.alerts');
    expect(c.kafka.partitions).toBe(12);
    expect(c.clickhouse).toMatchObject({ url: 'https://ch.internal:8443', password: 's3cret' });
    expect(c.alertFormat).toBe('avro');
    expect(c.store.flushIntervalMs).toBe(250);
    expect(c.metricsPort).toBe(0);
  });

  it.each([
    ['DRIFTWATCH_ALLOWED_LATENESS', 'abc', 'DRIFTWATCH_ALLOWED_LATENESS: expected a duration such as 30s, 5m or 1h (units ms, s, m, h, d), got "abc"'],
    ['DRIFTWATCH_WINDOW', '300', 'DRIFTWATCH_WINDOW: expected a duration such as 30s, 5m or 1h (units ms, s, m, h, d), got "300"'],
    ['DRIFTWATCH_WINDOW', '0s', 'DRIFTWATCH_WINDOW: expected a duration above zero such as 30s, 5m or 1h, got "0s"'],
    ['DRIFTWATCH_DEDUP_MAX_ENTRIES', '-5', 'DRIFTWATCH_DEDUP_MAX_ENTRIES: expected a positive whole number such as 5000, got "-5"'],
    ['DRIFTWATCH_MAX_SOURCES_PER_KEY', '0', 'DRIFTWATCH_MAX_SOURCES_PER_KEY: expected a whole number from 1 to 9007199254740991, got "0"'],
    ['DRIFTWATCH_PARTITIONS', '0', 'DRIFTWATCH_PARTITIONS: expected a whole number from 1 to 9007199254740991, got "0"'],
    // Past Number.MAX_SAFE_INTEGER: a number, but out of the range, which the message gives.
    ['DRIFTWATCH_DEDUP_MAX_ENTRIES', '99999999999999999', 'DRIFTWATCH_DEDUP_MAX_ENTRIES: expected a whole number from 1 to 9007199254740991, got "99999999999999999"'],
    ['DRIFTWATCH_STORE_BATCH_ROWS', '9_007_199_254_740_992', 'DRIFTWATCH_STORE_BATCH_ROWS: expected a whole number from 1 to 9007199254740991, got "9_007_199_254_740_992"'],
    ['DRIFTWATCH_STORE_BATCH_ROWS', '1e3', 'DRIFTWATCH_STORE_BATCH_ROWS: expected a positive whole number such as 5000, got "1e3"'],
    ['DRIFTWATCH_METRICS_PORT', '70000', 'DRIFTWATCH_METRICS_PORT: expected a TCP port from 0 to 65535 (0 = disabled), got "70000"'],
    ['DRIFTWATCH_SESSION_TIMEOUT', '5s', 'DRIFTWATCH_SESSION_TIMEOUT: expected a duration from 6s to 30m (the broker refuses a session timeout outside its group.min/max.session.timeout.ms), got "5s"'],
    ['DRIFTWATCH_SESSION_TIMEOUT', '31m', 'DRIFTWATCH_SESSION_TIMEOUT: expected a duration from 6s to 30m (the broker refuses a session timeout outside its group.min/max.session.timeout.ms), got "31m"'],
    // Past the longest timer as well: still the broker's range, not the timer's (which the doc does not mention).
    ['DRIFTWATCH_SESSION_TIMEOUT', '30d', 'DRIFTWATCH_SESSION_TIMEOUT: expected a duration from 6s to 30m (the broker refuses a session timeout outside its group.min/max.session.timeout.ms), got "30d"'],
    ['DRIFTWATCH_SESSION_TIMEOUT', '0s', 'DRIFTWATCH_SESSION_TIMEOUT: expected a duration from 6s to 30m (the broker refuses a session timeout outside its group.min/max.session.timeout.ms), got "0s"'],
    ['DRIFTWATCH_LAG_INTERVAL', '0s', 'DRIFTWATCH_LAG_INTERVAL: expected a duration above zero such as 30s, 5m or 1h, got "0s"'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "verbose"'],
    ['KAFKA_BROKERS', 'localhost:9092,kafka', 'KAFKA_BROKERS: expected a comma-separated list of host:port such as localhost:9092,kafka-2:9092, got "kafka"'],
    ['KAFKA_BROKERS', 'kafka:0', 'KAFKA_BROKERS: expected a comma-separated list of host:port such as localhost:9092,kafka-2:9092, got "kafka:0"'],
    ['DRIFTWATCH_TOPIC_DLQ', 'my topic', 'DRIFTWATCH_TOPIC_DLQ: expected a Kafka topic name (letters, digits, ".", "_", "-"; at most 249 characters), got "my topic"'],
    ['CLICKHOUSE_URL', 'localhost:8123', 'CLICKHOUSE_URL: expected an http(s) URL such as http://localhost:8123, got "localhost:8123"'],
    ['SCHEMA_REGISTRY_URL', 'not a url', 'SCHEMA_REGISTRY_URL: expected an http(s) URL such as http://localhost:8081/apis/ccompat/v7, got "not a url"'],
    // The scheme forgotten: the credentials are not echoed back to the terminal and the supervisor's log.
    ['CLICKHOUSE_URL', 'bob:s3cret@ch:8123', 'CLICKHOUSE_URL: expected an http(s) URL such as http://localhost:8123, got "[redacted]@ch:8123"'],
    ['SCHEMA_REGISTRY_URL', 'reg:pa55@h:8081', 'SCHEMA_REGISTRY_URL: expected an http(s) URL such as http://localhost:8081/apis/ccompat/v7, got "[redacted]@h:8081"'],
    ['CLICKHOUSE_DATABASE', 'drift-watch', 'CLICKHOUSE_DATABASE: expected a database name (letters, digits and "_", not starting with a digit), got "drift-watch"'],
    ['DRIFTWATCH_ALERT_FORMAT', 'xml', 'DRIFTWATCH_ALERT_FORMAT: expected json or avro, got "xml"'],
  ])('rejects %s=%j naming the variable and what is expected', (name, value, message) => {
    const err = errorFor({ [name]: value });
    expect(err.code).toBe('DW_CONFIG_INVALID');
    expect(err.option).toBe(name);
    expect(err.message).toBe(message);
  });

  it('reports every bad variable at once', () => {
    const err = errorFor({ DRIFTWATCH_WINDOW: 'soon', DRIFTWATCH_PARTITIONS: 'many' });
    expect(err.option).toBe('DRIFTWATCH_WINDOW');
    expect(err.message).toContain('DRIFTWATCH_WINDOW: expected a duration');
    expect(err.message).toContain('; DRIFTWATCH_PARTITIONS: expected a positive whole number such as 5000, got "many"');
  });

  it('requires a schema registry for avro alerts', () => {
    expect(errorFor({ DRIFTWATCH_ALERT_FORMAT: 'avro' }).message).toBe(
      'DRIFTWATCH_ALERT_FORMAT: avro needs SCHEMA_REGISTRY_URL to be set; set it, or use json',
    );
  });

  it('never echoes URL credentials in an error', () => {
    const err = errorFor({ CLICKHOUSE_URL: 'ftp://admin:hunter2@ch:21' });
    expect(err.message).not.toContain('hunter2');
  });
});

describe('describeConfig', () => {
  it('redacts the ClickHouse password and credentials in URLs', () => {
    const c = loadConfig({
      CLICKHOUSE_URL: 'https://admin:hunter2@ch.internal:8443',
      CLICKHOUSE_PASSWORD: 's3cret',
      SCHEMA_REGISTRY_URL: 'http://reg:t0ken@registry:8081',
    });
    const shown = describeConfig(c);
    const text = JSON.stringify(shown);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('t0ken');
    expect(shown.clickhouse.password).toBe('[redacted]');
    expect(shown.clickhouse.user).toBe('default');
    expect(shown.kafka).toEqual(c.kafka);
    // the original is untouched
    expect(c.clickhouse.password).toBe('s3cret');
  });

  it('shows an empty password as empty', () => {
    expect(describeConfig(loadConfig({})).clickhouse.password).toBe('');
  });
});

describe('configReference', () => {
  it('documents every option with its default, without secret values', () => {
    const ref = configReference();
    const names = ref.map((r) => r.env);
    for (const name of [
      'DRIFTWATCH_DATA_DIR', 'DRIFTWATCH_ALLOWED_LATENESS', 'DRIFTWATCH_CONVERGENCE_GRACE', 'DRIFTWATCH_SOURCE_TTL',
      'DRIFTWATCH_WINDOW', 'DRIFTWATCH_DEDUP_HORIZON', 'DRIFTWATCH_MAX_FUTURE_SKEW', 'DRIFTWATCH_DEDUP_MAX_ENTRIES', 'DRIFTWATCH_MAX_SOURCES_PER_KEY', 'DRIFTWATCH_ALERTS_FILE', 'LOG_LEVEL',
      'KAFKA_BROKERS', 'KAFKA_CLIENT_ID', 'DRIFTWATCH_GROUP_ID', 'DRIFTWATCH_TOPIC_PROMOTION', 'DRIFTWATCH_TOPIC_HYDRATION',
      'DRIFTWATCH_TOPIC_INDEX', 'DRIFTWATCH_TOPIC_ALERTS', 'DRIFTWATCH_TOPIC_DLQ', 'DRIFTWATCH_PARTITIONS', 'DRIFTWATCH_REPLICATION',
      'CLICKHOUSE_URL', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD', 'CLICKHOUSE_DATABASE', 'SCHEMA_REGISTRY_URL',
      'DRIFTWATCH_ALERT_FORMAT', 'DRIFTWATCH_STORE_BATCH_ROWS', 'DRIFTWATCH_STORE_FLUSH_INTERVAL', 'DRIFTWATCH_METRICS_PORT',
    ]) {
      expect(names).toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
    for (const r of ref) expect(r.doc.length).toBeGreaterThan(5);
    expect(ref.find((r) => r.env === 'DRIFTWATCH_ALLOWED_LATENESS')!.default).toBe('30s');
    expect(ref.find((r) => r.env === 'CLICKHOUSE_PASSWORD')!.default).toBe('');
  });

  it('flags DRIFTWATCH_* variables that match no option (typos)', () => {
    expect(unknownDriftwatchVariables({ DRIFTWATCH_ALOWED_LATENESS: '1m', DRIFTWATCH_WINDOW: '5m', HOME: '/root' })).toEqual([
      'DRIFTWATCH_ALOWED_LATENESS',
    ]);
  });
});
