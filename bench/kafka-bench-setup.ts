/**
 * The Kafka benchmark's isolated deployment: its own topics and consumer
 * group (random names under `dwbench.`), created like `driftwatch topics
 * create` does, the environment engines get, and the producer of input
 * records (each to its type's topic, key `<env>/<artifact>`).
 */
import { artifactOnPartition } from '../topics/key-partition.js';
import kafkajs, { type Admin, type Kafka, type Message, type Producer } from 'kafkajs';
import { loadConfig } from '../config/env-config.js';
import { kafkaSecurityEnv } from '../config/kafka-security.js';
import { createKafkaClient } from '../topics/kafka-client.js';
import { silentLogger } from '../lib/logger.js';
import { topicDefinitions } from '../topics/topic-definitions.js';
import { ensureTopics } from '../topics/topic-admin.js';
import { isolatedDeployment } from '../topics/isolated-deployment.js';

export type InputType = 'promotion' | 'hydration' | 'index';

export interface BenchRecord {
  value: string;
  key: string | null;
  type: InputType;
  /** Explicit partition (the far-future ticks). */
  partition?: number;
}

export interface BenchDeployment {
  groupId: string;
  topics: Record<InputType | 'alerts' | 'dlq' | 'changelog', string>;
  inputs: string[];
  partitions: number;
  /** Environment of `driftwatch run` for this deployment (instance id and data dir are added per engine). */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * The benchmark's own client, through the project's client factory: with the
 * TLS/SASL settings of the benchmark's environment (KAFKA_SSL*, KAFKA_SASL_*),
 * which its engines get too (createBenchDeployment).
 */
export function benchKafka(brokers: string[], clientId = 'driftwatch-bench'): Kafka {
  const { security } = loadConfig(kafkaSecurityEnv(process.env)).kafka;
  return createKafkaClient({ brokers, clientId, security, logger: silentLogger, retries: 8 });
}

export async function createBenchDeployment(kafka: Kafka, brokers: string[], label: string, partitions: number, extraEnv: Record<string, string> = {}): Promise<BenchDeployment> {
  const { topics, inputs, groupId, env: isolated } = isolatedDeployment('dwbench', label, brokers, partitions);
  // The engines (`driftwatch run` child processes, given only this env) reach the broker as the benchmark does.
  const env: Record<string, string> = { ...isolated, ...kafkaSecurityEnv(process.env), ...extraEnv };
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topicDefinitions(loadConfig(env).kafka));
  } finally {
    await admin.disconnect();
  }
  return {
    groupId,
    topics,
    inputs,
    partitions,
    env,
    async cleanup() {
      const a = kafka.admin();
      await a.connect();
      try {
        await a.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
        await a.deleteGroups([groupId]).catch(() => undefined);
      } finally {
        await a.disconnect();
      }
    },
  };
}

/**
 * One event per partition of every input topic (an unmanaged key
 * `tick/p<n>`), at the time of the run, long after the generated scenario:
 * every partition's watermark jumps past every timer, so the engine releases
 * and commits everything before them without waiting for the idle timeout.
 * Live event time is data-driven; there is no "end of input". Not further
 * ahead than now: the engine dead-letters events beyond
 * DRIFTWATCH_MAX_FUTURE_SKEW.
 */
export function tickRecords(partitions: number, occurredAt = new Date().toISOString()): BenchRecord[] {
  const out: BenchRecord[] = [];
  for (let p = 0; p < partitions; p++) {
    // Keyed for the partition (murmur2 of the key), as the engine requires (processors/decode.ts, wrong_partition).
    const head = { occurredAt, env: 'tick', artifact: artifactOnPartition('tick', `p${p}`, p, partitions) };
    const key = `tick/${head.artifact}`;
    out.push(
      { type: 'promotion', partition: p, key, value: JSON.stringify({ ...head, type: 'promotion', eventId: `tick-p-${p}`, promotionId: `tick-${p}`, phase: 'started', version: '0', digest: 'sha256:tick' }) },
      { type: 'hydration', partition: p, key, value: JSON.stringify({ ...head, type: 'hydration', eventId: `tick-h-${p}`, ruleId: 'tick', instance: 'tick', inputDigest: 'sha256:tick', outputDigest: 'tick', durationMs: 1, status: 'ok' }) },
      { type: 'index', partition: p, key, value: JSON.stringify({ ...head, type: 'index', eventId: `tick-i-${p}`, op: 'read', instance: 'tick', servedDigest: 'sha256:tick', latencyMs: 1, status: 'ok' }) },
    );
  }
  return out;
}

/** A producer keyed like the Java client (murmur2), so keys land where any producer would put them. */
export async function benchProducer(kafka: Kafka) {
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

/** Groups records by topic for one `sendBatch` request. */
export function topicMessages(deployment: BenchDeployment, records: readonly BenchRecord[]): Array<{ topic: string; messages: Message[] }> {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    const topic = deployment.topics[r.type];
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push(r.partition === undefined ? { key: r.key, value: r.value } : { key: r.key, value: r.value, partition: r.partition });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * Most records per produce request. A partition's records in one request form
 * one record batch, which the broker refuses above `message.max.bytes` (1 MB
 * by default, MESSAGE_TOO_LARGE). When the latency producer falls behind its
 * schedule on a loaded machine its catch-up batch grows with the delay, so
 * every send is cut into requests of at most this many records (~0.3 MB).
 */
const MAX_RECORDS_PER_REQUEST = 1000;

/** Sends records in order, in requests small enough for the broker's batch limit (see MAX_RECORDS_PER_REQUEST). */
export async function sendRecords(producer: Producer, deployment: BenchDeployment, records: readonly BenchRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += MAX_RECORDS_PER_REQUEST) {
    await producer.sendBatch({ topicMessages: topicMessages(deployment, records.slice(i, i + MAX_RECORDS_PER_REQUEST)), acks: -1 });
  }
}

/** Per input partition, the group's committed offset and the end offset. */
export async function committedVsEnd(admin: Admin, groupId: string, topics: string[]): Promise<Array<{ key: string; committed: number; end: number }>> {
  const committed = await admin.fetchOffsets({ groupId, topics });
  const out: Array<{ key: string; committed: number; end: number }> = [];
  for (const topic of topics) {
    const c = committed.find((t) => t.topic === topic)?.partitions ?? [];
    for (const e of await admin.fetchTopicOffsets(topic)) {
      out.push({ key: `${topic}#${e.partition}`, committed: Number(c.find((p) => p.partition === e.partition)?.offset ?? -1), end: Number(e.high) });
    }
  }
  return out;
}
