/**
 * The baseline of the throughput ratio: a plain kafkajs group consumer that
 * reads the same input topics the same way the engine does (read_committed,
 * eachBatch, one partition at a time, same fetch wait) and does nothing with
 * the records beyond looking at each value. What the engine adds on top —
 * decoding, ordering, the processors, the store, transactions — is the
 * difference.
 *
 * With `parse`, the same consumer also JSON.parses each value: the least any
 * engine over JSON messages has to do per record, so (a) / that run shows how
 * much of the gap is the engine's own work and how much is merely reading
 * what the raw consumer never looks inside.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { cpuTimes } from './thread-cpu.js';

export interface RawConsumeResult {
  records: number;
  bytes: number;
  /** Wall time of the group join, and of the last record read. */
  joinedAt: number;
  doneAt: number;
  /** CPU of this process's main thread (the consumer's) from the group join to the last record, µs per record (thread-cpu.ts). */
  mainThreadUsPerRecord: number | null;
}

export interface RawConsumeOptions {
  /** JSON.parse every value (a value that does not parse is counted like any other). */
  parse?: boolean;
  timeoutMs?: number;
}

export async function rawConsume(kafka: Kafka, topics: string[], expected: number, options: RawConsumeOptions = {}): Promise<RawConsumeResult> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const parse = options.parse ?? false;
  const groupId = `dwbench.raw.${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 250 });
  let records = 0;
  let bytes = 0;
  let joinedAt = 0;
  let cpuAtJoin: number | undefined;
  let cpuAtDone: number | undefined;
  let finish!: (t: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (joinedAt === 0) {
      joinedAt = Date.now();
      cpuAtJoin = cpuTimes().mainThreadMs;
    }
  });
  try {
    await consumer.connect();
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          bytes += m.value?.length ?? 0;
          if (parse && m.value) {
            try {
              JSON.parse(m.value.toString('utf8'));
            } catch {
              // not JSON: read all the same
            }
          }
        }
        records += batch.messages.length;
        if (records >= expected && cpuAtDone === undefined) {
          cpuAtDone = cpuTimes().mainThreadMs;
          finish(Date.now());
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`raw consumer read ${records} of ${expected} records within ${timeoutMs} ms`)), timeoutMs);
    });
    const doneAt = await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
    const mainThreadUsPerRecord = cpuAtJoin === undefined || cpuAtDone === undefined ? null : Number((((cpuAtDone - cpuAtJoin) * 1000) / records).toFixed(2));
    return { records, bytes, joinedAt, doneAt, mainThreadUsPerRecord };
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect().then(() => admin.deleteGroups([groupId])).catch(() => undefined);
    await admin.disconnect();
  }
}
