/**
 * Live mode's own audit records (engine/live/live-audit.ts): health
 * transitions (`performance`) and authentication/authorization failures
 * (`security`), written as `audit_log` rows through the store writer —
 * a real StoreWriter over an in-memory transport here, so the rows are the
 * ones ClickHouse would get — rate-limited on virtual time, and never
 * holding a secret.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import kafkajs from 'kafkajs';
import { LiveAudit, AUDIT_MIN_INTERVAL_MS, type LiveAuditOptions } from '../../../engine/live/live-audit.js';
import { StoreWriter } from '../../../store/store-writer.js';
import { responseError } from '../../../store/server-errors.js';
import { kafkaFailure } from '../../../topics/kafka-client.js';
import { SchemaRegistryError } from '../../../lib/errors.js';
import { configuredSecrets, loadConfig } from '../../../config/env-config.js';
import type { InsertOptions, StoreTransport } from '../../../store/transport.js';
import { capturingLogger } from '../../helpers/capturing-logger.js';

const NOW = Date.parse('2026-12-06T12:00:00.000Z');
const SASL_PASSWORD = 'kafka-pw-Xq81';
const REGISTRY_PASSWORD = 'reg-pw-77Lm';
const CLICKHOUSE_PASSWORD = 'ch-pw-Zz90';

interface AuditRow {
  at: number;
  category: string;
  action: string;
  env?: string;
  artifact?: string;
  actor?: string;
  subject_id?: string;
  correlation_id?: string;
  details: string;
}

/** Keeps the JSONEachRow rows of every insert, by table. */
class RowsTransport implements StoreTransport {
  readonly kind = 'embedded' as const;
  readonly rows: Array<{ table: string; row: Record<string, unknown> }> = [];
  async command(): Promise<void> {}
  async query<T>(): Promise<T[]> {
    return [];
  }
  async close(): Promise<void> {}
  async insert(table: string, lines: string[] | string | Buffer, _opts?: InsertOptions): Promise<void> {
    const text = Array.isArray(lines) ? lines.join('\n') : lines.toString();
    for (const line of text.split('\n')) if (line !== '') this.rows.push({ table, row: JSON.parse(line) as Record<string, unknown> });
  }
}

interface LogLine {
  level: number;
  msg?: string;
  audit?: Record<string, unknown>;
}

function setup(overrides: Partial<LiveAuditOptions> = {}) {
  const transport = new RowsTransport();
  const writer = new StoreWriter(transport, { flushIntervalMs: 0 });
  const logs: LogLine[] = [];
  const audit = new LiveAudit({
    writer,
    instanceId: 'engine-a',
    runId: 'run-1234',
    groupId: 'driftwatch-engine',
    logger: capturingLogger(logs),
    secrets: [SASL_PASSWORD, REGISTRY_PASSWORD, CLICKHOUSE_PASSWORD],
    ...overrides,
  });
  const rows = async (): Promise<AuditRow[]> => {
    await writer.flush();
    return transport.rows.filter((r) => r.table === 'driftwatch.audit_log').map((r) => r.row as unknown as AuditRow);
  };
  return { audit, writer, transport, rows, logs };
}

const details = (row: AuditRow | undefined) => JSON.parse(row!.details) as Record<string, unknown>;

beforeEach(() => vi.useFakeTimers({ now: NOW }));
afterEach(() => vi.useRealTimers());

describe('health transitions (performance)', () => {
  it('a readiness transition is one audit_log row: category, action, outcome, instance, run id, details', async () => {
    const { audit, rows } = setup();
    audit.readiness(true);
    expect(await rows()).toEqual([
      {
        at: NOW,
        category: 'performance',
        action: 'instance.ready',
        actor: 'engine-a',
        subject_id: 'engine-a',
        correlation_id: 'run-1234',
        details: JSON.stringify({ outcome: 'ok', instanceId: 'engine-a' }),
      },
    ]);
    vi.setSystemTime(NOW + AUDIT_MIN_INTERVAL_MS);
    audit.readiness(false, 'rejoining the group / restoring state');
    const [, notReady] = await rows();
    expect(notReady).toMatchObject({ at: NOW + AUDIT_MIN_INTERVAL_MS, category: 'performance', action: 'instance.not_ready', correlation_id: 'run-1234' });
    expect(details(notReady)).toEqual({ outcome: 'degraded', instanceId: 'engine-a', reason: 'rejoining the group / restoring state' });
  });

  it('a flapping condition is rate-limited: one record, then at the end of the interval the latest state with the count suppressed', async () => {
    const { audit, rows } = setup();
    audit.readiness(true); // recorded at once
    for (let i = 1; i <= 9; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      audit.readiness(i % 2 === 0, 'rejoining the group / restoring state');
    }
    // 9 transitions within the interval: none written yet.
    expect((await rows()).map((r) => r.action)).toEqual(['instance.ready']);
    await vi.advanceTimersByTimeAsync(AUDIT_MIN_INTERVAL_MS - 9000 - 1);
    expect(await rows()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const all = await rows();
    expect(all.map((r) => r.action)).toEqual(['instance.ready', 'instance.not_ready']);
    // The latest transition (the 9th: not ready), at its own time, with the 8 before it that were not written.
    expect(all[1]!.at).toBe(NOW + 9000);
    expect(details(all[1])).toEqual({ outcome: 'degraded', instanceId: 'engine-a', reason: 'rejoining the group / restoring state', suppressed: 8 });
    // Quiet for an interval: the next transition is written at once again.
    vi.setSystemTime(NOW + 3 * AUDIT_MIN_INTERVAL_MS);
    audit.readiness(true);
    expect((await rows()).map((r) => r.action)).toEqual(['instance.ready', 'instance.not_ready', 'instance.ready']);
  });

  it('each kind of transition has its own limit: a flapping readiness does not hide a store outage', async () => {
    const { audit, rows } = setup();
    audit.readiness(true);
    audit.readiness(false, 'x');
    audit.storeOutage({ began: true, table: 'alerts', error: 'ClickHouse at http://ch:8123 (CLICKHOUSE_URL) is unreachable during insert' });
    expect((await rows()).map((r) => r.action)).toEqual(['instance.ready', 'store.outage_began']);
  });

  it('close() writes what the rate limit still held, and nothing is written after it', async () => {
    const { audit, rows } = setup();
    audit.readiness(true);
    audit.readiness(false, 'shutting down');
    audit.close();
    expect((await rows()).map((r) => r.action)).toEqual(['instance.ready', 'instance.not_ready']);
    audit.readiness(true);
    await vi.advanceTimersByTimeAsync(2 * AUDIT_MIN_INTERVAL_MS);
    expect(await rows()).toHaveLength(2);
  });

  it('consumption paused for backpressure and resumed, with the reason', async () => {
    const { audit, rows } = setup();
    audit.consumptionPaused('registry_unavailable', { undecoded: 10_001, storePendingRows: 0 });
    vi.setSystemTime(NOW + AUDIT_MIN_INTERVAL_MS + 5000);
    audit.consumptionResumed('registry_unavailable', AUDIT_MIN_INTERVAL_MS + 5000);
    const [paused, resumed] = await rows();
    expect(paused).toMatchObject({ category: 'performance', action: 'consumption.paused', subject_id: 'engine-a' });
    expect(details(paused)).toEqual({ outcome: 'degraded', instanceId: 'engine-a', reason: 'registry_unavailable', undecoded: 10_001, storePendingRows: 0 });
    expect(resumed).toMatchObject({ category: 'performance', action: 'consumption.resumed' });
    expect(details(resumed)).toEqual({ outcome: 'ok', instanceId: 'engine-a', reason: 'registry_unavailable', pausedMs: AUDIT_MIN_INTERVAL_MS + 5000 });
  });

  it('a store outage begun and ended', async () => {
    const { audit, rows } = setup();
    audit.storeOutage({ began: true, table: 'alerts', error: 'ClickHouse at http://default:redacted@ch:8123/ (CLICKHOUSE_URL) is unreachable' });
    vi.setSystemTime(NOW + 2 * AUDIT_MIN_INTERVAL_MS);
    audit.storeOutage({ began: false, failedForMs: 2 * AUDIT_MIN_INTERVAL_MS, retries: 9 });
    const [began, ended] = await rows();
    expect(began).toMatchObject({ category: 'performance', action: 'store.outage_began', subject_id: 'store' });
    expect(details(began)).toMatchObject({ outcome: 'degraded', table: 'alerts' });
    expect(ended).toMatchObject({ category: 'performance', action: 'store.outage_ended', subject_id: 'store' });
    expect(details(ended)).toEqual({ outcome: 'ok', instanceId: 'engine-a', failedForMs: 2 * AUDIT_MIN_INTERVAL_MS, retries: 9 });
  });

  it('a rebalance records partition counts per topic, and the partition ids only while they are few', async () => {
    const { audit, rows } = setup();
    audit.assigned({ 'driftwatch.promotion.v1': [0, 1], 'driftwatch.hydration.v1': [0, 1] }, 3);
    vi.setSystemTime(NOW + AUDIT_MIN_INTERVAL_MS);
    const many = Array.from({ length: 64 }, (_, p) => p);
    audit.assigned({ 'driftwatch.promotion.v1': many, 'driftwatch.hydration.v1': many, 'driftwatch.index.v1': many }, 4);
    const [small, large] = await rows();
    expect(small).toMatchObject({ category: 'performance', action: 'group.partitions_assigned', subject_id: 'driftwatch-engine' });
    expect(details(small)).toEqual({
      outcome: 'ok',
      instanceId: 'engine-a',
      generation: 3,
      partitions: 4,
      byTopic: { 'driftwatch.promotion.v1': 2, 'driftwatch.hydration.v1': 2 },
      assignment: { 'driftwatch.promotion.v1': [0, 1], 'driftwatch.hydration.v1': [0, 1] },
    });
    expect(details(large)).toEqual({
      outcome: 'ok',
      instanceId: 'engine-a',
      generation: 4,
      partitions: 192,
      byTopic: { 'driftwatch.promotion.v1': 64, 'driftwatch.hydration.v1': 64, 'driftwatch.index.v1': 64 },
    });
  });
});

/** kafkajs's own SASL error, constructed as its authenticators do; here its text even quotes the password. */
function saslFailure(): Error {
  const SaslError = kafkajs.KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
  return new SaslError(`SASL SCRAM SHA512 authentication failed: invalid credentials (password ${SASL_PASSWORD})`);
}

describe('authentication and authorization failures (security)', () => {
  it('a Kafka SASL failure, however wrapped, is a security row without the password', async () => {
    const { audit, rows } = setup();
    const err = kafkaFailure('joining the consumer group', ['b1:9094'], saslFailure());
    expect(audit.authFailure(err)).toBe(true);
    const [row, ...rest] = await rows();
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ category: 'security', action: 'kafka.authentication_failed', actor: 'engine-a', subject_id: 'kafka', correlation_id: 'run-1234' });
    expect(details(row)).toMatchObject({ outcome: 'failure', instanceId: 'engine-a', error: 'KafkaJSSASLAuthenticationError' });
    expect(String(details(row).message)).toMatch(/^SASL SCRAM SHA512 authentication failed/);
    expect(JSON.stringify(row)).not.toContain(SASL_PASSWORD);
  });

  it('a Kafka authorization failure (a *_AUTHORIZATION_FAILED answer) is recorded as one', async () => {
    const { audit, rows } = setup();
    const denied = { type: 'GROUP_AUTHORIZATION_FAILED', code: 30, retriable: false, message: 'Not authorized to access group' };
    const err = new (kafkajs.KafkaJSProtocolError as unknown as new (e: typeof denied) => Error)(denied);
    expect(audit.authFailure(err)).toBe(true);
    const [row] = await rows();
    expect(row).toMatchObject({ category: 'security', action: 'kafka.authorization_failed', subject_id: 'kafka' });
    expect(details(row)).toMatchObject({ outcome: 'failure', type: 'GROUP_AUTHORIZATION_FAILED' });
  });

  it('a schema registry 401 / 403 is a security row with the status, without the credentials of its URL', async () => {
    const { audit, rows } = setup();
    const refused = Object.assign(new Error(`Confluent_Schema_Registry - Unauthorized at https://reg:${REGISTRY_PASSWORD}@registry:8081/schemas/ids/1`), { status: 401 });
    expect(audit.authFailure(new Error('schema id 1: schema registry answered 401', { cause: refused }))).toBe(true);
    vi.setSystemTime(NOW + AUDIT_MIN_INTERVAL_MS);
    const forbidden = Object.assign(new Error('Forbidden'), { status: 403 });
    expect(audit.authFailure(new SchemaRegistryError('could not look up the alert schema', { cause: forbidden }))).toBe(true);
    const [unauthorized, denied] = await rows();
    expect(unauthorized).toMatchObject({ category: 'security', action: 'schema_registry.authentication_failed', subject_id: 'schema-registry' });
    expect(details(unauthorized)).toMatchObject({ outcome: 'failure', status: 401 });
    expect(denied).toMatchObject({ category: 'security', action: 'schema_registry.authorization_failed' });
    expect(details(denied)).toMatchObject({ outcome: 'failure', status: 403 });
    expect(JSON.stringify([unauthorized, denied])).not.toContain(REGISTRY_PASSWORD);
  });

  it('repeated failures of one kind are rate-limited like transitions', async () => {
    const { audit, rows } = setup();
    for (let i = 0; i < 5; i++) audit.authFailure(saslFailure());
    await vi.advanceTimersByTimeAsync(AUDIT_MIN_INTERVAL_MS);
    const all = await rows();
    expect(all.map((r) => r.action)).toEqual(['kafka.authentication_failed', 'kafka.authentication_failed']);
    expect(details(all[1]).suppressed).toBe(3);
  });

  it('a ClickHouse login refusal is logged only (the store that refused it holds audit_log), without the password', async () => {
    const { audit, rows, logs } = setup();
    const body = `Code: 516. DB::Exception: driftwatch: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)`;
    const refused = responseError(401, body, { url: `http://driftwatch:${CLICKHOUSE_PASSWORD}@ch:8123`, user: 'driftwatch', loginInUrl: true, what: 'insert into driftwatch.alerts' });
    expect(audit.authFailure(refused)).toBe(true);
    expect(await rows()).toEqual([]);
    const line = logs.find((l) => l.audit !== undefined)!;
    expect(line.level).toBe(50);
    expect(line.msg).toMatch(/not written to audit_log/);
    expect(line.audit).toMatchObject({ category: 'security', action: 'store.authentication_failed', actor: 'engine-a', subjectId: 'store', correlationId: 'run-1234' });
    expect((line.audit!.details as Record<string, unknown>).outcome).toBe('failure');
    expect(JSON.stringify(logs)).not.toContain(CLICKHOUSE_PASSWORD);
  });

  it('a ClickHouse privilege refusal is logged as an authorization failure', async () => {
    const { audit, rows, logs } = setup();
    const denied = responseError(403, 'Code: 497. DB::Exception: driftwatch: Not enough privileges. (ACCESS_DENIED)', { url: 'http://ch:8123', user: 'driftwatch', what: 'insert into driftwatch.alerts' });
    expect(audit.authFailure(new Error('writing 3 rows failed', { cause: denied }))).toBe(true);
    expect(await rows()).toEqual([]);
    expect(logs.find((l) => l.audit !== undefined)!.audit).toMatchObject({ category: 'security', action: 'store.authorization_failed' });
  });

  it('other failures are no security record', async () => {
    const { audit, rows, logs } = setup();
    const unreachable = responseError(503, 'Service Unavailable', { url: 'http://ch:8123', user: 'driftwatch', what: 'insert' });
    expect(audit.authFailure(unreachable)).toBe(false);
    expect(audit.authFailure(Object.assign(new Error('Not Found'), { status: 404 }))).toBe(false);
    expect(audit.authFailure(new Error('boom'))).toBe(false);
    expect(await rows()).toEqual([]);
    expect(logs.filter((l) => l.audit !== undefined)).toEqual([]);
  });

  it('a writer that has failed or closed loses the record with a warning, and the engine goes on', async () => {
    const { audit, writer, logs } = setup();
    await writer.close();
    expect(() => audit.readiness(true)).not.toThrow();
    expect(logs.map((l) => l.msg)).toContain('audit record not written to audit_log: the store writer does not take rows any more');
  });

  it('with no store writer, records are logged at debug only (nothing to write to)', () => {
    const { audit } = setup({ writer: null });
    expect(() => audit.readiness(true)).not.toThrow();
  });

  it("masks the configuration's secrets (configuredSecrets), also a URL password percent-decoded, in what a record keeps of a message", async () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'b1:9094',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'dw',
      KAFKA_SASL_PASSWORD: SASL_PASSWORD,
      SCHEMA_REGISTRY_URL: 'https://reg:p%40ss-Reg1@registry:8081',
      CLICKHOUSE_URL: 'https://ch:8443',
      CLICKHOUSE_PASSWORD: CLICKHOUSE_PASSWORD,
    });
    const secrets = configuredSecrets(config);
    expect(secrets).toEqual(expect.arrayContaining([SASL_PASSWORD, CLICKHOUSE_PASSWORD, 'p%40ss-Reg1', 'p@ss-Reg1']));
    const { audit, rows } = setup({ secrets });
    const refused = Object.assign(new Error('Unauthorized: user reg with password p@ss-Reg1 is not known'), { status: 401 });
    audit.authFailure(refused);
    const [row] = await rows();
    expect(details(row).message).toBe('Unauthorized: user reg with password [redacted] is not known');
  });
});
