/** What one benchmark worker measures and reports (shared by the worker and the orchestrator). */
import type { MemoryPeaks } from './memory-sampler.js';

export type BenchMode = 'baseline' | 'replay' | 'replay-nostore' | 'frame' | 'store-only' | 'floor';
export const benchModes: readonly BenchMode[] = ['baseline', 'replay', 'replay-nostore', 'frame', 'store-only', 'floor'];
/**
 * The floor under replay's cost, measured at the full size only: the
 * engine's framing with no processors (read, decode + validate, dedup,
 * event-time order) and storing the raw history alone (what SPEC §5 asks
 * for even before any aggregate), and both together (`floor`: replay with no
 * processor at all, the fastest replay could be whatever its detection logic
 * cost). Not jobs anyone runs: they say how much of the target's budget goes
 * before any detection logic (bench/README.md).
 */
export const floorModes: readonly BenchMode[] = ['frame', 'store-only', 'floor'];

export interface WorkerResult extends MemoryPeaks {
  mode: BenchMode;
  file: string;
  /** Lines read (events, duplicates and malformed lines alike). */
  records: number;
  /** Valid events processed (baseline: lines that parsed). */
  events: number;
  seconds: number;
  recordsPerSecond: number;
  incidents?: number;
  alerts?: number;
  /** CPU time of the main thread and of the whole process during the measurement, ms (see thread-cpu.ts). */
  cpu?: { mainThreadMs?: number; processMs?: number };
}
