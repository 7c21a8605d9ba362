/**
 * `driftwatch demo`: the synthetic scenario run through the same pipeline as
 * replay and live mode, on the embedded store, with live progress and a
 * closing summary that checks what the engine found against what was
 * injected.
 *
 * Pacing: by default a bounded run sends `rate` records per second of wall
 * time (so the progress line is visible); `realTime` sends each record when
 * the wall clock reaches its send time (`--forever`). Either stops early when
 * `signal` aborts; the summary then covers what was sent.
 */
import { dirname } from 'node:path';
import { acquireDirLock } from '../../lib/dir-lock.js';
import { setImmediate, setTimeout as sleepFor } from 'node:timers/promises';
import type { AlertsConfig } from '../../config/alert-rules.js';
import type { ProcessingOptions } from '../../config/processing-options.js';
import type { Logger } from '../../lib/logger.js';
import { openEmbeddedStore } from '../../store/open-store.js';
import { StoreWriter } from '../../store/store-writer.js';
import { createPipeline } from '../pipeline.js';
import { DemoTally } from './demo-tally.js';
import { ProgressReporter, type ProgressOptions } from './demo-progress.js';
import { inProcessTransport, type DemoTransportFactory } from './demo-transport.js';
import { markDemoStore, prepareDemoStore } from './demo-store.js';
import { summarizeDemo, type DemoRun, type DemoSummary } from './demo-summary.js';
import { ScenarioGenerator, type GeneratedRecord } from './scenario-generator.js';
import type { ScenarioInput } from './scenario-options.js';

export interface DemoOptions {
  scenario: ScenarioInput;
  processing: ProcessingOptions;
  alerts: AlertsConfig;
  logger: Logger;
  /** Embedded store directory (replaced if a previous demo wrote it; its parent, the data dir, is locked for the run); null = no store. */
  storeDir: string | null;
  storeWriter?: { batchRows?: number; flushIntervalMs?: number };
  /** Records per second of wall time; 0 = as fast as the engine goes. Ignored when realTime. */
  rate: number;
  /** Send each record when the wall clock reaches its sendAt (forever mode). */
  realTime?: boolean;
  /** Aborting stops generating; the run then ends normally with what was sent. */
  signal?: AbortSignal;
  /** Default: in-process. The seam for a Kafka transport. */
  transport?: DemoTransportFactory;
  /** null = no progress output. */
  progress?: ProgressOptions | null;
  now?: () => number;
}

export interface DemoResult {
  run: DemoRun;
  summary: DemoSummary;
}

/** Upper bound of one chunk handed to the transport. */
const CHUNK = 500;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  // One demo per data directory at a time: a second one would clear the store the first is writing, and both would
  // exit 0 with summaries their stores contradict (lib/dir-lock.ts). The lock sits beside the store, not in it.
  const lock = options.storeDir ? acquireDirLock(dirname(options.storeDir), 'demo', `DRIFTWATCH_DATA_DIR ${dirname(options.storeDir)}`) : null;
  try {
    return await runDemoLocked(options);
  } finally {
    lock?.release();
  }
}

async function runDemoLocked(options: DemoOptions): Promise<DemoResult> {
  const now = options.now ?? Date.now;
  const log = options.logger.child({ component: 'demo' });
  const gen = new ScenarioGenerator(options.scenario);
  const tally = new DemoTally();
  const storeDir = options.storeDir;

  if (storeDir) prepareDemoStore(storeDir);
  const store = storeDir ? await openEmbeddedStore(storeDir, { logger: log }) : null;
  if (storeDir) markDemoStore(storeDir, { seed: gen.options.seed, startAt: new Date(gen.options.startAt).toISOString(), createdAt: new Date(now()).toISOString() });
  const writer = store
    ? new StoreWriter(store, { logger: log, batchRows: options.storeWriter?.batchRows ?? 20_000, flushIntervalMs: options.storeWriter?.flushIntervalMs ?? 1000 })
    : null;
  const pipeline = createPipeline({ processing: options.processing, alerts: options.alerts, writer, onFact: tally.onFact });
  const transport = await (options.transport ?? inProcessTransport())(pipeline, { writer, onFact: tally.onFact });

  let sent = 0;
  let inputEnded = false;
  const progress = options.progress
    ? new ProgressReporter({ records: () => sent, tally, lastEventAt: () => gen.stats.lastEventAt, inputEnded: () => inputEnded }, options.progress)
    : null;
  const startedAt = now();
  let interrupted = false;
  progress?.start();
  try {
    const chunk: GeneratedRecord[] = [];
    const flushChunk = async () => {
      if (chunk.length === 0) return;
      await transport.send(chunk);
      sent += chunk.length;
      chunk.length = 0;
    };
    // About 20 chunks a second when paced, so pacing stays smooth; timers (progress, store flush) run between chunks.
    const chunkSize = !options.realTime && options.rate > 0 ? Math.max(1, Math.min(CHUNK, Math.round(options.rate / 20))) : CHUNK;
    for (;;) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const next = gen.peek();
      if (next === undefined) break;
      if (options.realTime && next.sendAt > now()) {
        await flushChunk();
        await pause(Math.min(next.sendAt - now(), 1000), options.signal);
        continue;
      }
      chunk.push(gen.next()!);
      if (chunk.length < chunkSize) continue;
      await flushChunk();
      const ahead = !options.realTime && options.rate > 0 ? (sent * 1000) / options.rate - (now() - startedAt) : 0;
      if (ahead > 0) await pause(ahead, options.signal);
      else await setImmediate();
    }
    await flushChunk();
    await transport.flush();
    await pipeline.end();
    inputEnded = true;
  } finally {
    progress?.stop();
    await transport.close().catch((err: unknown) => log.warn({ err }, 'closing the demo transport failed'));
    await writer?.close().catch((err: unknown) => log.warn({ err }, 'closing the store writer failed'));
    await store?.close();
  }

  const run: DemoRun = {
    scenario: gen.options,
    generator: gen.stats,
    pipeline: { ...(transport.counters?.() ?? pipeline.counters) },
    injected: gen.injected,
    tally,
    wallMs: now() - startedAt,
    interrupted,
    storeDir,
    transport: transport.name,
  };
  log.info({ records: gen.stats.records, incidents: tally.incidents.size, interrupted }, 'demo finished');
  return { run, summary: summarizeDemo(run) };
}

/** Sleeps, or returns early when the signal aborts. */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleepFor(ms, undefined, signal ? { signal } : undefined);
  } catch (err) {
    if ((err as { name?: string }).name !== 'AbortError') throw err;
  }
}
