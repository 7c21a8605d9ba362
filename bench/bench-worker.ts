/**
 * One measurement, in its own process (started by replay-bench.ts with
 * --expose-gc) so memory peaks of different runs never mix:
 *
 *   baseline        read the file in chunks, split lines, JSON.parse each
 *   replay          replayFile with the embedded store (the real job)
 *   replay-nostore  replayFile with store: false (the engine's own cost)
 *
 * Prints one JSON line with the result on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLineChunks } from '../engine/ndjson-lines.js';
import { replayFile } from '../engine/replay.js';
import { defaultProcessingOptions } from '../config/processing-options.js';
import { defaultAlertsConfig } from '../config/alerts-config.js';
import { silentLogger } from '../lib/logger.js';
import { MemorySampler } from './memory-sampler.js';
import { cpuTimes } from './thread-cpu.js';
import { benchModes, type BenchMode, type WorkerResult } from './bench-types.js';

async function baseline(file: string): Promise<{ records: number; events: number }> {
  let records = 0;
  let parsed = 0;
  for await (const chunk of readLineChunks(file)) {
    for (const { text } of chunk) {
      records++;
      try {
        if (JSON.parse(text) !== null) parsed++;
      } catch {
        // a malformed line: counted, like the replay counts it
      }
    }
  }
  return { records, events: parsed };
}

async function replay(file: string, store: boolean): Promise<{ records: number; events: number; incidents: number; alerts: number }> {
  const outDir = mkdtempSync(join(tmpdir(), 'dw-bench-'));
  try {
    const s = await replayFile({ input: file, outDir, processing: defaultProcessingOptions, alerts: defaultAlertsConfig(), logger: silentLogger, store });
    return { records: s.records, events: s.events, incidents: s.incidents, alerts: s.alerts };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2) as [BenchMode, string];
  if (!benchModes.includes(mode) || !file) throw new Error(`usage: bench-worker.js <${benchModes.join('|')}> <events.ndjson>`);
  const sampler = new MemorySampler(100);
  sampler.start();
  const cpuBefore = cpuTimes();
  const started = performance.now();
  const counts = mode === 'baseline' ? await baseline(file) : await replay(file, mode === 'replay');
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuTimes();
  const peaks = sampler.stop();
  const spent = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : b - a);
  const cpu = { mainThreadMs: spent(cpuBefore.mainThreadMs, cpuAfter.mainThreadMs), processMs: spent(cpuBefore.processMs, cpuAfter.processMs) };
  const result: WorkerResult = { mode, file, ...counts, seconds, recordsPerSecond: counts.records / seconds, cpu, ...peaks };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-worker: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
