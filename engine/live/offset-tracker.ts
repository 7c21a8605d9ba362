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
  /** Consumed, not yet processed. */
  pending: Set<number>;
  /** Processed. Pruned below the safe offset at every checkpoint. */
  done: Set<number>;
  /** Highest consumed offset + 1. */
  next: number;
  /** Offsets to skip (restored from the last checkpoint). */
  skip: Set<number>;
  /** The restored checkpoint's safe offset (−1: none): every record below it is in the restored state. */
  restoredSafe: number;
}

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

  private state(topic: string, partition: number): PartitionState {
    let ofTopic = this.byTopic.get(topic);
    if (ofTopic === undefined) this.byTopic.set(topic, (ofTopic = []));
    let p = ofTopic[partition];
    if (p === undefined) {
      p = { topic, partition, s: { pending: new Set(), done: new Set(), next: -1, skip: new Set(), restoredSafe: -1 } };
      ofTopic[partition] = p;
      this.parts.push(p);
    }
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
    const s = this.state(topic, partition);
    const o = Number(offset);
    if (o < s.restoredSafe) return true;
    if (o + 1 > s.next) s.next = o + 1;
    if (s.skip.size > 0 && s.skip.has(o)) {
      s.skip.delete(o);
      s.done.add(o);
      return true;
    }
    return false;
  }

  consumed(topic: string, partition: number, offset: string): void {
    this.state(topic, partition).pending.add(Number(offset));
  }

  processed(topic: string, partition: number, offset: string): void {
    const s = this.state(topic, partition);
    const o = Number(offset);
    if (s.pending.delete(o)) s.done.add(o);
  }

  /** Commit position per partition, pruning what is below it. */
  progress(): PartitionProgress[] {
    const out: PartitionProgress[] = [];
    for (const { topic, partition, s } of this.parts) {
      if (s.next < 0) continue;
      let safe = s.next;
      for (const o of s.pending) if (o < safe) safe = o;
      for (const o of s.done) if (o < safe) s.done.delete(o);
      const doneAbove = [...s.done, ...s.skip].filter((o) => o >= safe).sort((a, b) => a - b).map(String);
      out.push({ topic, partition, safeOffset: String(safe), doneAbove });
    }
    return out;
  }

  /** Records consumed but not processed yet (held by the orderer). */
  get pendingCount(): number {
    let n = 0;
    for (const { s } of this.parts) n += s.pending.size;
    return n;
  }

  forgetPartition(topic: string, partition: number): void {
    const ofTopic = this.byTopic.get(topic);
    const p = ofTopic?.[partition];
    if (p === undefined) return;
    ofTopic![partition] = undefined;
    this.parts.splice(this.parts.indexOf(p), 1);
  }
}
