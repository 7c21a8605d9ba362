import { describe, it, expect, afterEach } from 'vitest';
import { Writable } from 'node:stream';
import kafkajs, { type Consumer } from 'kafkajs';
import { loadConfig } from '../../../config/env-config.js';
import { topicDefinitions } from '../../../topics/topic-definitions.js';
import { ensureTopics } from '../../../topics/topic-admin.js';
import { CO_PARTITION_ASSIGNER_NAME, coPartitionAssigner } from '../../../topics/co-partition-assigner.js';
import { main } from '../../../cli/driftwatch.js';
import { createLogger, silentLogger } from '../../../lib/logger.js';
import { ConfigError, KafkaError } from '../../../lib/errors.js';
import { createTopics, deleteTopics, describeKafka, eventKey, produceByType, readToEnd, testKafka, uniqueName } from './kafka-env.js';

/** Environment naming a private set of topics, so tests never share one. */
function isolatedEnv(brokers: string[], partitions = 3): Record<string, string> {
  const id = uniqueName('t').slice('dwtest.t.'.length, 'dwtest.t.'.length + 8);
  return {
    KAFKA_BROKERS: brokers.join(','),
    DRIFTWATCH_TOPIC_PROMOTION: `dwtest.${id}.promotion`,
    DRIFTWATCH_TOPIC_HYDRATION: `dwtest.${id}.hydration`,
    DRIFTWATCH_TOPIC_INDEX: `dwtest.${id}.index`,
    DRIFTWATCH_TOPIC_ALERTS: `dwtest.${id}.alerts`,
    DRIFTWATCH_TOPIC_DLQ: `dwtest.${id}.dlq`,
    DRIFTWATCH_TOPIC_STATE_CHANGELOG: `driftwatch.internal.dwtest.${id}.state-changelog`,
    DRIFTWATCH_PARTITIONS: String(partitions),
    DRIFTWATCH_METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
  };
}

/** A promotion, a hydration and an index event for each of `n` keys `<env>/<artifact>`. */
function manyKeys(n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const common = { occurredAt: '2026-11-27T10:00:00.000Z', env: i % 2 ? 'prod' : 'staging', artifact: `artifact-${i}` };
    lines.push(
      JSON.stringify({ ...common, type: 'promotion', eventId: `p-${i}`, promotionId: `pr-${i}`, phase: 'started', version: '1.0.0', digest: 'sha256:a' }),
      JSON.stringify({ ...common, type: 'hydration', eventId: `h-${i}`, ruleId: 'r', instance: 'i1', inputDigest: 'sha256:a', outputDigest: 'sha256:b', durationMs: 5, status: 'ok' }),
      JSON.stringify({ ...common, type: 'index', eventId: `x-${i}`, op: 'read', instance: 'i1', servedDigest: 'sha256:a', latencyMs: 2, status: 'ok' }),
    );
  }
  return lines;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, cb) => (chunks.push(String(chunk)), cb()) });
  return { stream, text: () => chunks.join('') };
}

describeKafka('topics against a real broker', (brokers) => {
  const kafka = testKafka(brokers);
  const cleanup: string[] = [];
  afterEach(async () => {
    await deleteTopics(kafka, cleanup.splice(0));
  });

  it('creates every topic with its configs, then reports them as existing', async () => {
    const config = loadConfig(isolatedEnv(brokers));
    const defs = topicDefinitions(config.kafka);
    cleanup.push(...defs.map((d) => d.name));
    const admin = kafka.admin();
    await admin.connect();
    try {
      const first = await ensureTopics(admin, defs);
      expect(first.map((r) => [r.id, r.status, r.partitions])).toEqual(defs.map((d) => [d.id, 'created', 3]));
      const second = await ensureTopics(admin, defs);
      expect(second.map((r) => [r.status, r.warnings])).toEqual(defs.map(() => ['exists', []]));

      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: defs.map((d) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name: d.name, configNames: ['cleanup.policy', 'retention.ms'] })),
      });
      const seen = Object.fromEntries(resources.map((r) => [r.resourceName, Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue]))]));
      expect(seen[config.kafka.internalTopics.stateChangelog]!['cleanup.policy']).toBe('compact');
      expect(seen[config.kafka.topics.dlq]).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': String(14 * 86_400_000) });
      expect(seen[config.kafka.topics.index]).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': String(7 * 86_400_000) });
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses inputs that are not co-partitioned, creating nothing', async () => {
    const config = loadConfig(isolatedEnv(brokers, 3));
    const defs = topicDefinitions(config.kafka);
    cleanup.push(...defs.map((d) => d.name));
    await createTopics(kafka, [{ topic: config.kafka.topics.promotion, partitions: 3 }, { topic: config.kafka.topics.hydration, partitions: 2 }]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await expect(ensureTopics(admin, defs)).rejects.toThrow(KafkaError);
      expect((await admin.listTopics()).filter((t) => defs.some((d) => d.name === t)).sort()).toEqual(
        [config.kafka.topics.hydration, config.kafka.topics.promotion].sort(),
      );
      const wrongCount = topicDefinitions(loadConfig({ ...isolatedEnv(brokers, 5), DRIFTWATCH_TOPIC_PROMOTION: config.kafka.topics.promotion }).kafka);
      cleanup.push(...wrongCount.map((d) => d.name));
      await expect(ensureTopics(admin, wrongCount)).rejects.toThrow(ConfigError);
    } finally {
      await admin.disconnect();
    }
  });

  it('`driftwatch topics create` prints one line per topic and exits 0, then 2 on a partition mismatch', async () => {
    const env = isolatedEnv(brokers, 2);
    cleanup.push(...topicDefinitions(loadConfig(env).kafka).map((d) => d.name));
    const run = async (e: Record<string, string>) => {
      const out = sink();
      const err = sink();
      const code = await main(['topics', 'create'], { logger: silentLogger, env: e, stdout: out.stream, stderr: err.stream });
      return { code, out: out.text(), err: err.text() };
    };
    const first = await run(env);
    expect(first.code).toBe(0);
    expect(first.out).toContain(`${env.DRIFTWATCH_TOPIC_INDEX}  created (2 partitions, replication 1)\n`);
    expect(first.out).toContain('6 created, 0 already existed\n');
    const again = await run(env);
    expect(again.out).toContain(`${env.DRIFTWATCH_TOPIC_INDEX}  exists (2 partitions, ok)\n`);
    const mismatch = await run({ ...env, DRIFTWATCH_PARTITIONS: '4' });
    expect(mismatch.code).toBe(2);
    expect(mismatch.err).toContain('DRIFTWATCH_PARTITIONS: is 4, but the existing co-partitioned topics have 2 partitions');
  });

  it('a clean `driftwatch topics create` logs no warning (new topics\' metadata not yet propagated is expected, not warned)', async () => {
    const env = { ...isolatedEnv(brokers, 2), LOG_LEVEL: 'info' };
    cleanup.push(...topicDefinitions(loadConfig(env).kafka).map((d) => d.name));
    const lines: Array<{ level: number; msg: string; error?: string }> = [];
    const logger = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l) as (typeof lines)[number]) } });
    const out = sink();
    const code = await main(['topics', 'create'], { logger, env, stdout: out.stream, stderr: sink().stream });
    expect(code).toBe(0);
    expect(out.text()).toContain('6 created, 0 already existed\n');
    expect(lines.filter((l) => l.msg === 'topic created')).toHaveLength(6);
    expect(lines.filter((l) => l.level >= 40).map((l) => `${l.msg}: ${l.error ?? ''}`)).toEqual([]);
  });

  it('co-partition assigner: two members each own whole partition numbers, so every key meets in one member', async () => {
    const env = isolatedEnv(brokers, 4);
    const topics = loadConfig(env).kafka.topics;
    const inputs = [topics.promotion, topics.hydration, topics.index];
    cleanup.push(...inputs);
    await createTopics(kafka, inputs.map((topic) => ({ topic, partitions: 4 })));

    const groupId = uniqueName('group');
    const joins = new Map<string, { memberId: string; protocol: string; assignment: Record<string, number[]> }>();
    const seen: Array<{ member: string; topic: string; partition: number; key: string }> = [];
    const consumers: Consumer[] = [];
    try {
      for (const name of ['one', 'two']) {
        const consumer = kafka.consumer({ groupId, partitionAssigners: [coPartitionAssigner], heartbeatInterval: 300, sessionTimeout: 30_000, maxWaitTimeInMs: 250 });
        consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
          joins.set(name, { memberId: payload.memberId, protocol: payload.groupProtocol, assignment: payload.memberAssignment }),
        );
        await consumer.connect();
        await consumer.subscribe({ topics: inputs, fromBeginning: true });
        await consumer.run({ eachMessage: async ({ topic, partition, message }) => void seen.push({ member: name, topic, partition, key: String(message.key) }) });
        consumers.push(consumer);
      }
      // Stable = both members hold partitions, none twice, all 4 numbers of all 3 topics covered.
      const stable = () => {
        const all = [...joins.values()];
        if (all.length !== 2 || all.some((j) => Object.keys(j.assignment).length === 0)) return false;
        const owned = all.flatMap((j) => Object.entries(j.assignment).flatMap(([t, ps]) => ps.map((p) => `${t}:${p}`)));
        return owned.length === 12 && new Set(owned).size === 12;
      };
      await expect.poll(stable, { timeout: 45_000, interval: 100 }).toBe(true);

      const [low, high] = [...joins.values()].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
      expect(low!.protocol).toBe(CO_PARTITION_ASSIGNER_NAME);
      for (const t of inputs) {
        expect(low!.assignment[t]).toEqual([0, 2]);
        expect(high!.assignment[t]).toEqual([1, 3]);
      }

      const lines = manyKeys(40);
      const counts = await produceByType(kafka, topics, lines);
      expect(counts).toEqual({ [topics.promotion]: 40, [topics.hydration]: 40, [topics.index]: 40 });
      // Distinct records: a rebalance under load may redeliver uncommitted ones (to the same owner: same members → same assignment).
      const distinct = () => new Set(seen.map((s) => `${s.topic}:${s.partition}:${s.key}`)).size;
      await expect.poll(distinct, { timeout: 45_000, interval: 100 }).toBe(120);

      const owners = new Map<string, Set<string>>();
      for (const s of seen) owners.set(s.key, (owners.get(s.key) ?? new Set()).add(s.member));
      expect(owners.size).toBe(40);
      expect([...owners.values()].every((members) => members.size === 1)).toBe(true);
      expect(new Set(seen.map((s) => s.member))).toEqual(new Set(['one', 'two'])); // both did work
      // Same key → same partition number in all three topics (murmur2, equal counts).
      expect(new Set(seen.map((s) => `${s.key}@${s.partition}`)).size).toBe(40);
    } finally {
      await Promise.all(consumers.map((c) => c.disconnect()));
    }
  });

  it('reads a topic to its end, read_committed: aborted transactional records are never returned', async () => {
    const topic = uniqueName('read');
    cleanup.push(topic);
    await createTopics(kafka, [{ topic, partitions: 2 }]);
    const producer = kafka.producer({ transactionalId: uniqueName('tx'), idempotent: true, maxInFlightRequests: 1, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({ topic, messages: [{ key: 'prod/a', value: 'kept-1' }, { key: 'prod/b', value: 'kept-2', headers: { 'dw-error': 'x' } }] });
      await committed.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'prod/a', value: 'aborted' }] });
      await aborted.abort();
    } finally {
      await producer.disconnect();
    }
    const records = await readToEnd(kafka, topic, { timeoutMs: 20_000 });
    expect(records.map((r) => r.value).sort()).toEqual(['kept-1', 'kept-2']);
    expect(records.find((r) => r.value === 'kept-2')).toMatchObject({ key: 'prod/b', headers: { 'dw-error': 'x' } });
  });
});

describe('kafka harness without a broker', () => {
  it('names the key of an event line', () => {
    expect(eventKey('{"env":"prod","artifact":"search-index"}')).toBe('prod/search-index');
    expect(eventKey('not json')).toBeNull();
  });
});
