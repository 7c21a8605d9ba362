/**
 * The store writer's options: what each does, its default, and the checks
 * made once when a writer is opened.
 */
import { StoreError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/logger.js';
import type { InsertRetryOptions } from './insert-retries.js';
import { DATABASE, type StoreTable } from './tables.js';

export interface StoreWriterOptions {
  /**
   * Rows per table that trigger an insert. @default 50000
   * At ≈ 190 bytes per raw-history row a 50k batch stays just under
   * ClickHouse's `min_bytes_for_wide_part` (10 MiB uncompressed) and is
   * written as one Compact part; 100k/200k batches become Wide parts (a file
   * per column) and cost chDB more CPU per row, and 25k batches more again
   * (twice the parts, merged sooner). Measured with interleaved runs; the
   * gain of bigger Compact parts (fewer merges) did not hold across
   * scenarios.
   */
  batchRows?: number;
  /** Send a table's rows at most this long after its first buffered row; 0 disables the timer. @default 1000 */
  flushIntervalMs?: number;
  /**
   * Attempts per batch (1 = no retry); `Infinity`: a retryable failure is
   * retried until it passes (or `giveUpRetrying`), live mode's setting. A
   * failure that cannot pass (rejected login, bad SQL, unknown table) fails
   * the writer at once whatever this says. @default 5
   */
  maxAttempts?: number;
  /** Delay before the first retry, doubled for each further one. @default 200 */
  initialBackoffMs?: number;
  /** Upper bound of the retry delay. @default 5000 */
  maxBackoffMs?: number;
  /**
   * Each retry waits a random time between half and all of its exponential
   * delay, so the batches retried side by side (and other instances) do not
   * hit a recovering server in step. @default false
   */
  jitter?: boolean;
  /** Called for every retry scheduled (a retryable failure that will be tried again), e.g. to count it. */
  onRetry?: (err: StoreError) => void;
  /** @default 'driftwatch' */
  database?: string;
  /** Live mode: DRIFTWATCH_INSTANCE_ID, written with env-level rows (see RowMapper). @default '' */
  instanceId?: string;
  logger?: Logger;
  /** Injectable for tests (virtual time). */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests: the clock of the outage log lines (ms). @default Date.now */
  now?: () => number;
  /** Injectable for tests: the jitter's random numbers in [0, 1). @default Math.random */
  random?: () => number;
}

export interface StoreWriterStats {
  rowsWritten: Partial<Record<StoreTable, number>>;
  batches: number;
  retries: number;
  pendingRows: number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The options with their defaults applied. */
export type ResolvedStoreWriterOptions = InsertRetryOptions & { batchRows: number; flushIntervalMs: number; database: string };

/** Applies the defaults; throws a StoreError naming a bad option. */
export function resolveStoreWriterOptions(options: StoreWriterOptions): ResolvedStoreWriterOptions {
  const resolved: ResolvedStoreWriterOptions = {
    batchRows: options.batchRows ?? 50_000,
    flushIntervalMs: options.flushIntervalMs ?? 1000,
    maxAttempts: Math.max(1, options.maxAttempts ?? 5),
    initialBackoffMs: options.initialBackoffMs ?? 200,
    maxBackoffMs: options.maxBackoffMs ?? 5000,
    jitter: options.jitter ?? false,
    onRetry: options.onRetry,
    database: options.database ?? DATABASE,
    logger: options.logger ?? silentLogger,
    sleep: options.sleep ?? realSleep,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
  if (!(resolved.batchRows >= 1)) throw new StoreError(`batchRows must be at least 1, got ${options.batchRows}`);
  if (Number.isNaN(resolved.maxAttempts)) throw new StoreError(`maxAttempts must be a number of attempts or Infinity, got ${options.maxAttempts}`);
  return resolved;
}
