/**
 * bench/thread-cpu.ts reads another process's CPU time (the Kafka benchmark's
 * engine, a child process): a child that spins for a while shows it on its
 * main thread, a process that is gone reads as undefined.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cpuTimes } from '../../../bench/thread-cpu.js';

describe.skipIf(process.platform !== 'linux')('cpuTimes of another process', () => {
  it("reads a busy child's main-thread CPU, and nothing once it has exited", async () => {
    // Spins until it has used 400 ms of its own CPU (not 400 ms of wall time, which a loaded machine may give it
    // little CPU in), then waits to be read.
    const child = spawn(process.execPath, ['-e', "while (process.cpuUsage().user < 400000); process.stdout.write('spun\\n'); setTimeout(() => {}, 10000);"], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await once(child.stdout!, 'data');
      const t = cpuTimes(child.pid!);
      expect(t.mainThreadMs).toBeGreaterThanOrEqual(200);
      expect(t.processMs).toBeGreaterThanOrEqual(t.mainThreadMs!);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    expect(cpuTimes(child.pid!)).toEqual({ mainThreadMs: undefined, processMs: undefined });
  });
});
