/**
 * Wrapped kafkajs clients for the live tests that inject a failure the real
 * broker produces only at moments a test cannot time (a mock, which each
 * test says), or record what the engine does when: every transaction a
 * transactional producer begins, every batch the engine's group consumer
 * is handed, or every group description an admin client asks for, passes
 * through a hook first.
 */
import type { Admin, AdminConfig, Consumer, ConsumerConfig, ConsumerRunConfig, EachBatchPayload, Kafka, Producer, ProducerConfig, Transaction } from 'kafkajs';

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

/** `kafka` whose admin clients tell `hook` the group ids of every describeGroups request before they send it. */
export function withDescribeGroupsHook(kafka: Kafka, hook: (groupIds: string[]) => void): Kafka {
  const wrapped = Object.create(kafka) as Kafka;
  wrapped.admin = (config?: AdminConfig): Admin => {
    const admin = kafka.admin(config);
    const describeGroups = admin.describeGroups.bind(admin);
    admin.describeGroups = (groupIds: string[]) => {
      hook(groupIds);
      return describeGroups(groupIds);
    };
    return admin;
  };
  return wrapped;
}

/**
 * `kafka` whose consumers of `groupId` (the engine's group member, not the
 * changelog reader) hand each batch to `hook` with the engine's own handler,
 * which the hook calls (or not) as it likes.
 */
export function withEachBatchHook(
  kafka: Kafka,
  groupId: string,
  hook: (payload: EachBatchPayload, eachBatch: (payload: EachBatchPayload) => Promise<void>) => Promise<void>,
): Kafka {
  return withGroupConsumerHook(kafka, groupId, (consumer) => {
    const run = consumer.run.bind(consumer);
    consumer.run = (runConfig?: ConsumerRunConfig) => {
      const eachBatch = runConfig?.eachBatch;
      if (!eachBatch) return run(runConfig);
      return run({ ...runConfig, eachBatch: (payload) => hook(payload, eachBatch) });
    };
  });
}

/** `kafka` whose consumers of `groupId` (the engine's group member) are first handed to `hook`, e.g. to listen to its events. */
export function withGroupConsumerHook(kafka: Kafka, groupId: string, hook: (consumer: Consumer) => void): Kafka {
  const wrapped = Object.create(kafka) as Kafka;
  wrapped.consumer = (config: ConsumerConfig): Consumer => {
    const consumer = kafka.consumer(config);
    if (config.groupId === groupId) hook(consumer);
    return consumer;
  };
  return wrapped;
}
