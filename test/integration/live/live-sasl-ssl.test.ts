/**
 * `driftwatch run` (a child process) against a broker's SASL_SSL listener
 * (secure-kafka-env.ts; .ci/run opens one), configured as an operator would:
 * KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_MECHANISM/_USERNAME/_PASSWORD.
 *
 * With the right password it does what it does in plaintext — joins, turns a
 * small scenario into the alerts replay finds (read_committed), stops on
 * SIGTERM with exit 0. With a wrong one it ends at once with exit 1 and the
 * message README documents, leaves a `kafka.authentication_failed` security
 * record in its embedded store's audit_log, and says the password nowhere:
 * not on stdout, not in its (debug) log, not in the store.
 */
import { it, expect, afterEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { describeSecureKafka, secureEnv, secureKafkaClient } from '../kafka/secure-kafka-env.js';
import { assertBuilt, storeRows, storeText, withEngineLogs, type EngineProcess } from './engine-process.js';
import { createDeployment, waitCommitted, type LiveDeployment } from './live-env.js';
import { fixtureRecords, heldTicks, produceRecords, tickRecords } from './scenario-records.js';
import { committedAlerts, expectReplayAlerts } from './reference.js';

/** Every row of the instance's audit_log (the engine must have exited: chDB allows one process per store). */
const auditRows = (d: LiveDeployment, instanceId: string) =>
  storeRows(d.storeDir(instanceId), 'SELECT category, action, actor, subject_id, correlation_id, details FROM driftwatch.audit_log ORDER BY at, action');

describeSecureKafka('driftwatch run over SASL_SSL', (listener) => {
  const env = secureEnv(listener);
  let kafka: Kafka;
  let deployment: LiveDeployment | undefined;
  const engines: EngineProcess[] = [];
  const deploy = async (label: string) => {
    assertBuilt();
    kafka = secureKafkaClient(env); // here, not at collection: a skipped suite has no CA file to load
    // `topics create` (in createDeployment) logs in over SASL_SSL with the right password too.
    return (deployment = await createDeployment(listener.brokers, label, { partitions: 1, env }));
  };
  afterEach(async () => {
    await deployment?.cleanup(kafka);
    deployment = undefined;
    engines.length = 0;
  });

  it('processes a scenario: alerts as replay finds them, read_committed; SIGTERM ends it with exit 0', async () => {
    const d = await deploy('sasl-run');
    const engine = await d.startEngine('sasl-run', { LOG_LEVEL: 'debug' });
    engines.push(engine);
    await withEngineLogs(
      () => engines,
      async () => {
        await engine.waitRestored(90_000);
        const scenario = fixtureRecords('failed-canary.ndjson');
        const ticks = tickRecords(d.partitions);
        await produceRecords(kafka, d.topics, [...scenario, ...ticks]);
        await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks), { engines });
        const alerts = await committedAlerts(kafka, d.topics.alerts);
        await expectReplayAlerts(alerts, [...scenario, ...ticks], d.env, { moreThan: 0 });
        expect(await engine.terminate()).toEqual({ code: 0, signal: null });
        expect(engine.errors()).toEqual([]);
      },
    );
    expect(engine.stdout + engine.stderrText).not.toContain(listener.password);
    const audit = await auditRows(d, 'sasl-run');
    expect(audit.map((r) => r.action)).toContain('instance.ready');
    expect(audit.filter((r) => r.category === 'security')).toEqual([]);
    expect(await storeText(d.storeDir('sasl-run'))).not.toContain(listener.password);
  }, 180_000);

  it('a wrong password: exit 1 at once with the documented message, a security audit record, the password nowhere', async () => {
    const d = await deploy('sasl-wrong');
    const wrong = `wrong-${randomUUID()}`;
    // Debug logs kafkajs' protocol detail and the configuration: the place a password would leak first.
    const engine = await d.startEngine('sasl-wrong', { KAFKA_SASL_PASSWORD: wrong, LOG_LEVEL: 'debug' });
    engines.push(engine);
    const started = Date.now();
    const exit = await Promise.race([engine.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 60_000))]);
    expect(exit, engine.describe()).toEqual({ code: 1, signal: null });
    // Not retried like an unreachable broker (≈ 2 minutes): a refused login does not pass by waiting.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(engine.stderrText).toMatch(
      /^driftwatch run: [a-z ]+ failed against KAFKA_BROKERS=\S+: SASL SCRAM SHA512 authentication failed.*\(the broker refused the SASL login: check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM\) \[DW_KAFKA_FAILED\]$/m,
    );
    expect(engine.logs.some((l) => l.msg === 'configuration loaded')).toBe(true);
    // Every log line says in its msg, as text, what happened (a kafkajs Error given as the message was once an object there).
    expect(engine.logs.filter((l) => typeof l.msg !== 'string')).toEqual([]);

    const runId = engine.logs.find((l) => typeof l.runId === 'string')?.runId;
    const audit = await auditRows(d, 'sasl-wrong');
    const security = audit.filter((r) => r.category === 'security');
    expect(security).toEqual([
      { category: 'security', action: 'kafka.authentication_failed', actor: 'sasl-wrong', subject_id: 'kafka', correlation_id: runId, details: expect.any(String) },
    ]);
    expect(JSON.parse(String(security[0]!.details))).toMatchObject({
      outcome: 'failure',
      instanceId: 'sasl-wrong',
      error: 'KafkaJSSASLAuthenticationError',
      message: expect.stringMatching(/SASL SCRAM SHA512 authentication failed/),
    });

    const stored = await storeText(d.storeDir('sasl-wrong'));
    expect(stored).toContain('kafka.authentication_failed'); // the search below reads the audit rows too
    for (const secret of [wrong, listener.password]) {
      expect(engine.stdout + engine.stderrText).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
  }, 120_000);
});
