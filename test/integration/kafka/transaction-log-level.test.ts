/**
 * The engine's transactional producer commits back to back (an alert right
 * behind another, `driftwatch demo` every 500 ms). A transaction begun right
 * after the previous commit is refused by the coordinator with
 * CONCURRENT_TRANSACTIONS until that commit's markers are written; kafkajs
 * retries the send, after logging "Failed to send messages: …" at its ERROR
 * level. Nothing the engine does overlaps (one operation at a time), and the
 * retry succeeds: the line is a warning (topics/kafkajs-log-level.ts), never
 * an error.
 */
import { afterAll, expect, it } from 'vitest';
import { createKafkaClient } from '../../../topics/kafka-client.js';
import { TransactionalProducer } from '../../../engine/live/transactional-producer.js';
import { capturingLogger } from '../../helpers/capturing-logger.js';
import { createTopics, deleteTopics, describeKafka, readToEnd, testKafka, uniqueName } from './kafka-env.js';

type Line = { msg?: string; level?: number; component?: string; namespace?: string };

const CONCURRENT = 'another concurrent operation on the same transaction was ongoing';

describeKafka('transactions back to back', (brokers) => {
  const admin = testKafka(brokers);
  const topic = uniqueName('tx-log');
  afterAll(() => deleteTopics(admin, [topic]));

  it('logs the retried CONCURRENT_TRANSACTIONS of a transaction begun right after a commit as a warning, not an error', async () => {
    await createTopics(admin, [{ topic, partitions: 1 }]);
    const lines: Line[] = [];
    const log = capturingLogger<Line>(lines);
    const kafka = createKafkaClient({ brokers, clientId: 'dwtest-tx-log', security: { ssl: null, sasl: null }, logger: log });
    const producer = new TransactionalProducer(kafka, uniqueName('tx-log'), log);
    await producer.connect();
    const refused = () => lines.filter((l) => l.namespace === 'Producer' && l.msg?.includes(CONCURRENT));
    let sent = 0;
    try {
      // The refusal is a race with the coordinator's marker writes: usually within a few commits, bounded here.
      while (refused().length === 0 && sent < 200) await producer.run((tx) => tx.send({ topic, messages: [{ value: String(++sent) }] }));
    } finally {
      await producer.disconnect();
    }
    expect(refused().length, `no CONCURRENT_TRANSACTIONS in ${sent} transactions`).toBeGreaterThan(0);
    expect(refused().every((l) => l.level === 40)).toBe(true);
    expect(lines.filter((l) => (l.level ?? 0) >= 50)).toEqual([]);
    // Retried, not lost: every transaction committed its record.
    expect((await readToEnd(admin, topic)).length).toBe(sent);
  });
});
