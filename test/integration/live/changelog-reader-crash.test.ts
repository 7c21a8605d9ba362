/**
 * The changelog reader outlives a consumer that stopped for good: kafkajs
 * does not restart a consumer after a non-retriable error (inside a broker
 * restart, "Failed to find group coordinator" is one), and a reader left
 * stopped would keep every later restore waiting for markers it never reads.
 * The reader then starts a new consumer that reads the changelog again from
 * the beginning — its view rebuilt, not patched.
 *
 * The crash is injected (a mock, said so here): the reader's first consumer
 * throws kafkajs's own non-retriable error from its message handler, which
 * takes the same path in kafkajs (crash event, no restart) as the coordinator
 * failure of a broker restart — an event a test cannot time. Broker, topic,
 * consumers and markers are real.
 *
 * Each consumer's group is a throwaway one: the replaced consumer's group is
 * deleted once it is out, the last one's when the reader stops — none is left
 * on the broker (an operator's group list, lag dashboards, ACL audits).
 */
import { it, expect } from 'vitest';
import kafkajs, { type Consumer, type ConsumerConfig, type ConsumerRunConfig, type Kafka } from 'kafkajs';
import { ChangelogReader, MARKER_PREFIX } from '../../../engine/live/changelog-reader.js';
import { createLogger } from '../../../lib/logger.js';
import { createTopics, deleteTopics, describeKafka, testKafka, uniqueName } from '../kafka/kafka-env.js';

/**
 * `kafka` whose first consumer fails for good on the first message of the
 * second partition it reads — after it has read all of the first one,
 * marker included (kafkajs hands over a partition's records in one batch here).
 */
function crashingFirstConsumer(kafka: Kafka): { kafka: Kafka; consumers: () => number; firstPartition: () => number | undefined } {
  let created = 0;
  let firstPartition: number | undefined;
  const wrapped = Object.create(kafka) as Kafka;
  wrapped.consumer = (config: ConsumerConfig): Consumer => {
    const consumer = kafka.consumer(config);
    if (++created > 1) return consumer;
    const run = consumer.run.bind(consumer);
    consumer.run = (runConfig?: ConsumerRunConfig) => {
      const eachMessage = runConfig?.eachMessage;
      return run({
        ...runConfig,
        eachMessage: async (payload) => {
          firstPartition ??= payload.partition;
          if (payload.partition !== firstPartition) {
            // kafkajs's class, constructed as its own code does (its typings omit the constructor's arguments).
            throw new (kafkajs.KafkaJSNonRetriableError as unknown as new (message: string) => Error)('Failed to find group coordinator');
          }
          await eachMessage?.(payload);
        },
      });
    };
    return consumer;
  };
  return { kafka: wrapped, consumers: () => created, firstPartition: () => firstPartition };
}

describeKafka('changelog reader: a consumer that stopped for good', (brokers) => {
  it('is replaced by a new one that reads the changelog again; markers and state are complete', async () => {
    const kafka = testKafka(brokers, 'driftwatch-changelog-reader-test');
    const topic = uniqueName('changelog');
    await createTopics(kafka, [{ topic, partitions: 2, configs: { 'cleanup.policy': 'compact' } }]);
    const producer = kafka.producer();
    await producer.connect();
    const logs: Array<{ msg?: string }> = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void logs.push(JSON.parse(line) as { msg?: string }) } });
    const injected = crashingFirstConsumer(kafka);
    const admin = kafka.admin();
    await admin.connect();
    const groupPrefix = uniqueName('reader');
    const readerGroups = async () => (await admin.listGroups()).groups.filter((g) => g.groupId.startsWith(`${groupPrefix}.changelog-reader.`));
    const reader = new ChangelogReader(injected.kafka, admin, topic, groupPrefix, logger);
    try {
      // Ten keys over two partitions, each written twice (the second value wins), then a marker on each partition.
      const writes = [1, 2].flatMap((round) =>
        Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, key: `k${i}`, value: `v${i}.${round}` })),
      );
      await producer.send({ topic, messages: writes });
      await producer.send({ topic, messages: [0, 1].map((partition) => ({ partition, key: `${MARKER_PREFIX}one`, value: 'one' })) });
      const latest = (partition: number) =>
        Array.from({ length: 10 }, (_, i) => i)
          .filter((i) => i % 2 === partition)
          .map((i): [string, string] => [`k${i}`, `v${i}.2`]);

      await reader.start();
      for (const deadline = Date.now() + 30_000; injected.consumers() < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 5));
      expect(injected.consumers()).toBe(2);
      // The first consumer saw this partition's marker before it failed; that must not stand for the new
      // consumer's reading: the wait ends once the new one has read the partition again, values included.
      const first = injected.firstPartition()!;
      await reader.waitForMarker('one', [first], 30_000);
      expect(reader.entries(first).sort()).toEqual(latest(first));
      expect(logs.some((l) => l.msg === 'changelog reader stopped; reading the changelog again with a new consumer')).toBe(true);

      // The new consumer has all of both partitions and keeps reading: a later write and a new marker arrive.
      await producer.send({
        topic,
        messages: [{ partition: 1, key: 'k1', value: 'v1.3' }, ...[0, 1].map((partition) => ({ partition, key: `${MARKER_PREFIX}two`, value: 'two' }))],
      });
      await reader.waitForMarker('two', [0, 1], 30_000);
      expect(reader.entries(0).sort()).toEqual(latest(0));
      expect(reader.entries(1).sort()).toEqual(latest(1).map(([k, v]): [string, string] => [k, k === 'k1' ? 'v1.3' : v]));
      // Only the running consumer's group is left (the replaced one's went with it); the stop takes that one too.
      expect(await readerGroups()).toHaveLength(1);
      await reader.stop();
      expect(await readerGroups()).toEqual([]);
    } finally {
      await reader.stop();
      await admin.disconnect();
      await producer.disconnect();
      await deleteTopics(kafka, [topic]);
    }
  }, 120_000);
});
