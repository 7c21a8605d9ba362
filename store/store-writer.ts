/**
 * Batched, retried writes of facts to the store.
 *
 * `write(fact)` is synchronous and cheap: the fact becomes rows, encoded
 * once into its table's buffer (native memory, see batch-bytes.ts), and nothing
 * is awaited. Raw-history rows (one per event, most of the volume) are
 * RowBinary (event-rows.ts, row-binary.ts), sent with their column list;
 * other rows (RowMapper) are JSON.stringify-ed JSONEachRow objects, UTF-8
 * encoded. A table's buffer is sent as one insert
 * when it reaches `batchRows`, when `flushIntervalMs` passes after its first
 * row, on `flush()` and on `close()`. A table's batches go out one at a time, in
 * order (`alerts` and the windows keep the row inserted last); batches of
 * different tables go out side by side, up to MAX_CONCURRENT_INSERTS (see
 * there), while the caller keeps producing rows; `pendingRows` (buffered + in flight) and
 * `waitForCapacity` let a consumer pause instead of buffering without bound
 * while the store is slow or down (SPEC §5 backpressure).
 *
 * A failed batch is retried with exponential backoff when the error is
 * transient (StoreError.canRetry), up to `maxAttempts` — without limit in
 * live mode (`maxAttempts: Infinity`, jittered delays capped at
 * `maxBackoffMs`), where a server outage is waited out while
 * `waitForCapacity` holds the consumer back, until it ends or the owner calls
 * `giveUpRetrying` (shutdown). An outage is logged once at warn when its first
 * retry is scheduled and once at info when a batch lands again; the attempts
 * in between only at debug.
 *
 * Every attempt of a batch carries the same dedup token
 * (`insert_deduplication_token`, see batchToken), a hash of the batch's
 * encoded rows. The rows hold what the
 * input determines (source offsets or lines, window ids, incident versions;
 * `ingested_at` is the table's DEFAULT, never sent) — except an alert's
 * `alert_id` and `emitted_at` and a metric point's `at`, which are new on
 * every run. So the server drops a batch it already has, whichever writer or
 * run sends it again, as long as the batch is cut in the same place: always
 * for a retry and for a second file replay (cut by `batchRows` only), seldom
 * after a live restart (see batchToken). When a batch finally fails the writer
 * is failed: `write` throws, `flush` rejects, and `onFailure` listeners hear
 * it once — the owner restarts from its last committed position, and the
 * ReplacingMergeTree keys absorb whatever is written twice.
 */
import { createHash } from 'node:crypto';
import { StoreError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/logger.js';
import type { DeadLetter, Fact } from '../processors/facts.js';
import { backoffDelay } from '../lib/backoff.js';
import { deadLetterRow, metricRow, RowMapper, type Row } from './row-mappers.js';
import { eventInsertOptions, eventTable, eventTables, writeEventRow, type EventTable } from './event-rows.js';
import { RowBinaryBuffer } from './row-binary.js';
import { BatchBytes } from './batch-bytes.js';
import { toStoreError } from './store-errors.js';
import { DATABASE, qualifiedTable, type StoreTable } from './tables.js';
import type { StoreTransport } from './transport.js';
import { jsonWithoutLoneSurrogates } from '../lib/unicode.js';

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

/**
 * Batches (of different tables) being sent at once. An insert's completion
 * only reaches the writer when the engine's thread is free, and the engine
 * works through a whole Kafka batch or file chunk before it is: with one
 * insert at a time the store sat idle for that long after each insert, and
 * live mode waited on backpressure meanwhile (bench:kafka, 300k events:
 * 1.1–1.3 s of ~8 s; with four in flight 0.5–0.8 s). With several in flight
 * the store takes the next while the engine works. Four keeps a server's
 * connections and, while it is down, the retry warnings few.
 */
export const MAX_CONCURRENT_INSERTS = 4;

export class StoreWriter {
  readonly #transport: StoreTransport;
  readonly #mapper: RowMapper;
  readonly #buffers = new Map<StoreTable, RowBuffer | RowBinaryBuffer>();
  readonly #rowsWritten: Partial<Record<StoreTable, number>> = {};
  readonly #failureListeners = new Set<(err: StoreError) => void>();
  #settleWaiters: Array<() => void> = [];
  readonly #opts: Required<Omit<StoreWriterOptions, 'logger' | 'instanceId' | 'onRetry'>> & { logger: Logger; onRetry?: (err: StoreError) => void };
  #buffered = 0;
  #inFlight = 0;
  #batches = 0;
  #retries = 0;
  /** Per table: its last batch sent, which the next one waits for (a table's batches land in order). */
  readonly #tails = new Map<StoreTable, Promise<void>>();
  #sending = 0;
  #slotWaiters: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #failure: StoreError | undefined;
  #closed = false;
  /** Since when batches are being retried (the first retry of an outage) and how many retries since; undefined: none. */
  #outage: { since: number; retries: number } | undefined;
  readonly #outageListeners = new Set<() => void>();
  /** Set by giveUpRetrying: why no batch is retried any more. */
  #givenUp: string | undefined;
  /** Ends the backoff waits in progress (giveUpRetrying). */
  readonly #backoffWakers = new Set<() => void>();

  constructor(transport: StoreTransport, options: StoreWriterOptions = {}) {
    this.#transport = transport;
    this.#mapper = new RowMapper({ instanceId: options.instanceId });
    this.#opts = {
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
    if (!(this.#opts.batchRows >= 1)) throw new StoreError(`batchRows must be at least 1, got ${options.batchRows}`);
    if (Number.isNaN(this.#opts.maxAttempts)) throw new StoreError(`maxAttempts must be a number of attempts or Infinity, got ${options.maxAttempts}`);
  }

  /**
   * Buffers the rows `fact` stores (kinds that are not stored are ignored).
   * Throws once the writer has failed or closed. `instanceId`: the engine
   * instance whose share env-level rows are, when not the writer's own.
   */
  write(fact: Fact, instanceId?: string): void {
    this.#checkWritable();
    // Raw history, one row per event: straight to a RowBinary row (see event-rows.ts).
    if (fact.kind === 'event' || fact.kind === 'late') {
      const table = eventTable(fact.envelope);
      let buffer = this.#buffers.get(table);
      if (buffer === undefined) this.#buffers.set(table, (buffer = new RowBinaryBuffer()));
      writeEventRow(table, fact.envelope, fact.kind === 'late', buffer as RowBinaryBuffer);
      this.#added(table, buffer);
      return;
    }
    this.#mapper.map(fact, this.#push, instanceId); // undefined: the mapper's own instance id (a default parameter)
  }

  writeDeadLetter(deadLetter: DeadLetter): void {
    this.#checkWritable();
    this.#push('dead_letters', deadLetterRow(deadLetter));
  }

  /** One point of the engine's own metrics (`at` in epoch ms). */
  writeMetric(name: string, value: number, labels: Record<string, string> = {}, at: number = Date.now()): void {
    this.#checkWritable();
    this.#push('engine_metrics', metricRow(name, value, labels, at));
  }

  /** Rows accepted but not yet written: buffered plus in flight. */
  get pendingRows(): number {
    return this.#buffered + this.#inFlight;
  }

  /** The error that failed the writer, if any. */
  get failure(): StoreError | undefined {
    return this.#failure;
  }

  stats(): StoreWriterStats {
    return { rowsWritten: { ...this.#rowsWritten }, batches: this.#batches, retries: this.#retries, pendingRows: this.pendingRows };
  }

  /** A batch is waiting to be retried (the store is failing, e.g. a server outage); false again once a batch lands. */
  get retrying(): boolean {
    return this.#outage !== undefined;
  }

  /**
   * Calls `listener` whenever an outage begins: the first retry after
   * writes went through (see `retrying`). Returns an unsubscribe function.
   */
  onOutage(listener: () => void): () => void {
    this.#outageListeners.add(listener);
    return () => this.#outageListeners.delete(listener);
  }

  /**
   * No batch is retried any more (a shutdown that must not wait out an
   * outage): batches waiting for a retry fail the writer now, naming
   * `reason`, and so does the next retryable failure. Batches not tried yet
   * still get their first attempt.
   */
  giveUpRetrying(reason: string): void {
    if (this.#givenUp !== undefined) return;
    this.#givenUp = reason;
    for (const wake of this.#backoffWakers) wake();
  }

  /** Calls `listener` once when a batch finally fails. Returns an unsubscribe function. */
  onFailure(listener: (err: StoreError) => void): () => void {
    this.#failureListeners.add(listener);
    return () => this.#failureListeners.delete(listener);
  }

  /** Sends every buffered row and resolves when all of them (and earlier batches) are written. */
  async flush(): Promise<void> {
    this.#enqueueAll();
    await Promise.all(this.#tails.values());
    if (this.#failure) throw this.#failure;
  }

  /**
   * Resolves once `pendingRows` ≤ `maxPendingRows`, sending buffered rows
   * early if that is what it takes. Rejects if the writer fails meanwhile.
   */
  async waitForCapacity(maxPendingRows: number): Promise<void> {
    while (this.pendingRows > maxPendingRows) {
      if (this.#failure) throw this.#failure;
      // Waiting on in-flight batches brings pending down by itself; buffered
      // rows go early (as smaller batches) only when that cannot suffice.
      if (this.#inFlight === 0 || this.#buffered > maxPendingRows) this.#enqueueAll();
      await new Promise<void>((r) => this.#settleWaiters.push(r));
    }
    if (this.#failure) throw this.#failure;
  }

  /** Flushes and refuses further writes. Does not close the transport (its opener does). */
  async close(): Promise<void> {
    if (this.#closed) return this.flush();
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  // An arrow function so the mapper can call it without a bind per fact.
  // Without lone surrogates: one would make ClickHouse refuse the whole batch (lib/unicode.ts).
  #push = (table: StoreTable, row: Row): void => {
    this.#pushLine(table, jsonWithoutLoneSurrogates(JSON.stringify(row)));
  };

  #pushLine(table: StoreTable, line: string): void {
    let buffer = this.#buffers.get(table);
    if (buffer === undefined) this.#buffers.set(table, (buffer = new RowBuffer()));
    (buffer as RowBuffer).push(line);
    this.#added(table, buffer);
  }

  /** Counts the row just added to `buffer` and sends the batch when it is full (or arms the flush timer). */
  #added(table: StoreTable, buffer: RowBuffer | RowBinaryBuffer): void {
    this.#buffered++;
    if (buffer.rows >= this.#opts.batchRows) this.#enqueue(table, buffer);
    else if (this.#timer === undefined && this.#opts.flushIntervalMs > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#enqueueAll();
      }, this.#opts.flushIntervalMs);
      this.#timer.unref();
    }
  }

  #checkWritable(): void {
    if (this.#failure) throw this.#failure;
    if (this.#closed) throw new StoreError('store writer is closed; open a new one');
  }

  #enqueueAll(): void {
    for (const [table, buffer] of this.#buffers) if (buffer.rows > 0) this.#enqueue(table, buffer);
  }

  #enqueue(table: StoreTable, buffer: RowBuffer | RowBinaryBuffer): void {
    const rows = buffer.rows;
    const lines = buffer.take();
    this.#buffered -= rows;
    this.#inFlight += rows;
    const previous = this.#tails.get(table) ?? Promise.resolve();
    this.#tails.set(
      table,
      previous.then(() => this.#inSlot(() => this.#send(table, lines, rows))),
    );
  }

  /** Runs `send` once fewer than MAX_CONCURRENT_INSERTS batches are being sent; waiting batches go first come, first served. */
  async #inSlot(send: () => Promise<void>): Promise<void> {
    if (this.#sending < MAX_CONCURRENT_INSERTS) this.#sending++;
    else await new Promise<void>((r) => this.#slotWaiters.push(r)); // handed a slot that stays counted
    try {
      await send();
    } finally {
      const next = this.#slotWaiters.shift();
      if (next) next();
      else this.#sending--;
    }
  }

  /** Never rejects: a final failure is recorded in #failure. */
  async #send(table: StoreTable, lines: Buffer, rows: number): Promise<void> {
    try {
      if (this.#failure) return; // the writer already failed: these rows are not written
      const target = qualifiedTable(table, this.#opts.database);
      const token = batchToken(table, rows, lines);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#transport.insert(
            target,
            lines,
            eventTables.has(table) ? { ...eventInsertOptions[table as EventTable], dedupToken: token } : { dedupToken: token },
          );
          this.#rowsWritten[table] = (this.#rowsWritten[table] ?? 0) + rows;
          this.#batches++;
          this.#recovered();
          return;
        } catch (err) {
          const e = toStoreError(err, `insert into ${target}`);
          if (!e.canRetry || attempt >= this.#opts.maxAttempts || this.#givenUp !== undefined) {
            this.#giveUp(e, rows, target, attempt);
            return;
          }
          const delay = this.#backoff(attempt);
          this.#retries++;
          this.#retryScheduled(table, e, attempt, delay);
          // giveUpRetrying ends the wait at once: a shutdown does not sit out the backoff (up to maxBackoffMs).
          await this.#backoffWait(delay);
          if (this.#givenUp !== undefined) {
            this.#giveUp(e, rows, target, attempt);
            return;
          }
        }
      }
    } finally {
      this.#inFlight -= rows;
      const waiters = this.#settleWaiters;
      this.#settleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** `sleep(ms)`, ended early by giveUpRetrying (a listener removed after each wait, not a race kept for ever). */
  #backoffWait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#backoffWakers.delete(done);
        resolve();
      };
      this.#backoffWakers.add(done);
      this.#opts.sleep(ms).then(done, done);
    });
  }

  /** The delay before retry number `attempt` (lib/backoff.ts), jittered when `jitter` is set. */
  #backoff(attempt: number): number {
    return backoffDelay(attempt, { initialMs: this.#opts.initialBackoffMs, maxMs: this.#opts.maxBackoffMs, random: this.#opts.jitter ? this.#opts.random : undefined });
  }


  #giveUp(e: StoreError, rows: number, target: string, attempt: number): void {
    const why = e.canRetry && this.#givenUp !== undefined && attempt < this.#opts.maxAttempts ? ` (retries stopped: ${this.#givenUp})` : '';
    this.#fail(
      new StoreError(`writing ${rows} rows to ${target} failed after ${attempt} attempt(s)${why}: ${e.message}`, {
        cause: e,
        canRetry: e.canRetry,
      }),
    );
  }

  /** The first retry of an outage is logged at warn (and heard by onOutage listeners), later ones at debug only. */
  #retryScheduled(table: StoreTable, e: StoreError, attempt: number, delay: number): void {
    try {
      this.#opts.onRetry?.(e);
    } catch {
      // a metric's failure must not stop the retry
    }
    if (this.#outage !== undefined) {
      this.#outage.retries++;
      this.#opts.logger.debug({ table, attempt, delayMs: delay, err: e.message }, 'store insert failed again; retrying');
      return;
    }
    this.#outage = { since: this.#opts.now(), retries: 1 };
    const until = Number.isFinite(this.#opts.maxAttempts) ? `up to ${this.#opts.maxAttempts} attempts per batch` : 'until it works again';
    this.#opts.logger.warn(
      { table, attempt, delayMs: delay, err: e.message, pendingRows: this.pendingRows },
      `store insert failed; retrying with backoff ${until} (rows are kept; consumption waits while too many are pending)`,
    );
    for (const l of this.#outageListeners) {
      try {
        l();
      } catch {
        // a listener's own failure must not stop the retry
      }
    }
  }

  /** A batch landed: an outage (if any) is over. */
  #recovered(): void {
    if (this.#outage === undefined) return;
    const { since, retries } = this.#outage;
    this.#outage = undefined;
    this.#opts.logger.info({ failedForMs: this.#opts.now() - since, retries, pendingRows: this.pendingRows }, 'store inserts work again');
  }

  #fail(err: StoreError): void {
    if (this.#failure) return;
    this.#failure = err;
    this.#opts.logger.error({ err: err.message }, 'store writer failed');
    for (const l of this.#failureListeners) {
      try {
        l(err);
      } catch {
        // a listener's own failure must not hide the store failure
      }
    }
  }
}

/** One table's pending JSONEachRow lines (BatchBytes), UTF-8 encoded, joined by newlines. */
class RowBuffer extends BatchBytes {
  push(line: string): void {
    // A UTF-16 code unit takes at most 3 UTF-8 bytes; plus the newline.
    this.reserve(line.length * 3 + 1);
    if (this.rows > 0) this.bytes[this.length++] = 10; // '\n' between lines, none after the last
    this.length += this.bytes.write(line, this.length, 'utf8');
    this.rows++;
  }
}

/**
 * The dedup token of a batch: its table, row count and a SHA-256 of its
 * encoded rows, computed once per batch (≈ 1 ms per MB), not per row and not
 * per attempt. Equal batches get equal tokens, and the server drops a batch
 * whose token it has seen within the table's
 * `non_replicated_deduplication_window` — what ClickHouse does unasked by
 * block checksum, which a random token per writer had switched off.
 *
 * What that covers: every retry of a batch (including one whose first
 * attempt's outcome was unknown), and a batch derived again from the same
 * input and cut in the same place — a second replay of a file into the same
 * store (replay cuts by `batchRows` only). After a live restart the
 * re-derived batches start where the last commit flushed the writer (a
 * commit cuts every table's buffer), but seldom end in the same place: the
 * next commit and the flush timer cut on the wall clock, and the records of
 * several partitions interleave as they are fetched, so those batches
 * usually get other tokens. Alert rows (`alert_id`, `emitted_at`) and metric
 * points (`at`) differ on every run; alerts are deliberately not tokened by
 * their identity alone: a run's alerts may be in a Kafka transaction that
 * aborted, and `alerts` keeps the last insert, the one the alert topic
 * carries. For all of these the ReplacingMergeTree keys remain the
 * guarantee: duplicates collapse in merges and under FINAL.
 */
export function batchToken(table: string, rows: number, payload: Buffer): string {
  return `${table}-${rows}-${createHash('sha256').update(payload).digest('base64url')}`;
}
