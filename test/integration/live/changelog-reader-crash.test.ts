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
 */
import { it, expect } from 'vitest';
import kafkajs, { type Consumer, type ConsumerConfig, type ConsumerRunConfig, type Kafka } from 'kafkajs';
import { ChangelogReader, MARKER_PREFIX } from '../../../engine/live/changelog-reader.js';
import { createLogger } from '../../../lib/logger.js';
import { createTopics, deleteTopics, describeKafka, testKafka, uniqueName } from '../kafka/kafka-env.js';

/** `kafka` whose first consumer fails for good on its `failAt`-th message (1-based). */
function crashingFirstConsumer(kafka: Kafka, failAt: number): { kafka: Kafka; consumers: () => number } {
  let created = 0;
  const wrapped = Object.create(kafka) as Kafka;
  wrapped.consumer = (config: ConsumerConfig): Consumer => {
    const consumer = kafka.consumer(config);
    if (++created > 1) return consumer;
    const run = consumer.run.bind(consumer);
    let seen = 0;
    consumer.run = (runConfig?: ConsumerRunConfig) => {
      const eachMessage = runConfig?.eachMessage;
      return run({
        ...runConfig,
        eachMessage: async (payload) => {
          if (++seen === failAt) {
            // kafkajs's class, constructed as its own code does (its typings omit the constructor's arguments).
            throw new (kafkajs.KafkaJSNonRetriableError as unknown as new (message: string) => Error)('Failed to find group coordinator');
          }
          await eachMessage?.(payload);
        },
      });
    };
    return consumer;
  };
  return { kafka: wrapped, consumers: () => created };
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
    const injected = crashingFirstConsumer(kafka, 5);
    const reader = new ChangelogReader(injected.kafka, topic, uniqueName('reader'), logger);
    try {
      // Ten keys over two partitions, each written twice (the second value wins), then a marker on each partition.
      const writes = [1, 2].flatMap((round) =>
        Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, key: `k${i}`, value: `v${i}.${round}` })),
      );
      await producer.send({ topic, messages: writes });
      await producer.send({ topic, messages: [0, 1].map((partition) => ({ partition, key: `${MARKER_PREFIX}one`, value: 'one' })) });

      await reader.start();
      await reader.waitForMarker('one', [0, 1], 60_000);

      expect(injected.consumers()).toBe(2);
      expect(logs.some((l) => l.msg === 'changelog reader stopped; reading the changelog again with a new consumer')).toBe(true);
      for (const partition of [0, 1]) {
        const expected = Array.from({ length: 10 }, (_, i) => i)
          .filter((i) => i % 2 === partition)
          .map((i): [string, string] => [`k${i}`, `v${i}.2`]);
        expect(reader.entries(partition).sort()).toEqual(expected.sort());
      }

      // The new consumer keeps reading: a later write and marker arrive.
      await producer.send({ topic, messages: [{ partition: 1, key: 'k1', value: 'v1.3' }, { partition: 1, key: `${MARKER_PREFIX}two`, value: 'two' }] });
      await reader.waitForMarker('two', [1], 30_000);
      expect(reader.get(1, 'k1')).toBe('v1.3');
    } finally {
      await reader.stop();
      await producer.disconnect();
      await deleteTopics(kafka, [topic]);
    }
  }, 120_000);
});
