/**
 * Samples the process's memory every `intervalMs` (default 100 ms) and keeps
 * the peaks. Samples are taken between chunks of work (timers run when the
 * measured code awaits), which is where the replay pauses anyway.
 *
 * Peak heapUsed includes garbage not yet collected, so it depends on when V8
 * chose to collect. Every `liveEveryMs` (default 2 s) the sampler also forces
 * a full GC (needs --expose-gc) and records the heap that survives it: the
 * retained ("live") heap, the figure that shows whether state is bounded.
 */
export interface MemoryPeaks {
  /** After a full GC, before the measured work. */
  startRssBytes: number;
  startHeapUsedBytes: number;
  peakRssBytes: number;
  peakHeapUsedBytes: number;
  /** Largest heap surviving a forced full GC (0 without --expose-gc). */
  peakLiveHeapBytes: number;
  samples: number;
}

export class MemorySampler {
  private readonly peaks: MemoryPeaks;
  private timer: NodeJS.Timeout | undefined;
  private lastLive = 0;
  private readonly gc = (globalThis as { gc?: () => void }).gc;

  constructor(
    private readonly intervalMs = 100,
    private readonly liveEveryMs = 2000,
  ) {
    this.gc?.();
    const m = process.memoryUsage();
    this.peaks = { startRssBytes: m.rss, startHeapUsedBytes: m.heapUsed, peakRssBytes: m.rss, peakHeapUsedBytes: m.heapUsed, peakLiveHeapBytes: 0, samples: 1 };
    this.lastLive = performance.now();
  }

  start(): void {
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  sample(): void {
    const m = process.memoryUsage();
    const p = this.peaks;
    p.samples++;
    if (m.rss > p.peakRssBytes) p.peakRssBytes = m.rss;
    if (m.heapUsed > p.peakHeapUsedBytes) p.peakHeapUsedBytes = m.heapUsed;
    if (this.gc && performance.now() - this.lastLive >= this.liveEveryMs) {
      this.gc();
      const live = process.memoryUsage().heapUsed;
      if (live > p.peakLiveHeapBytes) p.peakLiveHeapBytes = live;
      this.lastLive = performance.now();
    }
  }

  stop(): MemoryPeaks {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return { ...this.peaks };
  }
}
