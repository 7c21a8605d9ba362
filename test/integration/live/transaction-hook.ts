/**
 * A wrapped kafkajs client whose transactional producers hand every
 * transaction they begin to a hook first: the live tests that inject a
 * failure into a transaction, or record when transactions begin, share it.
 */
import type { Kafka, Producer, ProducerConfig, Transaction } from 'kafkajs';

export function withTransactionHook(kafka: Kafka, hook: (tx: Transaction) => void): Kafka {
  const wrapped = Object.create(kafka) as Kafka;
  wrapped.producer = (config?: ProducerConfig): Producer => {
    const producer = kafka.producer(config);
    if (!config?.transactionalId) return producer;
    const transaction = producer.transaction.bind(producer);
    producer.transaction = async () => {
      const tx = await transaction();
      hook(tx);
      return tx;
    };
    return producer;
  };
  return wrapped;
}
