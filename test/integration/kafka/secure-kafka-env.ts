/**
 * Where the tests find a broker's SASL_SSL listener (deploy/kafka/kafka.sh
 * start with KAFKA_SECURE_PORT; .ci/run starts one): its address, the CA
 * that signed its certificate and a user it knows. Test-only names, so the
 * settings never reach the engines other tests start (those read
 * KAFKA_SSL* / KAFKA_SASL_* from their environment). Also the driftwatch
 * settings that reach it (secureEnv) and the project's client built from them.
 */
import { describe, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { loadConfig } from '../../../config/env-config.js';
import { createKafkaClient } from '../../../topics/kafka-client.js';
import { silentLogger } from '../../../lib/logger.js';

export interface SecureListener {
  brokers: string[];
  caFile: string;
  username: string;
  password: string;
}

const VARIABLES = ['KAFKA_SASL_SSL_BROKERS', 'KAFKA_SASL_SSL_CA_FILE', 'KAFKA_SASL_SSL_USERNAME', 'KAFKA_SASL_SSL_PASSWORD'] as const;

const HOW_TO_ENABLE =
  'start a broker with one: `KAFKA_SECURE_PORT=9094 deploy/kafka/kafka.sh start` prints KAFKA_SASL_SSL_BROKERS and KAFKA_SASL_SSL_CA_FILE; ' +
  'set KAFKA_SASL_SSL_USERNAME / KAFKA_SASL_SSL_PASSWORD to its KAFKA_SECURE_USER / KAFKA_SECURE_PASSWORD (defaults driftwatch / driftwatch-kafka-secret)';

function secureListener(env: NodeJS.ProcessEnv = process.env): SecureListener | { missing: string[] } {
  const missing = VARIABLES.filter((name) => (env[name] ?? '').trim() === '');
  if (missing.length > 0) return { missing };
  return {
    brokers: env.KAFKA_SASL_SSL_BROKERS!.split(',').map((b) => b.trim()).filter((b) => b !== ''),
    caFile: env.KAFKA_SASL_SSL_CA_FILE!.trim(),
    username: env.KAFKA_SASL_SSL_USERNAME!.trim(),
    password: env.KAFKA_SASL_SSL_PASSWORD!,
  };
}

/**
 * `describe` for tests against the SASL_SSL listener. Not configured: skipped
 * with a notice, except under CI=true, where a failing test says what is missing.
 */
export function describeSecureKafka(name: string, body: (listener: SecureListener) => void): void {
  const found = secureListener();
  if ('missing' in found) {
    const problem = `no SASL_SSL listener: ${found.missing.join(', ')} unset`;
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('has a SASL_SSL listener to test against', () => {
          throw new Error(`${problem} (CI=true: these tests must run, not skip); ${HOW_TO_ENABLE}`);
        });
      });
      return;
    }
    console.warn(`[kafka] skipping "${name}": ${problem}. To run these tests, ${HOW_TO_ENABLE}.`);
    describe.skip(name, () => body({ brokers: [], caFile: '', username: '', password: '' }));
    return;
  }
  describe(name, () => body(found));
}

/** The client settings of the listener, as an operator sets them (driftwatch's KAFKA_SSL* / KAFKA_SASL_*). */
export function secureEnv(l: SecureListener, mechanism = 'scram-sha-512'): Record<string, string> {
  return {
    KAFKA_BROKERS: l.brokers.join(','),
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: l.caFile,
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: l.username,
    KAFKA_SASL_PASSWORD: l.password,
    DRIFTWATCH_METRICS_PORT: '0',
  };
}

/** The project's own Kafka client (topics/kafka-client.ts) built from `env`, as every command builds it. */
export function secureKafkaClient(env: Record<string, string>): Kafka {
  const { kafka } = loadConfig(env);
  return createKafkaClient({ brokers: kafka.brokers, clientId: 'driftwatch-secure-test', security: kafka.security, logger: silentLogger });
}
