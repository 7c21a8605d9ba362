/**
 * Which input offsets are safe to commit.
 *
 * The event-time orderer holds events back until the frontier passes them, so
 * at commit time some consumed records are still buffered. Committing past
 * them would lose them in a crash; committing only up to the first buffered
 * record per partition ("safe offset") re-delivers them after a restart —
 * along with records above it that were already processed (released out of
 * offset order, dead-lettered, or dropped as duplicates). Those are listed in
 * `doneAbove` and stored with the checkpoint, so the restarted engine skips
 * them: every record takes effect exactly once.
 */
export interface PartitionProgress {
  topic: string;
  partition: number;
  /** Next offset to consume after a restart. */
  safeOffset: string;
  /** Offsets ≥ safeOffset already processed; skip them when they come again. */
  doneAbove: string[];
}

/**
 * Offsets are kept as numbers: exact up to 2^53, which no partition reaches
 * (BigInt arithmetic on every record cost ~5 % of the engine's time).
 */
interface PartitionState {
  /** Consumed, not yet processed ("pending"), and processed ("done"; pruned below the safe offset at every checkpoint). */
  offsets: OffsetWindow;
  /** Highest consumed offset + 1. */
  next: number;
  /** Offsets to skip (restored from the last checkpoint). */
  skip: Set<number>;
  /** The restored checkpoint's safe offset (−1: none): every record below it is in the restored state. */
  restoredSafe: number;
}

import { OffsetWindow } from './offset-window.js';

interface Part {
  topic: string;
  partition: number;
  s: PartitionState;
}

export class OffsetTracker {
  /**
   * topic → partition number → state. Looked up three times per record, so
   * no key string is built per lookup: a `topic\0partition` string made per
   * call had to be hashed afresh every time (a third of the live engine's
   * per-record bookkeeping).
   */
  private readonly byTopic = new Map<string, Array<Part | undefined>>();
  /** Every partition, in the order first seen (progress() reports them in it). */
  private readonly parts: Part[] = [];
  /** The partition looked up last: a batch's records are all of one partition. */
  private last: Part | undefined;

  private state(topic: string, partition: number): PartitionState {
    const last = this.last;
    if (last !== undefined && last.partition === partition && last.topic === topic) return last.s;
    let ofTopic = this.byTopic.get(topic);
    if (ofTopic === undefined) this.byTopic.set(topic, (ofTopic = []));
    let p = ofTopic[partition];
    if (p === undefined) {
      p = { topic, partition, s: { offsets: new OffsetWindow(), next: -1, skip: new Set(), restoredSafe: -1 } };
      ofTopic[partition] = p;
      this.parts.push(p);
    }
    this.last = p;
    return p.s;
  }

  /** Restores what the last checkpoint said about a partition. */
  restore(progress: PartitionProgress): void {
    const s = this.state(progress.topic, progress.partition);
    s.skip = new Set(progress.doneAbove.map(Number));
    s.next = Number(progress.safeOffset);
    s.restoredSafe = s.next;
  }

  /**
   * True when the record was already processed before the last checkpoint (a re-delivery to skip): listed
   * above its safe offset, or below it. The consumer may start below it: a commit still in flight when a new
   * group member fetched the committed offsets lands before the restore (which waits for it), so the restored
   * state holds records the consumer then reads again.
   */
  shouldSkip(topic: string, partition: number, offset: string): boolean {
    return this.#shouldSkip(this.state(topic, partition), Number(offset));
  }

  consumed(topic: string, partition: number, offset: string): void {
    this.state(topic, partition).offsets.addPending(Number(offset));
  }

  /**
   * A record as it arrives: false for a re-delivery to skip (`shouldSkip`), else it is consumed (`consumed`) and
   * true. One lookup and one parse of the offset for both, as every record takes this path.
   */
  take(topic: string, partition: number, offset: string): boolean {
    const s = this.state(topic, partition);
    const o = Number(offset);
    if (this.#shouldSkip(s, o)) return false;
    s.offsets.addPending(o);
    return true;
  }

  #shouldSkip(s: PartitionState, o: number): boolean {
    if (o < s.restoredSafe) return true;
    if (o + 1 > s.next) s.next = o + 1;
    if (s.skip.size > 0 && s.skip.has(o)) {
      s.skip.delete(o);
      s.offsets.addDone(o);
      return true;
    }
    return false;
  }

  processed(topic: string, partition: number, offset: string): void {
    this.state(topic, partition).offsets.pendingToDone(Number(offset));
  }

  /** Commit position per partition, pruning what is below it. */
  progress(): PartitionProgress[] {
    const out: PartitionProgress[] = [];
    for (const { topic, partition, s } of this.parts) {
      if (s.next < 0) continue;
      const safe = s.offsets.firstPendingBelow(s.next);
      s.offsets.dropDoneBelow(safe);
      const doneAbove = [...s.offsets.done(), ...s.skip].filter((o) => o >= safe).sort((a, b) => a - b).map(String);
      out.push({ topic, partition, safeOffset: String(safe), doneAbove });
    }
    return out;
  }

  /** Records consumed but not processed yet (held by the orderer). */
  get pendingCount(): number {
    let n = 0;
    for (const { s } of this.parts) n += s.offsets.pendingCount;
    return n;
  }

  forgetPartition(topic: string, partition: number): void {
    const ofTopic = this.byTopic.get(topic);
    const p = ofTopic?.[partition];
    if (p === undefined) return;
    ofTopic![partition] = undefined;
    if (this.last === p) this.last = undefined;
    this.parts.splice(this.parts.indexOf(p), 1);
  }
}
