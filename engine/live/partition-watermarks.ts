/**
 * Per-partition watermarks, combined as the minimum over owned partitions
 * (SPEC §4.7). A partition that has been idle (no records) for longer than
 * the idle timeout is left out of the minimum — like Flink's `withIdleness` —
 * so one quiet partition cannot stall detection. When every partition is
 * idle, event time is assumed to go on at wall-clock speed from the newest
 * event seen, so the last windows and timers still fire when producers stop
 * ("an idle-partition timeout keeps the watermark moving"). Wall-clock time
 * is injected.
 */
export class PartitionWatermarks {
  private readonly maxSeen = new Map<string, number>();
  private readonly lastActive = new Map<string, number>();

  constructor(
    private readonly allowedLatenessMs: number,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Partitions the engine owns now; others are forgotten. */
  assign(partitions: readonly string[], now: number): void {
    const keep = new Set(partitions);
    for (const k of [...this.maxSeen.keys()]) if (!keep.has(k)) this.maxSeen.delete(k);
    for (const k of [...this.lastActive.keys()]) if (!keep.has(k)) this.lastActive.delete(k);
    for (const k of partitions) if (!this.lastActive.has(k)) this.lastActive.set(k, now);
  }

  observe(partition: string, eventTime: number, now: number): void {
    const prev = this.maxSeen.get(partition);
    if (prev === undefined || eventTime > prev) this.maxSeen.set(partition, eventTime);
    this.lastActive.set(partition, now);
  }

  /** Marks a partition active without an event (e.g. a fetch returned records that were all skipped). */
  touch(partition: string, now: number): void {
    this.lastActive.set(partition, now);
  }

  /**
   * Combined watermark: min over active partitions of (maxSeen − lateness).
   * A partition with no event yet holds the watermark back until it goes idle.
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
      if (now - last > this.idleTimeoutMs) continue;
      active++;
      if (seen < min) min = seen;
    }
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
