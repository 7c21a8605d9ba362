/**
 * After a failed transaction the next one starts on a new producer, and the
 * old producer's disconnect is not waited for without bound: after a broker
 * restart kafkajs can wait in it for ever (tulios/kafkajs#918), and every
 * later commit waited with it. The hang is kafkajs's and cannot be timed
 * with a real broker, so the producers here are stand-ins (a mock, said so):
 * the first one's disconnect never settles.
 */
import { describe, expect, it } from 'vitest';
import type { Kafka, Producer } from 'kafkajs';
import { TransactionalProducer } from '../../../engine/live/transactional-producer.js';
import { silentLogger } from '../../../lib/logger.js';

function standInKafka(): { kafka: Kafka; producers: Array<{ disconnects: number; transactions: number }> } {
  const producers: Array<{ disconnects: number; transactions: number }> = [];
  const kafka = {
    producer: (): Producer => {
      const stats = { disconnects: 0, transactions: 0 };
      const first = producers.length === 0;
      producers.push(stats);
      return {
        connect: async () => undefined,
        disconnect: () => {
          stats.disconnects++;
          return first ? new Promise<void>(() => undefined) : Promise.resolve();
        },
        transaction: async () => {
          stats.transactions++;
          return { commit: async () => undefined, abort: async () => undefined };
        },
      } as unknown as Producer;
    },
  } as unknown as Kafka;
  return { kafka, producers };
}

describe('TransactionalProducer', () => {
  it('a failed transaction: the next runs on a new producer even when the old one never finishes disconnecting', async () => {
    const { kafka, producers } = standInKafka();
    const tp = new TransactionalProducer(kafka, 'driftwatch-g-i', silentLogger, 50);
    await tp.connect();
    await expect(tp.run(async () => Promise.reject(new Error('broker gone mid-commit')))).rejects.toThrow('broker gone mid-commit');
    const next = tp.run(async () => 'committed');
    const settled = await Promise.race([next, new Promise((r) => setTimeout(() => r('still waiting'), 2_000))]);
    expect(settled).toBe('committed');
    expect(producers).toHaveLength(2);
    expect(producers[0]).toEqual({ disconnects: 1, transactions: 1 });
    expect(producers[1]).toEqual({ disconnects: 0, transactions: 1 });
  });
});
