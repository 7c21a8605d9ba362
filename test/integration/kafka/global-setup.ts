/**
 * Vitest global setup of the `kafka` project: finds a broker once per run and
 * hands its address to the test files (`inject('kafka')`, read by kafka-env.ts).
 *
 * 1. KAFKA_BROKERS set → use it (checked to accept TCP connections, so a
 *    stopped broker fails fast with a clear message instead of kafkajs retries).
 * 2. else a reachable Docker engine → testcontainers' KafkaContainer, stopped at the end.
 * 3. else nothing: the Kafka tests skip with a notice (or fail when CI=true).
 */
import { connect } from 'node:net';
import type { TestProject } from 'vitest/node';

export interface KafkaProvided {
  /** Comma-separated host:port; '' = no broker. */
  brokers: string;
  source: 'KAFKA_BROKERS' | 'testcontainers' | 'none';
  /** Why there is no usable broker (shown by the skipped/failed tests). */
  problem?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafka: KafkaProvided;
  }
}

/** Confluent Platform image with KRaft support (KafkaContainer speaks Confluent's image layout). */
const KAFKA_IMAGE = process.env.KAFKA_TEST_IMAGE ?? 'confluentinc/cp-kafka:7.9.0';

function reachable(hostPort: string, timeoutMs = 3000): Promise<boolean> {
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(hostPort.slice(i + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const fromEnv = (process.env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter((b) => b !== '');
  if (fromEnv.length > 0) {
    const ok = (await Promise.all(fromEnv.map((b) => reachable(b)))).some(Boolean);
    project.provide('kafka', {
      brokers: fromEnv.join(','),
      source: 'KAFKA_BROKERS',
      ...(ok ? {} : { problem: `KAFKA_BROKERS=${fromEnv.join(',')} but no broker accepts connections there (start one: deploy/kafka/kafka.sh start)` }),
    });
    return undefined;
  }
  if (await dockerAvailable()) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer(KAFKA_IMAGE).withKraft().start();
    const brokers = `${container.getHost()}:${container.getMappedPort(9093)}`;
    project.provide('kafka', { brokers, source: 'testcontainers' });
    return async () => {
      await container.stop();
    };
  }
  project.provide('kafka', {
    brokers: '',
    source: 'none',
    problem: 'no Kafka: KAFKA_BROKERS is unset and no Docker engine is reachable',
  });
  return undefined;
}
