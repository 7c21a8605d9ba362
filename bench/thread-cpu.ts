/**
 * CPU time actually spent, read from /proc (Linux), so a benchmark on a
 * shared, noisy machine can report work done rather than only wall time:
 * the main (JavaScript) thread's CPU time is what the engine itself costs,
 * the whole process's adds the embedded store's native threads. Wall time
 * on two shared cores swings by ±30 % between runs; CPU time much less.
 * Elsewhere (no /proc) both are undefined.
 */
import { readFileSync } from 'node:fs';

export interface CpuTimes {
  /** utime + stime of the main thread, ms. */
  mainThreadMs?: number;
  /** utime + stime of the whole process (all threads), ms. */
  processMs?: number;
}

/** Clock ticks per second of /proc's utime/stime fields (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

function ticksOf(statPath: string): number | undefined {
  try {
    const stat = readFileSync(statPath, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** CPU times of this process, or of process `pid` (e.g. a child the benchmark started). */
export function cpuTimes(pid: number = process.pid): CpuTimes {
  const main = ticksOf(`/proc/${pid}/task/${pid}/stat`);
  const all = ticksOf(`/proc/${pid}/stat`);
  return {
    mainThreadMs: main === undefined ? undefined : (main * 1000) / TICKS_PER_SECOND,
    processMs: all === undefined ? undefined : (all * 1000) / TICKS_PER_SECOND,
  };
}
