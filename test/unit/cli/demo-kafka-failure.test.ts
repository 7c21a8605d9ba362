/**
 * `driftwatch demo` through Kafka that the broker refuses (here a stand-in
 * broker refusing every request) says so as `run` and `topics create` do —
 * the brokers, kafkajs' reason and what to check, coded DW_KAFKA_FAILED —
 * not as an "unexpected failure" with kafkajs' bare error.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenRefusingBroker, type RefusingBroker } from '../../helpers/refusing-kafka-broker.js';
import { runCli } from './run-cli.js';

let broker: RefusingBroker;
beforeAll(async () => {
  broker = await listenRefusingBroker();
});
afterAll(() => broker.close());

describe('driftwatch demo against a broker that refuses it', () => {
  it('fails with the standard Kafka failure message, exit 1', async () => {
    const r = await runCli(['demo', '--no-store', '--duration', '30m'], {
      KAFKA_BROKERS: broker.hostPort,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'demo',
      KAFKA_SASL_PASSWORD: 'not-the-password',
      DRIFTWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'dw-demo-kafka-failure-')),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('unexpected failure');
    expect(r.stderr).toMatch(
      new RegExp(`^driftwatch demo: demo failed against KAFKA_BROKERS=${broker.hostPort.replaceAll('.', '\\.')}: Request is not valid given the current SASL state \\(.+\\) \\[DW_KAFKA_FAILED\\]$`, 'm'),
    );
    expect(r.stdout + r.stderr + r.log).not.toContain('not-the-password');
    // Said once: the log's record of it is at debug level (cli/report-failure.ts).
    expect(r.log).not.toContain('DW_KAFKA_FAILED');
  }, 30_000);
});

describe('driftwatch run against a broker that refuses it', () => {
  it('says it on stderr and, its log being what a supervisor collects, logs it at error level with its code', async () => {
    const r = await runCli(['run'], {
      KAFKA_BROKERS: broker.hostPort,
      DRIFTWATCH_METRICS_PORT: '0',
      DRIFTWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'dw-run-kafka-failure-')),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^driftwatch run: .* \[DW_KAFKA_FAILED\]\n$/);
    const coded = r.log.trim().split('\n').map((l) => JSON.parse(l) as { level: number; err?: { code?: string } }).filter((l) => l.err?.code === 'DW_KAFKA_FAILED');
    expect(coded).toEqual([expect.objectContaining({ level: 50, err: expect.objectContaining({ name: 'KafkaError', canRetry: expect.any(Boolean), cause: expect.any(Object) }) })]);
  }, 30_000);
});
