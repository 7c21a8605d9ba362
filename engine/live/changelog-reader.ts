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
 *
 * The reader must outlive broker outages: kafkajs does not restart a consumer
 * after a non-retriable error (a group coordinator it cannot find while the
 * broker restarts is one), and a reader that stopped would leave every later
 * restore waiting for markers it never reads. So a crash without a restart
 * starts a new consumer in a new private group, which reads the changelog
 * from the beginning again (its view is rebuilt, not patched). So does a
 * consumer stuck in kafkajs's own disconnect after a crash (stuck-consumer.ts).
 * Each consumer's group is deleted once the consumer is out of it — a
 * replaced one's after its disconnect, the last one's when the reader stops
 * (reader-group-cleanup.ts) — so no empty group is left behind.
 *
 * Each fetch the broker answers (empty ones too, every 200 ms while caught
 * up) is reported (`onAnswer`): through a restore the group member fetches
 * and heartbeats nothing, and a restore reading a long changelog for more
 * than a session timeout is not a broker that went silent (broker-contact.ts).
 */
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { KafkaError, StopRequestedError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { watchForStuckStop } from './stuck-consumer.js';
import { replaceUntilRunning } from './consumer-replacement.js';
import { ReaderGroupCleanup } from './reader-group-cleanup.js';

export const MARKER_PREFIX = 'm/';

export class ChangelogReader {
  private consumer: Consumer;
  /** The group of each consumer this reader made (kafkajs does not tell a consumer's group). */
  private readonly groupOf = new WeakMap<Consumer, string>();
  /** Consumers that connected: only they can have made their group (a start that failed before has none to delete). */
  private readonly connected = new WeakSet<Consumer>();
  private readonly groups: ReaderGroupCleanup;
  private readonly byPartition = new Map<number, Map<string, string>>();
  private readonly seenMarkers = new Map<string, Set<number>>();
  private readonly waiters = new Set<() => void>();
  /** Each waiting restore's way to fail (abandonWaits). */
  private readonly abandoners = new Set<(err: Error) => void>();
  private abandoned = false;
  private stopped = false;
  private replacing = false;

  constructor(
    private readonly kafka: Kafka,
    /** Connected before the reader is stopped, disconnected after: deletes the reader's groups. */
    admin: Pick<Admin, 'deleteGroups'>,
    private readonly topic: string,
    private readonly groupPrefix: string,
    private readonly logger: Logger,
    /** See stuck-consumer.ts (tests shorten it). */
    private readonly stuckAfterMs?: number,
    /** The broker answered one of the reader's fetches. */
    private readonly onAnswer?: () => void,
  ) {
    this.groups = new ReaderGroupCleanup(admin, logger);
    this.consumer = this.createConsumer();
  }

  private createConsumer(): Consumer {
    // A private group: the reader always wants every partition from the start.
    // No restart after a crash once stopping: kafkajs does not cancel a restart it scheduled, and a consumer
    // coming back after disconnect() would keep the process alive (and rejoin its group).
    const groupId = `${this.groupPrefix}.changelog-reader.${randomUUID()}`;
    const consumer = this.kafka.consumer({
      groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 200,
      retry: { restartOnFailure: async () => !this.stopped && consumer === this.consumer },
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart && !this.stopped && consumer === this.consumer) void this.replace(e.payload.error);
    });
    consumer.on(consumer.events.FETCH, () => {
      if (consumer === this.consumer) this.onAnswer?.();
    });
    watchForStuckStop(consumer, {
      afterMs: this.stuckAfterMs,
      stopping: () => this.stopped || consumer !== this.consumer,
      onStuck: () => void this.replace(new Error('the changelog consumer stopped and neither restarted nor reported a crash (stuck in its disconnect)')),
    });
    this.groupOf.set(consumer, groupId);
    return consumer;
  }

  /** A new consumer after the current one stopped for good (see the module comment); tried until it runs. */
  private async replace(cause: Error): Promise<void> {
    // One replacement at a time: the consumer being replaced can still report its crash meanwhile.
    if (this.replacing) return;
    this.replacing = true;
    try {
      await this.replaceNow(cause);
    } finally {
      this.replacing = false;
    }
  }

  private async replaceNow(cause: Error): Promise<void> {
    this.logger.warn({ err: cause }, 'changelog reader stopped; reading the changelog again with a new consumer');
    await replaceUntilRunning({
      stopped: () => this.stopped,
      install: () => {
        // The markers go with the values they vouch for: a marker the old consumer saw must not satisfy a restore
        // before the new one has read the values again (kafkajs may go on with another partition's batch after the
        // failing one, so the old consumer can have seen markers; a restore would then read an empty partition).
        this.byPartition.clear();
        this.seenMarkers.clear();
        const old = this.consumer;
        this.consumer = this.createConsumer();
        return { old, fresh: this.consumer };
      },
      run: () => this.start(),
      retired: (old) => this.deleteGroupOf(old),
      log: this.logger,
      what: 'changelog reader',
    });
  }

  async start(): Promise<void> {
    const consumer = this.consumer;
    await consumer.connect();
    this.connected.add(consumer);
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (consumer !== this.consumer) return; // a replaced consumer's last messages: the new one reads them again
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

  /**
   * Waits until the marker `nonce` was read on every partition in `partitions`. Fails with StopRequestedError once
   * `abandonWaits` was called: reading a long changelog to the marker can outlast a stop's deadline.
   */
  async waitForMarker(nonce: string, partitions: readonly number[], timeoutMs: number): Promise<void> {
    const done = () => partitions.every((p) => this.seenMarkers.get(nonce)?.has(p));
    if (done()) return;
    if (this.abandoned) throw abandonedWait();
    await new Promise<void>((resolve, reject) => {
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        this.abandoners.delete(finish);
        if (err) return reject(err);
        this.seenMarkers.delete(nonce);
        resolve();
      };
      const timer = setTimeout(
        () => finish(new KafkaError(`state changelog ${this.topic} did not catch up within ${timeoutMs} ms (partitions ${partitions.join(',')})`, { canRetry: true })),
        timeoutMs,
      );
      const check = () => {
        if (done()) finish();
      };
      this.waiters.add(check);
      this.abandoners.add(finish);
    });
  }

  /**
   * The instance is stopping: every restore waiting for its marker, and any that would wait from now on, fails with
   * StopRequestedError (nothing was processed with the state it was restoring), so the stop does not wait for it.
   */
  abandonWaits(): void {
    this.abandoned = true;
    for (const abandon of [...this.abandoners]) abandon(abandonedWait());
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
    await this.deleteGroupOf(this.consumer);
  }

  private async deleteGroupOf(consumer: Consumer): Promise<void> {
    const groupId = this.groupOf.get(consumer);
    // Not asked for a group that cannot exist: after a start that failed on an unreachable broker, the admin would
    // retry the deletion for its 5 s before the process could exit.
    if (groupId && this.connected.has(consumer)) await this.groups.delete(groupId);
  }
}

function abandonedWait(): StopRequestedError {
  return new StopRequestedError('stopping: the state restore in progress was given up');
}
