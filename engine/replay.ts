/**
 * `driftwatch replay`: an offline event-time run of the same pipeline over an
 * NDJSON file (SPEC §7). Writes alerts.ndjson, incidents.ndjson, dlq.ndjson
 * and the embedded store under the output directory. At end of input the
 * watermark advances past every window and timer.
 */
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { pipeline as copyStream } from 'node:stream/promises';
import type { AlertsConfig } from '../config/alert-rules.js';
import type { ProcessingOptions } from '../config/processing-options.js';
import type { Logger } from '../lib/logger.js';
import { InputError } from '../lib/errors.js';
import { claimStdin } from '../lib/stdin-shield.js';
import { acquireDirLock } from '../lib/dir-lock.js';
import { clearEarlierOutputs, OUTPUT_FILES } from './earlier-outputs.js';
import { checkInput, createOutputDir } from './replay-paths.js';
import { createPipeline, type PipelineCounters } from './pipeline.js';
import { IncidentBook } from './incident-book.js';
import { readLineChunks, type NumberedLine } from './ndjson-lines.js';
import { readSortedLines } from './sorted-lines.js';
import { openEmbeddedStore } from '../store/open-store.js';
import { StoreWriter } from '../store/store-writer.js';
import type { AlertEvent } from '../schemas/alert-event.js';
import type { DeadLetter, DeadLetterCategory } from '../processors/facts.js';
import { isUtf8 } from 'node:buffer';

export interface ReplayOptions {
  /** The NDJSON file, or `-` for `stdin`. */
  input: string;
  /** What `-` reads (default: the process's standard input). */
  stdin?: NodeJS.ReadableStream;
  outDir: string;
  processing: ProcessingOptions;
  alerts: AlertsConfig;
  logger: Logger;
  /** Write the embedded store under <outDir>/store (default true). */
  store?: boolean;
  storeBatchRows?: number;
  /** Order the whole file by event time first (holds it in memory); default: file order = arrival order. */
  sort?: boolean;
  /** Replace what an earlier replay left in outDir (its store and .ndjson files); default: refuse an outDir whose store holds anything. */
  replace?: boolean;
  /** Called after each chunk of input lines. */
  onProgress?: (counters: PipelineCounters) => void;
}

export interface ReplaySummary extends PipelineCounters {
  lines: number;
  incidents: number;
  openIncidents: number;
  alerts: number;
  alertsBySeverity: Record<string, number>;
  /** Rejected lines by dead-letter category (their reasons are in dlq.ndjson). */
  deadLettersByCategory: Partial<Record<DeadLetterCategory, number>>;
  outDir: string;
}

/**
 * Standard input as the reader's input, taken before the store opens (see
 * lib/stdin-shield.ts). A stdin that cannot be reopened (a socket) is copied
 * to `<out>/.stdin.ndjson.partial` first — disk, not memory — and read from there.
 */
async function stdinInput(options: ReplayOptions): Promise<{ stream: NodeJS.ReadableStream; path: string } | string> {
  const stream = options.stdin ?? claimStdin();
  if (stream) return { stream, path: 'standard input' };
  const copy = partial(options.outDir, 'stdin.ndjson');
  try {
    await copyStream(process.stdin, createWriteStream(copy));
  } catch (err) {
    throw new InputError(`cannot read standard input: ${(err as Error).message}`, { cause: err });
  }
  return copy;
}

/** The input name that means standard input (`driftwatch replay - --out dir`). */
export const STDIN = '-';

/** Pending rows above which reading pauses until the store catches up. */
export const MAX_PENDING_ROWS = 200_000;

async function writeLine(stream: WriteStream, value: unknown): Promise<void> {
  if (!stream.write(JSON.stringify(value) + '\n')) await once(stream, 'drain');
}

async function closeStream(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/**
 * A replay's output files are written under temporary names and renamed into
 * place once the run succeeded: a failed or interrupted run leaves the
 * previous run's files whole rather than truncated ones.
 */
const partial = (outDir: string, name: string) => join(outDir, `.${name}.partial`);

/**
 * One `dlq.ndjson` line: the line number, the reason and the line as text. A
 * line that is not valid UTF-8 reads as text only with U+FFFD in place of its
 * bad bytes, so its exact bytes come too, in `rawBase64` (as the store's
 * dead_letters keep them), for whoever re-drives it.
 */
function dlqLine(dl: DeadLetter): { line: number | undefined; reason: string; raw: string; rawBase64?: string } {
  const out: { line: number | undefined; reason: string; raw: string; rawBase64?: string } = { line: dl.source?.line, reason: dl.reason, raw: String(dl.raw) };
  if (typeof dl.raw !== 'string' && !isUtf8(dl.raw)) out.rawBase64 = dl.raw.toString('base64');
  return out;
}

export async function replayFile(options: ReplayOptions): Promise<ReplaySummary> {
  if (options.input !== STDIN) checkInput(options.input, options.outDir);
  createOutputDir(options.outDir);
  // One run per --out at a time: a second one would write the same files and store (lib/dir-lock.ts).
  const lock = acquireDirLock(options.outDir, 'replay', `--out ${options.outDir}`);
  try {
    clearEarlierOutputs(options.outDir, options.replace === true);
    const summary = await replayLocked(options);
    for (const name of OUTPUT_FILES) renameSync(partial(options.outDir, name), join(options.outDir, name));
    return summary;
  } finally {
    removePartialOutputs(options.outDir);
    lock.release();
  }
}

/** Removes a run's unfinished output files (also for a run ended by a signal, which skips replayFile's own cleanup). */
export function removePartialOutputs(outDir: string): void {
  for (const name of [...OUTPUT_FILES, 'stdin.ndjson']) rmSync(partial(outDir, name), { force: true });
}

async function replayLocked(options: ReplayOptions): Promise<ReplaySummary> {
  const log = options.logger.child({ component: 'replay', input: options.input });
  // Standard input is claimed before the store opens: from then on the store's engine may not see it (lib/stdin-shield.ts).
  const input = options.input === STDIN ? await stdinInput(options) : options.input;
  const alertsOut = createWriteStream(partial(options.outDir, 'alerts.ndjson'));
  const dlqOut = createWriteStream(partial(options.outDir, 'dlq.ndjson'));
  const storeDir = join(options.outDir, 'store');
  const transport = options.store === false ? null : await openEmbeddedStore(storeDir, { logger: log });
  const writer = transport ? new StoreWriter(transport, { logger: log, batchRows: options.storeBatchRows ?? 50_000, flushIntervalMs: 0 }) : null;
  const book = new IncidentBook();
  const alertsBySeverity: Record<string, number> = {};
  let alerts = 0;
  // File writes are queued, not awaited per fact: the fact stream is synchronous.
  const pendingWrites: AlertEvent[] = [];
  const deadLines: unknown[] = [];
  const deadLettersByCategory: ReplaySummary['deadLettersByCategory'] = {};

  const pipeline = createPipeline({
    processing: options.processing,
    alerts: options.alerts,
    writer,
    onFact: (fact) => {
      if (fact.kind === 'incident') book.observe(fact);
      else if (fact.kind === 'alert') {
        alerts++;
        alertsBySeverity[fact.alert.severity] = (alertsBySeverity[fact.alert.severity] ?? 0) + 1;
        pendingWrites.push(fact.alert);
      }
    },
    onDeadLetter: (dl) => {
      const category = dl.category ?? 'invalid_event';
      deadLettersByCategory[category] = (deadLettersByCategory[category] ?? 0) + 1;
      deadLines.push(dlqLine(dl));
    },
  });

  let lines = 0;
  try {
    for await (const chunk of options.sort ? sortedChunks(input) : readLineChunks(input)) {
      for (const { line, text, overLong, raw } of chunk) {
        if (line > lines) lines = line;
        if (overLong !== undefined) {
          pipeline.push({ value: text, source: { line }, overLong });
          continue;
        }
        // Not valid UTF-8: its bytes go to the decoder, which rejects them as it does a Kafka message's.
        if (raw !== undefined) {
          pipeline.push({ value: raw, source: { line } });
          continue;
        }
        // Blank lines separate nothing in NDJSON; they are not events and not errors.
        if (text.trim().length === 0) continue;
        pipeline.push({ value: text, source: { line } });
      }
      await drain(alertsOut, pendingWrites, dlqOut, deadLines);
      await pipeline.waitForCapacity(MAX_PENDING_ROWS);
      options.onProgress?.(pipeline.counters);
    }
    await pipeline.end();
    await drain(alertsOut, pendingWrites, dlqOut, deadLines);
  } finally {
    await closeStream(alertsOut);
    await closeStream(dlqOut);
    await writer?.close().catch(() => undefined);
    await transport?.close();
  }

  const incidentsOut = createWriteStream(partial(options.outDir, 'incidents.ndjson'));
  const records = book.records();
  for (const record of records) await writeLine(incidentsOut, record);
  await closeStream(incidentsOut);

  const summary: ReplaySummary = {
    ...pipeline.counters,
    lines,
    incidents: records.length,
    openIncidents: records.filter((r) => r.resolvedAt === null).length,
    alerts,
    alertsBySeverity,
    deadLettersByCategory,
    outDir: options.outDir,
  };
  // At debug: the command prints this summary for the user; at info it was the same said twice, as a log line.
  log.debug({ summary }, 'replay finished');
  return summary;
}

async function* sortedChunks(path: Parameters<typeof readSortedLines>[0], size = 10_000): AsyncGenerator<NumberedLine[]> {
  const all = await readSortedLines(path);
  for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
}

async function drain(alertsOut: WriteStream, alerts: AlertEvent[], dlqOut: WriteStream, dead: unknown[]): Promise<void> {
  for (const a of alerts.splice(0)) await writeLine(alertsOut, a);
  for (const d of dead.splice(0)) await writeLine(dlqOut, d);
}
