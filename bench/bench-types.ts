/** What one benchmark worker measures and reports (shared by the worker and the orchestrator). */
import type { MemoryPeaks } from './memory-sampler.js';

export type BenchMode = 'baseline' | 'replay' | 'replay-nostore';
export const benchModes: readonly BenchMode[] = ['baseline', 'replay', 'replay-nostore'];

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
