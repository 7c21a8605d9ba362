/**
 * Whether input partitions hold records the engine has not consumed yet —
 * what PartitionWatermarks needs before it may call a partition idle.
 *
 * The consumed position of each partition comes from the batches kafkajs
 * hands over (END_BATCH_PROCESS: also batches of transaction markers only,
 * which never reach eachBatch) and, before the first batch of an
 * assignment, from the restored checkpoint (its safe offset) or the start
 * of the log. The broker's end offsets say what is there to read.
 */
import type { Admin } from 'kafkajs';
import { splitTp, tp } from './topic-partition.js';

export class PartitionPositions {
  /** tp key → next offset to consume (undefined: the start of the log). */
  private readonly next = new Map<string, bigint>();
  /** tp key → the offset the consumer was sent back to, until a batch from there comes (see rewind). */
  private readonly rewoundTo = new Map<string, bigint>();

  /** A new assignment: positions restart from the committed offsets. */
  reset(): void {
    this.next.clear();
    this.rewoundTo.clear();
    this.brokenOff.clear();
  }

  /** The restored checkpoint's safe offsets, where no batch of this assignment said more yet. */
  restore(restored: ReadonlyMap<string, string>): void {
    for (const [k, offset] of restored) if (!this.next.has(k)) this.next.set(k, BigInt(offset));
  }

  /**
   * The consumer was sent back to `committed` (after a failed commit; a
   * partition without a commit goes back to the start of its log). Batches
   * fetched before that still report their end as they finish; they are not
   * what the consumer reads now, so they are ignored until a batch that
   * starts at or below the new position comes.
   */
  rewind(keys: readonly string[], committed: ReadonlyMap<string, string>): void {
    this.next.clear();
    this.rewoundTo.clear();
    for (const k of keys) {
      const offset = committed.get(k);
      if (offset !== undefined) this.next.set(k, BigInt(offset));
      this.rewoundTo.set(k, offset === undefined ? 0n : BigInt(offset));
    }
  }

  /** tp keys whose batch in hand the engine broke off: its end, when kafkajs reports it, was not read. */
  private readonly brokenOff = new Set<string>();

  /**
   * The engine stopped handling the batch in hand of `key` before its last
   * record (stale after a rewind, or stopping): kafkajs still reports that
   * batch as finished, with its last offset, and the position must not move
   * past records the engine never saw. After a rewind to the very offset the
   * batch starts at, `rewind` alone cannot tell it from the batch read again
   * from there: the partition looked consumed to its end, the broker
   * confirmed it empty, and event time ran past the records read again.
   */
  leftUnread(key: string): void {
    this.brokenOff.add(key);
  }

  /**
   * After a batch (offsets `firstOffset`..`lastOffset`): everything up to `lastOffset` was read. False when the
   * batch is not what the consumer reads now (see rewind, leftUnread): it says nothing about the partition.
   */
  consumed(key: string, lastOffset: string, firstOffset?: string): boolean {
    if (this.brokenOff.delete(key)) return false;
    const target = this.rewoundTo.get(key);
    if (target !== undefined) {
      if (firstOffset !== undefined && BigInt(firstOffset) > target) return false; // fetched before the rewind
      this.rewoundTo.delete(key);
    }
    const n = BigInt(lastOffset) + 1n;
    const prev = this.next.get(key);
    if (prev === undefined || n > prev) this.next.set(key, n);
    return true;
  }

  /** The next offset to consume of a partition, when known (undefined: the start of the log). */
  position(key: string): bigint | undefined {
    return this.next.get(key);
  }

  /**
   * Splits `keys` into partitions with records past the consumed position
   * (`waiting`) and partitions with nothing to read (`empty`), from the
   * broker's end offsets now.
   */
  async check(admin: Admin, keys: readonly string[]): Promise<{ waiting: string[]; empty: string[] }> {
    const byTopic = new Map<string, number[]>();
    for (const k of keys) {
      const [topic, partition] = splitTp(k);
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      list.push(partition);
    }
    const waiting: string[] = [];
    const empty: string[] = [];
    for (const [topic, partitions] of byTopic) {
      for (const o of await admin.fetchTopicOffsets(topic)) {
        if (!partitions.includes(o.partition)) continue;
        const key = tp(topic, o.partition);
        const low = BigInt(o.low);
        const known = this.next.get(key);
        const position = known !== undefined && known > low ? known : low;
        (BigInt(o.high) > position ? waiting : empty).push(key);
      }
    }
    return { waiting, empty };
  }
}

