/**
 * Materialises the compacted state changelog (like a Kafka Streams global
 * store): one consumer, outside the engine's group, reads every partition
 * from the beginning with read_committed and keeps the latest value per key.
 *
 * "Caught up" is proven with a marker, not guessed from offsets: the engine
 * writes a fresh marker to each partition it needs (in a committed
 * transaction, after every earlier transaction of a fenced predecessor has
 * been committed or aborted) and waits until the reader has seen all of them.
 * Everything committed before a marker precedes it in the partition.
 */
import type { Consumer, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { KafkaError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';

export const MARKER_PREFIX = 'm/';

export class ChangelogReader {
  private readonly consumer: Consumer;
  private readonly byPartition = new Map<number, Map<string, string>>();
  private readonly seenMarkers = new Map<string, Set<number>>();
  private readonly waiters = new Set<() => void>();
  private stopped = false;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    groupPrefix: string,
    private readonly logger: Logger,
  ) {
    // A private group: the reader always wants every partition from the start.
    // No restart after a crash once stopping: kafkajs does not cancel a restart it scheduled, and a consumer
    // coming back after disconnect() would keep the process alive (and rejoin its group).
    this.consumer = kafka.consumer({
      groupId: `${groupPrefix}.changelog-reader.${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 200,
      retry: { restartOnFailure: async () => !this.stopped },
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const key = message.key?.toString('utf8');
        if (!key) return;
        if (key.startsWith(MARKER_PREFIX)) {
          const nonce = message.value?.toString('utf8') ?? '';
          let parts = this.seenMarkers.get(nonce);
          if (!parts) this.seenMarkers.set(nonce, (parts = new Set()));
          parts.add(partition);
          for (const w of [...this.waiters]) w();
          return;
        }
        let map = this.byPartition.get(partition);
        if (!map) this.byPartition.set(partition, (map = new Map()));
        if (message.value === null) map.delete(key);
        else map.set(key, message.value.toString('utf8'));
      },
    });
  }

  /** Waits until the marker `nonce` was read on every partition in `partitions`. */
  async waitForMarker(nonce: string, partitions: readonly number[], timeoutMs: number): Promise<void> {
    const done = () => partitions.every((p) => this.seenMarkers.get(nonce)?.has(p));
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new KafkaError(`state changelog ${this.topic} did not catch up within ${timeoutMs} ms (partitions ${partitions.join(',')})`, { canRetry: true }));
      }, timeoutMs);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        this.seenMarkers.delete(nonce);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  /** Latest values of one partition (read after `waitForMarker`). */
  entries(partition: number): Array<[string, string]> {
    return [...(this.byPartition.get(partition) ?? new Map<string, string>()).entries()];
  }

  get(partition: number, key: string): string | undefined {
    return this.byPartition.get(partition)?.get(key);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    try {
      await this.consumer.disconnect();
    } catch (err) {
      this.logger.warn({ err }, 'changelog reader did not disconnect cleanly');
    }
  }
}
