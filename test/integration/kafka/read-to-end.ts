/**
 * Reads a topic from the beginning to the end offsets it had when the read
 * started, as a read_committed consumer (records of aborted transactions are
 * never returned; records of open ones hold the read until the timeout).
 *
 * "End" is tracked through kafkajs' END_BATCH_PROCESS event, which also fires
 * for batches holding only transaction markers or aborted records, so a
 * partition whose last entry is a commit marker still completes.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

export interface ReadRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  /** The value as it came (an Avro value is not UTF-8 text). */
  valueBytes: Buffer | null;
  headers: Record<string, string>;
}

export async function readToEnd(kafka: Kafka, topic: string, options: { timeoutMs?: number } = {}): Promise<ReadRecord[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `dwtest.read.${randomUUID()}`;
  let offsets: Array<{ partition: number; high: string; low: string }>;
  try {
    offsets = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  // Partition → last offset to reach (high watermark − 1); empty partitions are done already.
  const pending = new Map(offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high) - 1]));
  const records: ReadRecord[] = [];
  if (pending.size === 0) return records;

  const consumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false });
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const target = pending.get(payload.partition);
    if (payload.topic === topic && target !== undefined && Number(payload.lastOffset) >= target) pending.delete(payload.partition);
    if (pending.size === 0) finish();
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
        records.push({
          topic,
          partition,
          offset: Number(message.offset),
          key: message.key === null ? null : message.key.toString('utf8'),
          value: message.value === null ? null : message.value.toString('utf8'),
          valueBytes: message.value,
          headers,
        });
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`readToEnd(${topic}): partitions ${[...pending.keys()].join(', ')} not read to their end within ${timeoutMs} ms (open transaction?)`)),
        timeoutMs,
      );
    });
    await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
    const cleanup = kafka.admin();
    await cleanup.connect().then(() => cleanup.deleteGroups([groupId])).catch(() => undefined);
    await cleanup.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
