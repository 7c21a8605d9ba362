/**
 * One Kafka transaction around `work`: committed when `work` resolves,
 * aborted when it throws (the abort's own failure is secondary: the caller
 * hears `work`'s error). What `work` sent is visible to read_committed
 * consumers only after the commit, all of it or none.
 */
import type { Producer, Transaction } from 'kafkajs';

export async function inTransaction<T>(producer: Producer, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const tx = await producer.transaction();
  try {
    const result = await work(tx);
    await tx.commit();
    return result;
  } catch (err) {
    await tx.abort().catch(() => undefined);
    throw err;
  }
}
