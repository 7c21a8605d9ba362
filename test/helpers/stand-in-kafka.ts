/**
 * A stand-in for the kafkajs client (a mock, said so): enough of its
 * producer, consumer and admin for the live engine's own decisions to be
 * tested in-process, on virtual time, without a broker. What the broker
 * does is the live integration tests' to show.
 *
 * - Producers run transactions in memory (`during` runs inside each send);
 *   a committed transaction's messages reach every running consumer of their
 *   topic that reads message by message (the changelog reader), and its
 *   offsets are kept in `committedOffsets`.
 * - A consumer that reads in batches (the engine's group member) is driven
 *   by the test: `join` (GROUP_JOIN), then `batch` (eachBatch, then
 *   END_BATCH_PROCESS, as kafkajs does), which also moves the partition's end
 *   offset the admin reports.
 */
import { EventEmitter } from 'node:events';
import type { Admin, Consumer, ConsumerRunConfig, EachBatchPayload, Kafka, Producer } from 'kafkajs';

export interface TransactionStats {
  producers: number;
  begun: number;
  committed: number;
  aborted: number;
}

interface Sent {
  topic: string;
  messages: Array<{ key?: unknown; value?: unknown; partition?: number }>;
}

/** A record of a batch: its offset is its place in the batch after `from`. */
export interface BatchRecord {
  value: string | Buffer;
  key?: string;
}

const EVENTS = {
  GROUP_JOIN: 'consumer.group_join',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  REBALANCING: 'consumer.rebalancing',
  CRASH: 'consumer.crash',
  STOP: 'consumer.stop',
  FETCH: 'consumer.fetch',
  HEARTBEAT: 'consumer.heartbeat',
} as const;

export class StandInConsumer {
  readonly events = EVENTS;
  readonly topics: string[] = [];
  /** Heartbeats the consumer sent from its batches (eachBatch's `heartbeat`). */
  heartbeats = 0;
  private readonly emitter = new EventEmitter();
  private config: ConsumerRunConfig | undefined;
  /** Deliveries waiting while `hold` holds them. */
  private held: Array<() => Promise<void>> | undefined;

  constructor(
    private readonly kafka: StandInKafka,
    readonly groupId: string,
  ) {}

  on(event: string, listener: (e: { payload: unknown }) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {
    this.config = undefined;
  }
  async subscribe({ topic }: { topic: string }): Promise<void> {
    this.topics.push(topic);
  }
  async run(config: ConsumerRunConfig): Promise<void> {
    this.config = config;
  }
  seek(): void {}

  get running(): boolean {
    return this.config !== undefined;
  }

  /** A committed message of a subscribed topic, for a consumer reading message by message. */
  async deliver(topic: string, partition: number, message: { key: Buffer | null; value: Buffer | null; offset: string }): Promise<void> {
    if (this.held) return void this.held.push(() => this.deliver(topic, partition, message));
    if (!this.topics.includes(topic) || !this.config?.eachMessage) return;
    await this.config.eachMessage({ topic, partition, message, heartbeat: async () => undefined, pause: () => () => undefined } as never);
  }

  /**
   * Committed messages reach this consumer only once the returned release is called, in order (a reader still
   * fetching its way through a long changelog); its fetches meanwhile are the test's (`fetched`).
   */
  hold(): () => Promise<void> {
    const held: Array<() => Promise<void>> = (this.held = []);
    return async () => {
      this.held = undefined;
      for (const deliver of held) await deliver();
    };
  }

  /**
   * The consumer crashes, as kafkajs reports it (CRASH) after `eachBatch` threw `error`; `restart`: whether kafkajs
   * will restart it (only after a retriable error).
   */
  crash(error: Error, restart = false): void {
    this.emitter.emit(EVENTS.CRASH, { payload: { error, groupId: this.groupId, restart } });
  }

  /** kafkajs learns that its group is rebalancing and starts rejoining (REBALANCING): every partition is revoked until `join`. */
  rebalance(): void {
    this.emitter.emit(EVENTS.REBALANCING, { payload: { groupId: this.groupId } });
  }

  /** The broker answered a fetch (kafkajs' FETCH: empty ones too, every 250 ms at most while the consumer reads). */
  fetched(): void {
    this.emitter.emit(EVENTS.FETCH, { payload: { numberOfBatches: 0, duration: 1 } });
  }

  /** The broker answered a heartbeat (kafkajs' HEARTBEAT: e.g. one sent while a batch is held by backpressure). */
  beat(): void {
    this.emitter.emit(EVENTS.HEARTBEAT, { payload: { groupId: this.groupId } });
  }

  /** This member joins its group with `assignment` (topic → partitions). */
  join(assignment: Record<string, number[]>): void {
    this.emitter.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: assignment } });
  }

  /**
   * One batch of `records` at offsets `from`, `from + 1`…, with `waiting`
   * more records behind it in the partition (its offset lag); resolves when
   * the consumer has handled it.
   */
  async batch(topic: string, partition: number, from: number, records: readonly BatchRecord[], waiting = 0): Promise<void> {
    const eachBatch = this.config?.eachBatch;
    if (!eachBatch) throw new Error(`consumer of ${this.groupId} is not running with eachBatch`);
    const lastOffset = String(from + records.length - 1);
    this.kafka.setEnd(topic, partition, from + records.length + waiting);
    const messages = records.map((r, i) => ({
      offset: String(from + i),
      key: r.key === undefined ? null : Buffer.from(r.key),
      value: Buffer.from(r.value),
      headers: {},
      timestamp: '0',
      attributes: 0,
    }));
    const batch = { topic, partition, messages, firstOffset: () => String(from), lastOffset: () => lastOffset, offsetLag: () => String(waiting) };
    const heartbeat = async (): Promise<void> => {
      this.heartbeats++;
      this.beat();
    };
    this.fetched();
    await eachBatch({ batch, isStale: () => false, isRunning: () => true, heartbeat } as unknown as EachBatchPayload);
    this.emitter.emit(EVENTS.END_BATCH_PROCESS, { payload: { topic, partition, firstOffset: String(from), lastOffset, offsetLag: String(waiting) } });
  }
}

export class StandInKafka {
  readonly stats: TransactionStats = { producers: 0, begun: 0, committed: 0, aborted: 0 };
  readonly consumers: StandInConsumer[] = [];
  /** Offsets committed through transactions: `topic/partition` → offset. */
  readonly committedOffsets = new Map<string, string>();
  /** Messages of committed transactions, by topic. */
  readonly produced = new Map<string, Sent['messages']>();
  private readonly ends = new Map<string, number>();
  private readonly offsets = new Map<string, number>();
  /** Groups the admin was asked to delete. */
  readonly deletedGroups: string[] = [];
  /** The broker is away: the admin's end-offset and committed-offset reads fail (kafkajs gives up after its retries). */
  unreachable = false;
  /** Set: the broker refuses the next transaction's commit request with it (once); the transaction is left to abort. */
  refuseCommit: Error | null = null;

  constructor(
    /** Partitions of every topic, as the admin reports them. */
    private readonly partitions = 1,
    /** Runs inside each send and sendOffsets of a transaction. */
    private readonly during: () => Promise<void> = async () => undefined,
  ) {}

  get client(): Kafka {
    return {
      producer: () => this.producer(),
      consumer: ({ groupId }: { groupId: string }) => {
        const consumer = new StandInConsumer(this, groupId);
        this.consumers.push(consumer);
        return consumer as unknown as Consumer;
      },
      admin: () => this.admin(),
    } as unknown as Kafka;
  }

  /** The consumer of `groupId` (the latest one, if it was replaced). */
  consumer(groupId: string): StandInConsumer {
    const found = this.consumers.filter((c) => c.groupId === groupId).at(-1);
    if (!found) throw new Error(`no consumer of group ${groupId}`);
    return found;
  }

  setEnd(topic: string, partition: number, end: number): void {
    const key = `${topic}/${partition}`;
    this.ends.set(key, Math.max(end, this.ends.get(key) ?? 0));
  }

  private producer(): Producer {
    this.stats.producers++;
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      transaction: async () => {
        this.stats.begun++;
        const sent: Sent[] = [];
        const offsets: Array<[string, string]> = [];
        return {
          send: async (record: Sent) => {
            await this.during();
            sent.push(record);
          },
          sendOffsets: async ({ topics }: { topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> }) => {
            await this.during();
            for (const t of topics) for (const p of t.partitions) offsets.push([`${t.topic}/${p.partition}`, p.offset]);
          },
          commit: async () => {
            const refused = this.refuseCommit;
            this.refuseCommit = null;
            if (refused) throw refused;
            this.stats.committed++;
            for (const [k, offset] of offsets) this.committedOffsets.set(k, offset);
            for (const record of sent) await this.publish(record);
          },
          abort: async () => void this.stats.aborted++,
        };
      },
    } as unknown as Producer;
  }

  private async publish({ topic, messages }: Sent): Promise<void> {
    let list = this.produced.get(topic);
    if (!list) this.produced.set(topic, (list = []));
    list.push(...messages);
    for (const m of messages) {
      const partition = m.partition ?? 0;
      const key = `${topic}/${partition}`;
      const offset = this.offsets.get(key) ?? 0;
      this.offsets.set(key, offset + 1);
      const message = { key: bytes(m.key), value: bytes(m.value), offset: String(offset) };
      for (const c of this.consumers) if (c.running) await c.deliver(topic, partition, message);
    }
  }

  private admin(): Admin {
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchTopicOffsets: async (topic: string) => {
        if (this.unreachable) throw new Error('Connection error: connect ECONNREFUSED');
        return Array.from({ length: this.partitions }, (_, partition) => {
          const high = String(this.ends.get(`${topic}/${partition}`) ?? 0);
          return { partition, offset: high, high, low: '0' };
        });
      },
      // The group's commits (committedOffsets), -1 where there is none, as kafkajs answers.
      fetchOffsets: async ({ topics }: { groupId: string; topics: string[] }) =>
        topics.map((topic) => ({
          topic,
          partitions: Array.from({ length: this.partitions }, (_, partition) => ({
            partition,
            offset: this.committedOffsets.get(`${topic}/${partition}`) ?? '-1',
            metadata: null,
          })),
        })),
      describeGroups: async () => ({ groups: [] }),
      deleteGroups: async (groupIds: string[]) => {
        this.deletedGroups.push(...groupIds);
        return groupIds.map((groupId) => ({ groupId, errorCode: 0 }));
      },
      fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
        topics: topics.map((name) => ({ name, partitions: Array.from({ length: this.partitions }, (_, partitionId) => ({ partitionId })) })),
      }),
    } as unknown as Admin;
  }
}

function bytes(v: unknown): Buffer | null {
  if (v === null || v === undefined) return null;
  return Buffer.isBuffer(v) ? v : Buffer.from(String(v));
}

/** An error as kafkajs raises one the broker answered with (`type`: the protocol error, e.g. NOT_COORDINATOR, PRODUCER_FENCED). */
export function kafkaProtocolError(type: string, message: string = type): Error {
  const err = new Error(message);
  err.name = 'KafkaJSProtocolError';
  (err as Error & { type: string }).type = type;
  return err;
}
