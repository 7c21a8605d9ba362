/**
 * Kafka over TLS with a SASL login, against a real broker's SASL_SSL listener
 * (secure-kafka-env.ts): `topics create` and a produce/consume round trip
 * through the project's client (topics/kafka-client.ts), each SASL mechanism
 * driftwatch offers, and the failures an operator meets first — a wrong
 * password, a CA not given — ending soon with an error that says what to
 * check, never showing the password.
 */
import { it, expect, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { isolatedDeployment } from '../../../topics/isolated-deployment.js';
import { runCli } from '../../unit/cli/run-cli.js';
import { deleteTopics, readToEnd, testProducer } from './kafka-env.js';
import { describeSecureKafka, secureEnv, secureKafkaClient } from './secure-kafka-env.js';

describeSecureKafka('Kafka over SASL_SSL', (listener) => {
  const cleanup: string[] = [];
  afterAll(async () => {
    if (cleanup.length > 0) await deleteTopics(secureKafkaClient(secureEnv(listener)), cleanup);
  });

  it('`topics create` creates the topics, and a record produced through the client is consumed back', async () => {
    const d = isolatedDeployment('dwtest', 'sasl-ssl', listener.brokers, 1);
    const env = { ...secureEnv(listener), ...d.env };
    cleanup.push(...Object.values(d.topics));
    const r = await runCli(['topics', 'create'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^6 created, 0 already existed$/m);

    const kafka = secureKafkaClient(env);
    const producer = await testProducer(kafka);
    const value = JSON.stringify({ probe: randomUUID() });
    try {
      await producer.send({ topic: d.topics.promotion, messages: [{ key: 'prod/app', value }] });
    } finally {
      await producer.disconnect();
    }
    const records = await readToEnd(kafka, d.topics.promotion);
    expect(records.map((x) => [x.key, x.value])).toEqual([['prod/app', value]]);
  });

  it.each(['plain', 'scram-sha-256'])('logs in with %s too', async (mechanism) => {
    const admin = secureKafkaClient(secureEnv(listener, mechanism)).admin();
    await admin.connect();
    try {
      expect(Array.isArray(await admin.listTopics())).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });

  it('a wrong password fails `topics create` soon, naming the SASL login and its options, never the password', async () => {
    const wrong = `wrong-${randomUUID()}`;
    const started = Date.now();
    const r = await runCli(['topics', 'create'], { ...secureEnv(listener), KAFKA_SASL_PASSWORD: wrong, LOG_LEVEL: 'debug' });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^driftwatch topics create: topics create failed against KAFKA_BROKERS=\S+: SASL SCRAM SHA512 authentication failed/);
    expect(r.stderr).toMatch(/the broker refused the SASL login: check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM\) \[DW_KAFKA_FAILED\]$/m);
    // Debug logs kafkajs' protocol detail and the configuration: still no password, the wrong one nor the right one.
    expect(r.log).toContain('configuration loaded');
    for (const secret of [wrong, listener.password]) expect(r.stdout + r.stderr + r.log).not.toContain(secret);
  });

  it('without the CA that signed the broker certificate, fails naming KAFKA_SSL_CA_FILE rather than hang', async () => {
    const { KAFKA_SSL_CA_FILE: _caFile, ...systemCas } = secureEnv(listener);
    const started = Date.now();
    const r = await runCli(['topics', 'create'], systemCas);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the broker's TLS certificate was refused \([A-Z_]+\): set KAFKA_SSL_CA_FILE to the CA that signed it\)/);
    expect(r.stdout + r.stderr + r.log).not.toContain(listener.password);
  });
});
