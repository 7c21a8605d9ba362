/**
 * One measurement, in its own process (started by replay-bench.ts with
 * --expose-gc) so memory peaks of different runs never mix:
 *
 *   baseline        read the file in chunks, split lines, JSON.parse each
 *   replay          replayFile with the embedded store (the real job)
 *   replay-nostore  replayFile with store: false (the engine's own cost)
 *   frame           read, decode + validate, dedup and event-time order, with
 *                   no processor behind them (the engine's framing alone)
 *   store-only      read, decode + validate, and store each event's raw-history
 *                   row in the embedded store (no dedup, order or processors)
 *   floor           frame and store-only together: everything replay does
 *                   for a record before any detection logic (read, decode +
 *                   validate, dedup, order, the raw-history row stored); replay
 *                   can be no faster than this whatever its processors cost
 *
 * Prints one JSON line with the result on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLineChunks } from '../engine/ndjson-lines.js';
import { decodeJsonRecord } from '../processors/decode.js';
import { EventDeduplicator } from '../processors/dedup.js';
import { EventTimeOrderer } from '../processors/event-time.js';
import { openEmbeddedStore } from '../store/open-store.js';
import { StoreWriter } from '../store/store-writer.js';
import type { Envelope, Fact } from '../processors/facts.js';
import { MAX_PENDING_ROWS, replayFile } from '../engine/replay.js';
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

/** The file's lines decoded as replay decodes them (same future bound, same line numbers): per chunk, its line count and valid envelopes. */
async function* decodedChunks(file: string): AsyncGenerator<{ lines: number; envelopes: Envelope[] }> {
  const bound = { maxAheadMs: defaultProcessingOptions.maxFutureSkewMs, now: Date.now };
  for await (const chunk of readLineChunks(file)) {
    const envelopes: Envelope[] = [];
    for (const { line, text } of chunk) {
      const r = decodeJsonRecord(text, { line }, bound);
      if (r.ok) envelopes.push(r.envelope);
    }
    yield { lines: chunk.length, envelopes };
  }
}

/**
 * The engine's framing with nothing behind it: what every record costs before
 * any processor sees it. `onEvent` gets each released event (the floor mode
 * stores it); without it the events go nowhere.
 */
async function frame(
  file: string,
  onEvent?: (fact: Fact) => void,
  onChunkEnd?: () => Promise<void>,
): Promise<{ records: number; events: number }> {
  const dedup = new EventDeduplicator(defaultProcessingOptions);
  // As the pipeline configures it (engine/pipeline.ts).
  const orderer = new EventTimeOrderer({ allowedLatenessMs: defaultProcessingOptions.allowedLatenessMs, advanceGranularityMs: 1000 });
  let records = 0;
  let released = 0;
  const sink = (fact: Fact) => {
    if (fact.kind === 'event' || fact.kind === 'late') {
      released++;
      onEvent?.(fact);
    }
  };
  for await (const { lines, envelopes } of decodedChunks(file)) {
    records += lines;
    for (const envelope of envelopes) {
      if (dedup.isDuplicate(envelope)) continue;
      orderer.push(envelope, sink);
      orderer.flush(sink);
    }
    await onChunkEnd?.();
  }
  orderer.finish(sink);
  return { records, events: released };
}

/**
 * Runs `fill` against a fresh embedded store through the writer replay uses,
 * with replay's batch size; `fill` gets the writer and a backpressure wait to
 * call between chunks (replay's bound on pending rows). Flushes, then removes the store.
 */
async function withStore<T>(fill: (writer: StoreWriter, backpressure: () => Promise<void>) => Promise<T>): Promise<T> {
  const outDir = mkdtempSync(join(tmpdir(), 'dw-bench-'));
  const transport = await openEmbeddedStore(join(outDir, 'store'), { logger: silentLogger });
  const writer = new StoreWriter(transport, { logger: silentLogger, flushIntervalMs: 0 }); // replay's batch size: the writer's default
  const backpressure = async () => {
    if (writer.pendingRows > MAX_PENDING_ROWS) await writer.waitForCapacity(MAX_PENDING_ROWS);
  };
  try {
    const result = await fill(writer, backpressure);
    await writer.flush();
    return result;
  } finally {
    await writer.close().catch(() => undefined);
    await transport.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Decoding and storing the raw history alone (no dedup, order or processors). */
function storeOnly(file: string): Promise<{ records: number; events: number }> {
  return withStore(async (writer, backpressure) => {
    let records = 0;
    let events = 0;
    for await (const { lines, envelopes } of decodedChunks(file)) {
      records += lines;
      events += envelopes.length;
      for (const envelope of envelopes) writer.write({ kind: 'event', at: envelope.at, envelope });
      await backpressure();
    }
    return { records, events };
  });
}

/** The framing and the raw history together: replay with no processor at all. */
function floor(file: string): Promise<{ records: number; events: number }> {
  return withStore((writer, backpressure) => frame(file, (fact) => writer.write(fact), backpressure));
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

function measure(mode: BenchMode, file: string): Promise<{ records: number; events: number; incidents?: number; alerts?: number }> {
  switch (mode) {
    case 'baseline':
      return baseline(file);
    case 'frame':
      return frame(file);
    case 'store-only':
      return storeOnly(file);
    case 'floor':
      return floor(file);
    default:
      return replay(file, mode === 'replay');
  }
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2) as [BenchMode, string];
  if (!benchModes.includes(mode) || !file) throw new Error(`usage: bench-worker.js <${benchModes.join('|')}> <events.ndjson>`);
  const sampler = new MemorySampler(100);
  sampler.start();
  const cpuBefore = cpuTimes();
  const started = performance.now();
  const counts = await measure(mode, file);
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
