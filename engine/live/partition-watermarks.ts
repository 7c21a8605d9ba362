/**
 * Per-partition watermarks, combined as the minimum over owned partitions
 * (SPEC §4.7). A partition that has been idle (no events) for longer than
 * the idle timeout is left out of the minimum — like Flink's `withIdleness` —
 * so one quiet partition cannot stall detection. When every partition is
 * idle, event time is assumed to go on at wall-clock speed from the newest
 * event seen, so the last windows and timers still fire when producers stop
 * ("an idle-partition timeout keeps the watermark moving"). Wall-clock time
 * is injected.
 *
 * Idle means "nothing to read", not "nothing handled lately". The engine may
 * not get round to a partition for longer than the timeout while records
 * wait in it — catching up after a restart, working through one large fetch,
 * or when a burst follows a quiet spell and the first batch handled covers
 * far more event time than the others. Leaving such a partition out would
 * carry event time past its waiting records and make them all late. So a
 * partition is left out only when, besides the timeout, the broker has
 * confirmed it holds nothing past the consumed position (`idleCandidates` →
 * the runner asks for end offsets → `confirmIdle` or `setBacklog`), and
 * confirmations are dropped whenever any idle partition (confirmed or not) wakes up (records
 * usually arrive everywhere at once: the others must be looked at again).
 * A partition whose last batch said more records wait (offset lag) is never idle.
 *
 * Activity is an event that will be processed (`observe`), not a batch read:
 * records without an event time of their own — dead letters, duplicates —
 * leave the partition's event time where it was, so a partition delivering
 * only those would otherwise never go idle and hold the minimum, and with it
 * every other partition's events, at its last event for as long as they come.
 * Records of that kind still waiting to be read are covered by the backlog.
 *
 * Nor is a partition idle while records it delivered wait to be decoded
 * (`waitingToDecode`: an Avro record waiting for its schema, through a
 * schema-registry outage, and the records queued behind it). They count as
 * consumed, so the broker confirms nothing is left past the consumed
 * position; taken for idle, the partition — and when all are, event time at
 * wall-clock speed — would carry the frontier past the held records, and
 * when the registry answered they would all be late, with grace ends and
 * escalations fired without them (replay of the same input sees them as
 * events). Such a partition holds the minimum at its last event time until
 * its records are decoded.
 */
export class PartitionWatermarks {
  private readonly maxSeen = new Map<string, number>();
  private readonly lastActive = new Map<string, number>();
  /** Partitions with records waiting to be consumed. */
  private readonly backlog = new Set<string>();
  /** Idle partitions the broker confirmed to be empty past the consumed position. */
  private readonly confirmed = new Set<string>();
  /** The newest event time the last commit vouches for (see `resume`); −∞ before any. */
  private resumedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly allowedLatenessMs: number,
    private readonly idleTimeoutMs: number,
    /** Whether records of `partition` were consumed and wait to be decoded (engine/pipeline.ts `undecodedIn`). */
    private readonly waitingToDecode: (partition: string) => boolean = () => false,
  ) {}

  /** Partitions the engine owns now; others are forgotten. */
  assign(partitions: readonly string[], now: number): void {
    const keep = new Set(partitions);
    for (const k of [...this.maxSeen.keys()]) if (!keep.has(k)) this.maxSeen.delete(k);
    for (const k of [...this.lastActive.keys()]) if (!keep.has(k)) this.lastActive.delete(k);
    for (const k of [...this.backlog]) if (!keep.has(k)) this.backlog.delete(k);
    for (const k of [...this.confirmed]) if (!keep.has(k)) this.confirmed.delete(k);
    for (const k of partitions) if (!this.lastActive.has(k)) this.lastActive.set(k, now);
  }

  /** An event of `partition` that will be processed: its event time, and the partition is active. */
  observe(partition: string, eventTime: number, now: number): void {
    const prev = this.maxSeen.get(partition);
    if (prev === undefined || eventTime > prev) this.maxSeen.set(partition, eventTime);
    this.active(partition, now);
  }

  private active(partition: string, now: number): void {
    // An idle partition woke up: the others may have records by now too. Idle means past the timeout, confirmed or
    // not yet: a partition whose broker check had not come round yet wakes with records that can run far ahead of
    // the confirmed ones' next records (a burst covers much event time), and must not carry event time past them.
    if (this.confirmed.size > 0 && (this.confirmed.has(partition) || now - (this.lastActive.get(partition) ?? now) > this.idleTimeoutMs)) {
      this.confirmed.clear();
    }
    this.lastActive.set(partition, now);
  }

  /** Whether records are waiting in the partition beyond the consumed ones (a partition with a backlog is never idle). */
  setBacklog(partition: string, waiting: boolean): void {
    if (waiting) {
      this.backlog.add(partition);
      this.confirmed.delete(partition);
    } else {
      this.backlog.delete(partition);
    }
  }

  /**
   * Partitions past the idle timeout, without a known backlog, not yet confirmed empty, with no records waiting to be
   * decoded: ask the broker about these.
   */
  idleCandidates(now: number): string[] {
    const out: string[] = [];
    for (const [k, last] of this.lastActive) {
      if (now - last > this.idleTimeoutMs && !this.backlog.has(k) && !this.confirmed.has(k) && !this.waitingToDecode(k)) out.push(k);
    }
    return out;
  }

  /** The broker holds nothing past the consumed position of `partition`: it may be left out of the minimum. */
  /**
   * After a restore: event time resumes at the committed `frontier`. The
   * partitions' own newest event times are not restored (records consumed
   * but not committed come again and must not find event time past them), so
   * without this an engine restarted into a quiet period would know no event
   * time at all and its timers (grace ends, escalations) would wait for the
   * next record. With it, once every partition is confirmed idle, event time
   * goes on at wall-clock speed from the newest event time that frontier
   * implies (frontier + 2 × lateness), as it would have without the restart.
   */
  resume(frontier: number): void {
    if (Number.isFinite(frontier)) this.resumedAt = Math.max(this.resumedAt, frontier + 2 * this.allowedLatenessMs);
  }

  confirmIdle(partition: string): void {
    if (this.lastActive.has(partition)) this.confirmed.add(partition);
  }

  /**
   * Combined watermark: min over active partitions of (maxSeen − lateness).
   * A partition with no event yet holds the watermark back until it goes idle;
   * one with records waiting to be decoded is never left out.
   * When every partition is idle, the max over partitions is used so the
   * engine still finishes windows and timers of the data it has.
   */
  watermark(now: number): number {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let lastActivity = Number.NEGATIVE_INFINITY;
    let active = 0;
    for (const [k, last] of this.lastActive) {
      const seen = this.maxSeen.get(k) ?? Number.NEGATIVE_INFINITY;
      if (seen > max) max = seen;
      if (last > lastActivity) lastActivity = last;
      if (now - last > this.idleTimeoutMs && this.confirmed.has(k) && !this.waitingToDecode(k)) continue;
      active++;
      if (seen < min) min = seen;
    }
    if (this.resumedAt > max) max = this.resumedAt;
    const base = active > 0 ? min : max + Math.max(0, now - lastActivity - this.idleTimeoutMs);
    return base - this.allowedLatenessMs;
  }

  /** The frontier: events older than this are late (watermark − lateness). */
  frontier(now: number): number {
    return this.watermark(now) - this.allowedLatenessMs;
  }

  /** For checkpoints: restart with the same watermarks. */
  snapshot(): Array<[string, number]> {
    return [...this.maxSeen.entries()];
  }

  restore(entries: Array<[string, number]>, now: number): void {
    for (const [k, v] of entries) {
      this.maxSeen.set(k, v);
      if (!this.lastActive.has(k)) this.lastActive.set(k, now);
    }
  }
}
