/** The pipeline's decode backpressure (waitForCapacity's `maxUndecoded`, `undecodedIn`). */
import type { DecodeQueueListener, RawRecord } from '../processors/decode.js';

/**
 * The records waiting in the decode queue (decodeRecords reports them): how
 * many in all and per input partition, and who waits for the count to drop.
 * Only records that wait are counted, so synchronous (JSON) decoding costs
 * nothing here.
 */
export class DecodeQueue implements DecodeQueueListener {
  total = 0;
  private readonly byPartition = new Map<string, Map<number, number>>();
  private readonly waiters: Array<{ max: number; resolve: () => void }> = [];

  in(topic: string, partition: number): number {
    return this.total === 0 ? 0 : (this.byPartition.get(topic)?.get(partition) ?? 0);
  }

  queued(record: RawRecord): void {
    this.total++;
    this.count(record, 1);
  }

  released(record: RawRecord): void {
    this.total--;
    this.count(record, -1);
    if (this.waiters.length === 0) return;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (this.total <= w.max) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Resolves once at most `max` records wait. */
  roomFor(max: number): Promise<void> | undefined {
    if (this.total <= max) return undefined;
    return new Promise((resolve) => this.waiters.push({ max, resolve }));
  }

  private count(record: RawRecord, by: number): void {
    const { topic, partition } = record.source ?? {};
    if (topic === undefined || partition === undefined) return;
    let partitions = this.byPartition.get(topic);
    if (partitions === undefined) this.byPartition.set(topic, (partitions = new Map()));
    const n = (partitions.get(partition) ?? 0) + by;
    if (n === 0) partitions.delete(partition);
    else partitions.set(partition, n);
  }
}
