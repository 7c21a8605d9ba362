/**
 * Batched, retried writes of facts to the store.
 *
 * `write(fact)` is synchronous and cheap: the fact becomes rows, encoded
 * once into its table's buffer (table-buffers.ts), and nothing is awaited. A
 * table's buffer is sent as one insert
 * when it reaches `batchRows`, when `flushIntervalMs` passes after its first
 * row, on `flush()` and on `close()`. A table's batches go out one at a time, in
 * order (`alerts` and the windows keep the row inserted last); batches of
 * different tables go out side by side, up to MAX_CONCURRENT_INSERTS (see
 * insert-slots.ts), while the caller keeps producing rows; `pendingRows` (buffered + in flight) and
 * `waitForCapacity` let a consumer pause instead of buffering without bound
 * while the store is slow or down (SPEC §5 backpressure).
 *
 * A failed batch is retried with exponential backoff when the error is
 * transient, up to `maxAttempts` (insert-retries.ts: the retry policy and
 * how an outage is reported).
 *
 * Every attempt of a batch carries the same dedup token
 * (`insert_deduplication_token`, see batchToken), a hash of the batch's
 * encoded rows. The rows hold what the
 * input determines (source offsets or lines, window ids, incident versions;
 * `ingested_at` is the table's DEFAULT, never sent) — except an alert's
 * `emitted_at` and a metric point's `at`, which are new on every run. So the server drops a batch it already has, whichever writer or
 * run sends it again, as long as the batch is cut in the same place: always
 * for a retry and for a second file replay (cut by `batchRows` only), seldom
 * after a live restart (see batchToken). When a batch finally fails the writer
 * is failed: `write` throws, `flush` rejects, and `onFailure` listeners hear
 * it once — the owner restarts from its last committed position, and the
 * ReplacingMergeTree keys absorb whatever is written twice.
 */
import { StoreError } from '../lib/errors.js';
import type { DeadLetter, Fact } from '../processors/facts.js';
import type { StoreRow } from './row-mappers.js';
import { eventInsertOptions, eventTables, type EventTable } from './event-rows.js';
import { batchToken } from './batch-token.js';
import { InsertRetries, type OutageBegun, type OutageEnded } from './insert-retries.js';
import { InsertSlots } from './insert-slots.js';
import { TableBuffers, type TableBuffer } from './table-buffers.js';
import { toStoreError } from './store-errors.js';
import { qualifiedTable, type StoreTable } from './tables.js';
import type { StoreTransport } from './transport.js';
import { resolveStoreWriterOptions, type ResolvedStoreWriterOptions, type StoreWriterOptions, type StoreWriterStats } from './store-writer-options.js';

export type { StoreWriterOptions, StoreWriterStats } from './store-writer-options.js';

export class StoreWriter {
  readonly #transport: StoreTransport;
  readonly #tables: TableBuffers;
  readonly #rowsWritten: Partial<Record<StoreTable, number>> = {};
  readonly #failureListeners = new Set<(err: StoreError) => void>();
  #settleWaiters: Array<() => void> = [];
  readonly #opts: ResolvedStoreWriterOptions;
  readonly #retries: InsertRetries;
  #buffered = 0;
  #inFlight = 0;
  #batches = 0;
  /** Per table: its last batch sent, which the next one waits for (a table's batches land in order). */
  readonly #tails = new Map<StoreTable, Promise<void>>();
  readonly #slots = new InsertSlots();
  #timer: NodeJS.Timeout | undefined;
  /** While `writeNow` buffers its rows: the tables they go to. */
  #touched: Set<StoreTable> | undefined;
  #failure: StoreError | undefined;
  #closed = false;

  constructor(transport: StoreTransport, options: StoreWriterOptions = {}) {
    this.#transport = transport;
    this.#tables = new TableBuffers(options.instanceId, (table, buffer) => this.#added(table, buffer));
    this.#opts = resolveStoreWriterOptions(options);
    this.#retries = new InsertRetries(this.#opts, () => this.pendingRows);
  }

  /**
   * Buffers the rows `fact` stores (kinds that are not stored are ignored).
   * Throws once the writer has failed or closed. `instanceId`: the engine
   * instance whose share env-level rows are, when not the writer's own.
   */
  write(fact: Fact, instanceId?: string): void {
    this.#checkWritable();
    this.#tables.write(fact, instanceId);
  }

  /**
   * Buffers `rows` (mapped before: RowMapper) and sends the buffers of the
   * tables they went to at once, without waiting for the other tables'.
   * Resolves once those tables' rows are written (theirs and any buffered
   * before them); rejects if the writer fails. Live mode's env-level rows,
   * stored once the commit that carries them has committed
   * (engine/live/committed-share-rows.ts).
   */
  async writeNow(rows: Iterable<StoreRow>): Promise<void> {
    this.#checkWritable();
    const touched = (this.#touched = new Set<StoreTable>());
    try {
      for (const row of rows) this.#tables.writeRow(row);
    } finally {
      this.#touched = undefined;
    }
    for (const table of touched) {
      const buffer = this.#tables.byTable.get(table)!;
      if (buffer.rows > 0) this.#enqueue(table, buffer);
    }
    await Promise.all([...touched].map((table) => this.#tails.get(table)));
    if (this.#failure) throw this.#failure;
  }

  writeDeadLetter(deadLetter: DeadLetter): void {
    this.#checkWritable();
    this.#tables.writeDeadLetter(deadLetter);
  }

  /** One point of the engine's own metrics (`at` in epoch ms). */
  writeMetric(name: string, value: number, labels: Record<string, string> = {}, at: number = Date.now()): void {
    this.#checkWritable();
    this.#tables.writeMetric(name, value, labels, at);
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
    return { rowsWritten: { ...this.#rowsWritten }, batches: this.#batches, retries: this.#retries.count, pendingRows: this.pendingRows };
  }

  /** A batch is waiting to be retried (the store is failing, e.g. a server outage); false again once a batch lands. */
  get retrying(): boolean {
    return this.#retries.retrying;
  }

  /**
   * Calls `listener` whenever an outage begins: the first retry after
   * writes went through (see `retrying`). Returns an unsubscribe function.
   */
  onOutage(listener: (outage: OutageBegun) => void): () => void {
    return this.#retries.onOutage(listener);
  }

  /** Calls `listener` whenever an outage ends: a batch landed after retries (`retrying` false again). Returns an unsubscribe function. */
  onOutageEnd(listener: (outage: OutageEnded) => void): () => void {
    return this.#retries.onOutageEnd(listener);
  }

  /**
   * No batch is retried any more (a shutdown that must not wait out an
   * outage): batches waiting for a retry fail the writer now, naming
   * `reason`, and so does the next retryable failure. Batches not tried yet
   * still get their first attempt.
   */
  giveUpRetrying(reason: string): void {
    this.#retries.giveUpRetrying(reason);
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

  /** Counts the row just added to `buffer` and sends the batch when it is full (or arms the flush timer). */
  #added(table: StoreTable, buffer: TableBuffer): void {
    this.#buffered++;
    this.#touched?.add(table);
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
    for (const [table, buffer] of this.#tables.byTable) if (buffer.rows > 0) this.#enqueue(table, buffer);
  }

  #enqueue(table: StoreTable, buffer: TableBuffer): void {
    const rows = buffer.rows;
    const lines = buffer.take();
    this.#buffered -= rows;
    this.#inFlight += rows;
    const previous = this.#tails.get(table) ?? Promise.resolve();
    this.#tails.set(
      table,
      previous.then(() => this.#slots.run(() => this.#send(table, lines, rows))),
    );
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
          // Landed at the first try: no earlier attempt can still be reading the bytes, so the next batch may reuse them.
          if (attempt === 1) this.#tables.byTable.get(table)?.recycle(lines);
          this.#retries.recovered();
          return;
        } catch (err) {
          const e = toStoreError(err, `insert into ${target}`);
          if (!this.#retries.mayRetry(e, attempt)) {
            this.#fail(this.#retries.finalError(e, rows, target, attempt));
            return;
          }
          await this.#retries.beforeRetry(table, e, attempt);
          if (this.#retries.stopped) {
            this.#fail(this.#retries.finalError(e, rows, target, attempt));
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
