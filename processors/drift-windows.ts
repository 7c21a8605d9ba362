/**
 * 5-minute drift windows per key, plus a per-env rollup (SPEC §5).
 *
 * Consumes `observation` facts (judged by the state-drift processor), `event`
 * facts (hydration / index health and index latency) and `late` facts, and
 * accumulates them in epoch-aligned tumbling windows of `windowMs`. A window
 * closes on its end timer, i.e. as soon as any fact with `at >= windowEnd`
 * arrives (an `advance` included); so an event exactly at windowEnd belongs to
 * the next window. At close it emits one `drift-window` row per active key and
 * one `env-window` row per env (sums over that env's keys), all with
 * `at = windowEnd`. Windows without activity produce no rows.
 *
 * Decisions where the SPEC is silent:
 * - A `late` fact counts in `lateEvents` of the window open at the frontier
 *   (`fact.at`), whatever its type, promotions included, since lateness is a
 *   property of the key's input stream; that makes the window active, so it
 *   is never silently lost. When that window is the event's own (it has not
 *   closed, late-window.ts), a late hydration or index op also counts there
 *   as an operation (errors and latency included), and the state-drift
 *   processor emits the `observation` of a late ok one, judged at the
 *   frontier: SPEC §4.7 only keeps late events out of *closed* windows. A
 *   late event of a closed window counts as late only (never reopening it).
 * - Promotion events alone do not make a drift window active (promotion
 *   windows report them).
 * - Index latency quantiles cover every index op, errors included (a timing-out
 *   shard is exactly what the latency panel should show). They are exact
 *   (nearest rank) up to EXACT_LATENCIES_KEPT ops of a key in a window, and
 *   within 1 % past that (lib/bounded-quantiles.ts); distinct sources and
 *   divergent sources are counted up to maxSourcesPerKey (as many as a key
 *   keeps at once, state-drift/source-bound.ts). So a key's open window is
 *   bounded, however many events one producer sends in it.
 *
 * Live-mode state (KeyedStateStore) is per key: the key's accumulators in the
 * open windows. Env rollups are summed at close from the key accumulators
 * present then, restored ones included. A window's close timer is re-armed
 * when a restored key brings it back.
 *
 * Whole state (WholeStateStore): the env rollups this instance emitted for
 * the windows closed lately, so a window that a key moved here after a
 * rebalance brings back closes a second time without undercounting
 * (drift-env-rollups.ts).
 */
import { defaultProcessingOptions, type ProcessingOptions } from '../config/processing-options.js';
import { BoundedQuantiles, type BoundedQuantilesSnapshot } from '../lib/bounded-quantiles.js';
import { ConfigError } from '../lib/errors.js';
import { windowStart } from '../lib/time.js';
import type { DriftWindowRow, EnvWindowRow, Envelope, Fact, FactKind } from './facts.js';
import { lateEventWindowOpen } from './late-window.js';
import type { Emit, Processor } from './processor.js';
import { TimerQueue } from './timer-queue.js';
import { DirtyKeys, type DirtyHolder, type KeyedStateStore, type WholeStateStore } from './stateful.js';
import { addToEnv, ClosedEnvRollups, type ClosedRollupsSnapshot } from './drift-env-rollups.js';

interface KeyWindow extends DirtyHolder {
  env: string;
  artifact: string;
  observations: number;
  divergentObservations: number;
  sources: Set<string>;
  divergentSources: Set<string>;
  hydrations: number;
  hydrationErrors: number;
  indexOps: number;
  indexErrors: number;
  indexLatencies: BoundedQuantiles;
  lateEvents: number;
}

/** Index latencies of one key in one window kept as they are (exact quantiles); past that, a histogram. */
export const EXACT_LATENCIES_KEPT = 4096;

/** Plain JSON form of one key's accumulator in one open window. */
export interface KeyWindowSnapshot extends Omit<KeyWindow, 'sources' | 'divergentSources' | 'indexLatencies' | 'dirtyEpoch'> {
  start: number;
  sources: string[];
  divergentSources: string[];
  /** As they came (empty once `indexLatenciesSketch` holds them). */
  indexLatencies: number[];
  /** Absent while the latencies are kept as they are (and in snapshots from before). */
  indexLatenciesSketch?: BoundedQuantilesSnapshot;
}

export interface DriftWindowsKeySnapshot {
  windows: KeyWindowSnapshot[];
}

/** Plain JSON form of the whole state: the env rollups emitted for recently closed windows, and the last end closed. */
export type DriftWindowsSnapshot = ClosedRollupsSnapshot;

export class DriftWindowsProcessor implements Processor, KeyedStateStore, WholeStateStore {
  readonly name = 'drift-windows';
  /** Other facts only fire the timers due by their time (Processor.reads). */
  readonly reads: ReadonlySet<FactKind> = new Set<FactKind>(['observation', 'event', 'late']);
  private readonly windowMs: number;
  private readonly maxSources: number;
  private readonly timers = new TimerQueue();
  /** windowStart → key → accumulator. With ordered facts only one window is open at a time. */
  private readonly windows = new Map<number, Map<string, KeyWindow>>();
  private readonly dirty = new DirtyKeys();
  /**
   * The window the last fact went to: nearly every fact goes to the same one,
   * so the window's map is found without dividing `at` and hashing its start.
   * Cleared whenever a window is dropped.
   */
  private current: { start: number; end: number; byKey: Map<string, KeyWindow> } | undefined;
  /** The env rollups of the windows closed lately (whole state: see the module comment). */
  private readonly rollups = new ClosedEnvRollups();

  constructor(options: Pick<ProcessingOptions, 'windowMs'> & Partial<Pick<ProcessingOptions, 'maxSourcesPerKey'>> = defaultProcessingOptions) {
    if (!(options.windowMs > 0) || !Number.isFinite(options.windowMs)) {
      throw new ConfigError('windowMs', `must be a positive number of milliseconds, got ${options.windowMs} (default ${defaultProcessingOptions.windowMs})`);
    }
    this.windowMs = options.windowMs;
    this.maxSources = options.maxSourcesPerKey ?? defaultProcessingOptions.maxSourcesPerKey;
  }

  idleAt(at: number): boolean {
    return !this.timers.hasDue(at);
  }

  handle(fact: Fact, emit: Emit): void {
    // Timer key is the window start; the timer time is the window end.
    const at = fact.at; // read once: see readsAtOnce in processor.ts
    if (this.timers.hasDue(at)) this.fireTimers(at, emit);

    switch (fact.kind) {
      case 'observation': {
        const o = fact.observation;
        const w = this.slot(at, o.key, o.env, o.artifact);
        w.observations++;
        // Counted up to the bound: past it a source not counted yet is not.
        if (w.sources.size < this.maxSources) w.sources.add(o.sourceId);
        if (o.divergent) {
          w.divergentObservations++;
          if (w.divergentSources.size < this.maxSources) w.divergentSources.add(o.sourceId);
        }
        return;
      }
      case 'event':
        this.countOperation(at, fact.envelope);
        return;
      case 'late': {
        const { event, key } = fact.envelope;
        this.slot(at, key, event.env, event.artifact).lateEvents++;
        // Its own window is the one open at the frontier: it counts there as it would have in order.
        if (lateEventWindowOpen(fact, this.windowMs)) this.countOperation(at, fact.envelope);
        return;
      }
      default:
        return;
    }
  }

  /** Counts a hydration or an index operation (other events count no operation) in the window of `at`. */
  private countOperation(at: number, { event, key }: Envelope): void {
    if (event.type === 'hydration') {
      const w = this.slot(at, key, event.env, event.artifact);
      w.hydrations++;
      if (event.status === 'error') w.hydrationErrors++;
    } else if (event.type === 'index') {
      const w = this.slot(at, key, event.env, event.artifact);
      w.indexOps++;
      if (event.status === 'error') w.indexErrors++;
      w.indexLatencies.add(event.latencyMs);
    }
  }

  /** A closure written in `handle` would make V8 allocate its captured context on every call, due or not; here only when a timer is due. */
  private fireTimers(at: number, emit: Emit): void {
    this.timers.fireDue(at, (key, time) => this.close(Number(key), time, emit));
  }

  /** Number of windows still open (tests, metrics). */
  get openWindows(): number {
    return this.windows.size;
  }

  drainDirtyKeys(): string[] {
    return this.dirty.drain();
  }

  snapshot(): DriftWindowsSnapshot {
    return this.rollups.snapshot();
  }

  restore(state: DriftWindowsSnapshot): void {
    this.rollups.restore(state);
  }

  snapshotKey(key: string): DriftWindowsKeySnapshot | undefined {
    const windows: KeyWindowSnapshot[] = [];
    for (const start of [...this.windows.keys()].sort((a, b) => a - b)) {
      const w = this.windows.get(start)!.get(key);
      if (!w) continue;
      const { dirtyEpoch: _notState, ...fields } = w;
      const sketch = w.indexLatencies.sketch();
      windows.push({
        ...fields,
        start,
        sources: [...w.sources],
        divergentSources: [...w.divergentSources],
        indexLatencies: sketch === undefined ? [...w.indexLatencies.values!] : [],
        ...(sketch === undefined ? {} : { indexLatenciesSketch: sketch }),
      });
    }
    return windows.length > 0 ? { windows } : undefined;
  }

  /** Replaces the key's accumulators; a window that was not open here is opened with its close timer. */
  restoreKey(key: string, state: DriftWindowsKeySnapshot): void {
    this.forgetKey(key);
    for (const { start, sources, divergentSources, indexLatencies, indexLatenciesSketch, ...counts } of state.windows) {
      const latencies = BoundedQuantiles.restore(EXACT_LATENCIES_KEPT, indexLatencies, indexLatenciesSketch);
      this.window(start).set(key, { ...counts, sources: new Set(sources), divergentSources: new Set(divergentSources), indexLatencies: latencies });
    }
  }

  /** Forgets the key's accumulators (partition revoked; write its dirty state first). */
  dropKey(key: string): void {
    this.forgetKey(key);
    this.dirty.forget(key);
  }

  private forgetKey(key: string): void {
    for (const [start, byKey] of this.windows) {
      if (!byKey.delete(key) || byKey.size > 0) continue;
      this.windows.delete(start);
      this.current = undefined;
      this.timers.cancel(String(start));
    }
  }

  private window(start: number): Map<string, KeyWindow> {
    let byKey = this.windows.get(start);
    if (!byKey) {
      byKey = new Map();
      this.windows.set(start, byKey);
      this.timers.schedule(String(start), start + this.windowMs);
    }
    return byKey;
  }

  private slot(at: number, key: string, env: string, artifact: string): KeyWindow {
    let current = this.current;
    if (current === undefined || !(at >= current.start && at < current.end)) {
      const start = windowStart(at, this.windowMs);
      current = this.current = { start, end: start + this.windowMs, byKey: this.window(start) };
    }
    const byKey = current.byKey;
    let w = byKey.get(key);
    if (!w) {
      w = emptyKeyWindow(env, artifact);
      byKey.set(key, w);
    }
    this.dirty.markVia(w, key);
    return w;
  }

  private close(start: number, end: number, emit: Emit): void {
    const byKey = this.windows.get(start);
    this.windows.delete(start);
    this.current = undefined;
    if (!byKey) return;
    const envs = new Map<string, EnvWindowRow>();
    for (const key of [...byKey.keys()].sort()) {
      const w = byKey.get(key)!;
      this.dirty.mark(key); // the window is gone from the key's state
      const [p50, p90] = w.indexLatencies.quantiles([0.5, 0.9]);
      const row: DriftWindowRow = {
        windowStart: start,
        windowEnd: end,
        env: w.env,
        artifact: w.artifact,
        observations: w.observations,
        divergentObservations: w.divergentObservations,
        sources: w.sources.size,
        divergentSources: w.divergentSources.size,
        hydrations: w.hydrations,
        hydrationErrors: w.hydrationErrors,
        indexOps: w.indexOps,
        indexErrors: w.indexErrors,
        indexLatencyP50: p50 ?? null,
        indexLatencyP90: p90 ?? null,
        lateEvents: w.lateEvents,
      };
      emit({ kind: 'drift-window', at: end, row });
      addToEnv(envs, row);
    }
    this.rollups.emitRollups(start, end, envs, emit);
  }
}

function emptyKeyWindow(env: string, artifact: string): KeyWindow {
  const counts = { observations: 0, divergentObservations: 0, hydrations: 0, hydrationErrors: 0, indexOps: 0, indexErrors: 0, lateEvents: 0 };
  return { env, artifact, ...counts, sources: new Set(), divergentSources: new Set(), indexLatencies: new BoundedQuantiles(EXACT_LATENCIES_KEPT) };
}
