/**
 * Did a broker fault lose records the broker had acknowledged? The soak's
 * broker is one node (replication factor 1): with acks=all a record is
 * acknowledged once the leader — the only replica — has appended it, and
 * Kafka 4.1 by default never fsyncs on a produce (`log.flush.interval.*`
 * unset: the OS page cache holds it). A kill -9 of the JVM leaves the page
 * cache alone, so nothing acknowledged should go; only an OS crash or power
 * loss could take what was not yet flushed, and one broker has no replica to
 * recover it from (README of test/soak: Broker killed). This checks rather
 * than assumes it: every partition's end offset before the fault against the
 * same partition's after the broker is back. An offset is never reused, so
 * an end offset that went down is records lost.
 */
import type { Kafka } from 'kafkajs';

/** `topic/partition` → end offset (high watermark: with one replica, the last acknowledged record + 1). */
export type EndOffsets = ReadonlyMap<string, number>;

export async function endOffsets(kafka: Kafka, topics: readonly string[]): Promise<EndOffsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out = new Map<string, number>();
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) out.set(`${topic}/${p.partition}`, Number(p.high));
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Per partition whose end offset went down across the fault: how many acknowledged records it lost. */
export function lostRecords(before: EndOffsets, after: EndOffsets): Record<string, number> {
  const lost: Record<string, number> = {};
  for (const [tp, end] of before) {
    const now = after.get(tp) ?? 0; // a partition gone altogether lost everything
    if (now < end) lost[tp] = end - now;
  }
  return lost;
}
