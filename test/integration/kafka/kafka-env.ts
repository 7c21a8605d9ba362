/**
 * Kafka integration-test harness: where the broker is (KAFKA_BROKERS, else
 * the broker global-setup.ts started), `describeKafka` (skip with a notice
 * when there is none; FAIL under CI=true), and helpers that keep tests
 * isolated: random topic/group names, create/delete topics, produce NDJSON
 * fixtures keyed `<env>/<artifact>`, read a topic to its end (read_committed).
 */
import { createTopicsAndWait } from '../../../topics/topic-admin.js';
import { randomUUID } from 'node:crypto';
import { describe, inject, it } from 'vitest';
import kafkajs, { type Kafka, type LogEntry, type logCreator, type Producer, type RetryOptions } from 'kafkajs';
import type { KafkaProvided } from './global-setup.js';

const HOW_TO_ENABLE =
  'run `eval "$(deploy/kafka/kafka.sh start | tail -n1)"; export KAFKA_BROKERS` (local broker, needs Java 17 + Maven), or start a Docker engine (testcontainers)';

function provided(): KafkaProvided | undefined {
  try {
    return inject('kafka');
  } catch {
    return undefined; // a project without global-setup.ts
  }
}

/** The broker list for tests, or null when there is none. KAFKA_BROKERS wins over a container. */
export function kafkaBrokersForTests(): string[] | null {
  const text = (process.env.KAFKA_BROKERS ?? '').trim() || provided()?.brokers || '';
  const list = text.split(',').map((b) => b.trim()).filter((b) => b !== '');
  return list.length > 0 ? list : null;
}

/**
 * `describe` for tests that need Kafka; `body` gets the broker list.
 * No broker: skipped with a console notice naming how to enable them — except
 * under CI=true, or when KAFKA_BROKERS points nowhere, where a failing test says why.
 */
export function describeKafka(name: string, body: (brokers: string[]) => void): void {
  const brokers = kafkaBrokersForTests();
  const info = provided();
  const problem = info?.problem ?? (brokers ? undefined : 'no Kafka: KAFKA_BROKERS is unset');
  const mustRun = process.env.CI === 'true' || info?.source === 'KAFKA_BROKERS';
  if (problem && mustRun) {
    describe(name, () => {
      it('has a reachable Kafka broker', () => {
        throw new Error(`${problem}${process.env.CI === 'true' ? ' (CI=true: Kafka tests must run, not skip)' : ''}; ${HOW_TO_ENABLE}`);
      });
    });
    return;
  }
  if (!brokers) console.warn(`[kafka] skipping "${name}": ${problem}. To run these tests, ${HOW_TO_ENABLE}.`);
  describe.skipIf(!brokers)(name, () => body(brokers ?? []));
}

/** A unique, valid topic/group name: `dwtest.<label>.<uuid>`. */
export function uniqueName(label: string): string {
  return `dwtest.${label}.${randomUUID()}`;
}

/**
 * Errors only, minus what kafkajs retries by itself (per-response protocol errors
 * such as "group is rebalancing" / "coordinator is loading", and sends it is
 * retrying): they would bury real failures, which reach the test as exceptions anyway.
 */
const quietLogCreator: logCreator = () => ({ namespace, level, log }: LogEntry) => {
  if (level > kafkajs.logLevel.ERROR || namespace === 'Connection' || 'retryCount' in log) return;
  console.error(`[kafkajs] ${log.message}`, JSON.stringify({ ...log, message: undefined, timestamp: undefined }));
};

/** A kafkajs client for tests (quiet logs, patient retries; `retry` for more patience, e.g. through a broker restart). */
export function testKafka(brokers: string[], clientId = 'driftwatch-test', retry: RetryOptions = { retries: 8 }): Kafka {
  return new kafkajs.Kafka({ clientId, brokers, logLevel: kafkajs.logLevel.ERROR, logCreator: quietLogCreator, retry });
}

export async function createTopics(
  kafka: Kafka,
  topics: Array<{ topic: string; partitions?: number; configs?: Record<string, string> }>,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsAndWait(
      admin,
      topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions ?? 3,
        replicationFactor: 1,
        configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    );
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the topics that exist (best effort: cleanup must not hide the test's own failure). */
export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const doomed = [...new Set(topics)].filter((t) => existing.has(t));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
  } catch (err) {
    console.warn(`[kafka] cleanup: could not delete ${topics.join(', ')}: ${(err as Error).message}`);
  } finally {
    await admin.disconnect();
  }
}

/** The Java client's murmur2 partitioner, so keys land where any other producer would put them. */
export async function testProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

/** Key of an NDJSON event line: `<env>/<artifact>`, or null when the line is not such an event. */
export function eventKey(line: string): string | null {
  try {
    const e = JSON.parse(line) as { env?: unknown; artifact?: unknown };
    return typeof e.env === 'string' && typeof e.artifact === 'string' ? `${e.env}/${e.artifact}` : null;
  } catch {
    return null;
  }
}

function ndjsonLines(ndjson: string | readonly string[]): string[] {
  const lines = typeof ndjson === 'string' ? ndjson.split('\n') : [...ndjson];
  return lines.map((l) => l.trim()).filter((l) => l !== '');
}

/** Produces each line as-is (the original bytes), keyed `<env>/<artifact>`; returns how many. */
export async function produceNdjson(kafka: Kafka, topic: string, ndjson: string | readonly string[]): Promise<number> {
  const lines = ndjsonLines(ndjson);
  const producer = await testProducer(kafka);
  try {
    if (lines.length > 0) await producer.send({ topic, messages: lines.map((value) => ({ key: eventKey(value), value })) });
  } finally {
    await producer.disconnect();
  }
  return lines.length;
}

/**
 * Routes each line to the topic of its `type` (promotion/hydration/index), as
 * producers in production would; lines without a known type go to `fallback`
 * (e.g. the promotion topic, to exercise the DLQ). Returns counts per topic.
 */
export async function produceByType(
  kafka: Kafka,
  topics: { promotion: string; hydration: string; index: string },
  ndjson: string | readonly string[],
  fallback: string = topics.promotion,
): Promise<Record<string, number>> {
  const byTopic = new Map<string, string[]>();
  for (const line of ndjsonLines(ndjson)) {
    let type: unknown;
    try {
      type = (JSON.parse(line) as { type?: unknown }).type;
    } catch {
      type = undefined;
    }
    const topic = type === 'promotion' || type === 'hydration' || type === 'index' ? topics[type] : fallback;
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), line]);
  }
  const counts: Record<string, number> = {};
  for (const [topic, lines] of byTopic) counts[topic] = await produceNdjson(kafka, topic, lines);
  return counts;
}

export { readToEnd, type ReadRecord } from './read-to-end.js';
