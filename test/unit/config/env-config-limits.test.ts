import { describe, it, expect } from 'vitest';
import { configOptions, configReference, loadConfig, MAX_EVENT_TIME_MS, MAX_RETENTION_MS, MAX_TIMER_MS, unknownDriftwatchVariables } from '../../../config/env-config.js';
import { ConfigError } from '../../../lib/errors.js';
import { LOG_LEVELS } from '../../../lib/logger.js';
import { configErrorOf } from '../../helpers/config-error.js';

const errorFor = (env: Record<string, string>): ConfigError => configErrorOf(() => loadConfig(env));

/** 320 nines: parses to Infinity. */
const HUGE = `${'9'.repeat(320)}d`;
const timerOptions = ['DRIFTWATCH_STORE_FLUSH_INTERVAL', 'DRIFTWATCH_COMMIT_INTERVAL', 'DRIFTWATCH_IDLE_TIMEOUT', 'DRIFTWATCH_LAG_INTERVAL', 'CLICKHOUSE_REQUEST_TIMEOUT'];
const eventTimeOptions = ['DRIFTWATCH_ALLOWED_LATENESS', 'DRIFTWATCH_CONVERGENCE_GRACE', 'DRIFTWATCH_SOURCE_TTL', 'DRIFTWATCH_WINDOW', 'DRIFTWATCH_DEDUP_HORIZON', 'DRIFTWATCH_MAX_FUTURE_SKEW'];
const retentionOptions = ['DRIFTWATCH_RETENTION_INPUT', 'DRIFTWATCH_RETENTION_ALERTS', 'DRIFTWATCH_RETENTION_DLQ', 'DRIFTWATCH_TIER_WARM_AFTER', 'DRIFTWATCH_TIER_COLD_AFTER'];

describe('duration limits', () => {
  it('caps timer durations at the longest delay setTimeout takes', () => {
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
    expect(errorFor({ DRIFTWATCH_STORE_FLUSH_INTERVAL: '30d' }).message).toBe(
      'DRIFTWATCH_STORE_FLUSH_INTERVAL: expected a duration from 1ms to 2147483647ms (the longest timer Node.js supports, about 24.8 days), got "30d"',
    );
  });

  it.each(timerOptions)('%s: accepts 2147483647ms, rejects one more, 30d and Infinity, naming the variable', (name) => {
    const c = loadConfig({ [name]: '2147483647ms' });
    expect([c.store.flushIntervalMs, c.live.commitIntervalMs, c.live.idleTimeoutMs, c.live.lagIntervalMs, c.clickhouse.requestTimeoutMs]).toContain(MAX_TIMER_MS);
    for (const value of ['2147483648ms', '25d', '30d', HUGE]) {
      const err = errorFor({ [name]: value });
      expect(err.option).toBe(name);
      expect(err.message).toMatch(new RegExp(`^${name}: expected a duration from 1ms to 2147483647ms `));
    }
  });

  it.each(eventTimeOptions)('%s: accepts 365d, rejects 366d, 1e23 days and Infinity, naming the variable and the range', (name) => {
    const c = loadConfig({ [name]: '365d' });
    expect(Object.values(c.processing)).toContain(MAX_EVENT_TIME_MS);
    for (const value of ['366d', '8761h', '99999999999999999999999d', HUGE]) {
      const err = errorFor({ [name]: value });
      expect(err.code).toBe('DW_CONFIG_INVALID');
      expect(err.option).toBe(name);
      expect(err.message).toMatch(new RegExp(`^${name}: expected a duration from [01]ms to 365d( \\(or off\\))?, got "${value}"$`));
    }
  });

  it('DRIFTWATCH_MAX_FUTURE_SKEW=off lifts the bound (Infinity); its error says off is a value', () => {
    for (const off of ['off', 'OFF', ' off ']) expect(loadConfig({ DRIFTWATCH_MAX_FUTURE_SKEW: off }).processing.maxFutureSkewMs).toBe(Number.POSITIVE_INFINITY);
    expect(errorFor({ DRIFTWATCH_MAX_FUTURE_SKEW: '400d' }).message).toBe('DRIFTWATCH_MAX_FUTURE_SKEW: expected a duration from 0ms to 365d (or off), got "400d"');
    expect(errorFor({ DRIFTWATCH_MAX_FUTURE_SKEW: 'of' }).option).toBe('DRIFTWATCH_MAX_FUTURE_SKEW');
  });

  it('names DRIFTWATCH_WINDOW, not an internal field, for a window that overflows', () => {
    for (const value of ['99999999999999999999999d', HUGE]) {
      const err = errorFor({ DRIFTWATCH_WINDOW: value });
      expect(err.option).toBe('DRIFTWATCH_WINDOW');
      expect(err.message).not.toContain('windowMs');
    }
  });

  it('rejects an infinite convergence grace (it would hide every rogue version)', () => {
    expect(errorFor({ DRIFTWATCH_CONVERGENCE_GRACE: HUGE }).message).toMatch(/^DRIFTWATCH_CONVERGENCE_GRACE: expected a duration from 0ms to 365d, got "9+d"$/);
  });

  it('keeps zero allowed where it was (lateness, grace, dedup horizon)', () => {
    const c = loadConfig({ DRIFTWATCH_ALLOWED_LATENESS: '0s', DRIFTWATCH_CONVERGENCE_GRACE: '0ms', DRIFTWATCH_DEDUP_HORIZON: '0m' });
    expect(c.processing).toMatchObject({ allowedLatenessMs: 0, convergenceGraceMs: 0, dedupHorizonMs: 0 });
  });

  it.each(retentionOptions)('%s: long values stay legal, but must be finite', (name) => {
    // With tiering on, so the tier ages are used (and cold stays later than warm).
    const tiered = (value: string) =>
      JSON.stringify(loadConfig({ DRIFTWATCH_STORAGE_POLICY: 'tiered', DRIFTWATCH_TIER_WARM_AFTER: '1d', DRIFTWATCH_TIER_COLD_AFTER: '104249991d', [name]: value }));
    expect(tiered('3650d')).toContain(`:${3650 * 86_400_000}`);
    // The largest accepted value (the warm age cannot reach it: cold must be later, and cold is capped the same).
    if (name !== 'DRIFTWATCH_TIER_WARM_AFTER') expect(tiered('104249991d')).toContain(`:${MAX_RETENTION_MS}`);
    expect(Number.isSafeInteger(MAX_RETENTION_MS)).toBe(true);
    for (const value of [`${MAX_RETENTION_MS / 86_400_000 + 1}d`, '99999999999999999999999d', HUGE]) {
      const err = errorFor({ [name]: value });
      expect(err.option).toBe(name);
      expect(err.message).toMatch(new RegExp(`^${name}: expected a duration from 1ms to 104249991d `));
    }
  });

  it('DRIFTWATCH_METRICS_STORE_INTERVAL: 15s by default, 0 turns it off, a bad value is named', () => {
    expect(loadConfig({}).metricsStoreIntervalMs).toBe(15_000);
    expect(loadConfig({ DRIFTWATCH_METRICS_STORE_INTERVAL: '1m' }).metricsStoreIntervalMs).toBe(60_000);
    expect(loadConfig({ DRIFTWATCH_METRICS_STORE_INTERVAL: '0s' }).metricsStoreIntervalMs).toBe(0);
    expect(loadConfig({ DRIFTWATCH_METRICS_STORE_INTERVAL: '0' }).metricsStoreIntervalMs).toBe(0); // as the doc writes it
    for (const value of ['often', '-5s', '30d']) {
      const err = errorFor({ DRIFTWATCH_METRICS_STORE_INTERVAL: value });
      expect(err.option).toBe('DRIFTWATCH_METRICS_STORE_INTERVAL');
      expect(err.message).toMatch(/^DRIFTWATCH_METRICS_STORE_INTERVAL: expected a duration /);
    }
    expect(configReference().find((r) => r.env === 'DRIFTWATCH_METRICS_STORE_INTERVAL')!.doc).toContain('At most 2147483647ms');
  });

  it('still says what a duration looks like for text that is not one', () => {
    expect(errorFor({ DRIFTWATCH_COMMIT_INTERVAL: 'Infinity' }).message).toBe(
      'DRIFTWATCH_COMMIT_INTERVAL: expected a duration such as 30s, 5m or 1h (units ms, s, m, h, d), got "Infinity"',
    );
  });

  it('documents every limit it enforces', () => {
    const ref = configReference();
    for (const name of [...timerOptions]) expect(ref.find((r) => r.env === name)!.doc).toContain('At most 2147483647ms');
    for (const name of [...eventTimeOptions]) expect(ref.find((r) => r.env === name)!.doc).toContain('At most 365d');
  });
});

describe('LOG_LEVEL', () => {
  it('defaults to info, also when set empty', () => {
    expect(loadConfig({}).logLevel).toBe('info');
    expect(loadConfig({ LOG_LEVEL: '' }).logLevel).toBe('info');
    // Only whitespace is refused like for every option (env-config.ts isBlank), not taken for empty.
    expect(() => loadConfig({ LOG_LEVEL: '   ' })).toThrow(/^LOG_LEVEL: is only whitespace/);
    expect(configOptions.logLevel.default).toBe('info');
  });

  it.each(LOG_LEVELS)('accepts %s, trimmed and in any case', (level) => {
    expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
    expect(loadConfig({ LOG_LEVEL: ` ${level.toUpperCase()} ` }).logLevel).toBe(level);
  });

  it('rejects other values naming LOG_LEVEL and the allowed levels', () => {
    for (const value of ['verbose', 'warning', 'info,debug', '30']) {
      const err = errorFor({ LOG_LEVEL: value });
      expect(err.option).toBe('LOG_LEVEL');
      expect(err.message).toBe(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
    }
  });

  it('is a documented option, and not mistaken for a DRIFTWATCH_* typo', () => {
    const row = configReference().find((r) => r.env === 'LOG_LEVEL');
    expect(row).toMatchObject({ default: 'info' });
    for (const level of LOG_LEVELS) expect(row!.doc).toContain(level);
    expect(unknownDriftwatchVariables({ LOG_LEVEL: 'debug', DRIFTWATCH_LOG_LEVEL: 'debug' })).toEqual(['DRIFTWATCH_LOG_LEVEL']);
  });
});

describe('topic sizes (DRIFTWATCH_PARTITIONS, DRIFTWATCH_REPLICATION)', () => {
  // Kafka's CreateTopics request carries the partition count as an int32 and the replication factor as an int16:
  // past those, `topics create` failed as a runtime error (exit 1) with Node's `The value of "value" is out of range`.
  it('accepts the largest values the Kafka protocol carries', () => {
    const c = loadConfig({ DRIFTWATCH_PARTITIONS: '2147483647', DRIFTWATCH_REPLICATION: '32767' });
    expect([c.kafka.partitions, c.kafka.replication]).toEqual([2_147_483_647, 32_767]);
  });

  it('rejects one more, naming the variable and the limit, and documents it', () => {
    expect(errorFor({ DRIFTWATCH_PARTITIONS: '2147483648' }).message).toBe(
      'DRIFTWATCH_PARTITIONS: expected a whole number from 1 to 2147483647 (the most a Kafka topic can have), got "2147483648"',
    );
    expect(errorFor({ DRIFTWATCH_REPLICATION: '40000' }).message).toBe(
      'DRIFTWATCH_REPLICATION: expected a whole number from 1 to 32767 (the most a Kafka topic can have), got "40000"',
    );
    const ref = configReference();
    expect(ref.find((r) => r.env === 'DRIFTWATCH_PARTITIONS')!.doc).toContain('At most 2147483647');
    expect(ref.find((r) => r.env === 'DRIFTWATCH_REPLICATION')!.doc).toContain('At most 32767');
  });
});
