/**
 * The store writer's retry policy and outage reporting.
 *
 * A failed batch is retried with exponential backoff when the error is
 * transient (StoreError.canRetry), up to `maxAttempts` — without limit in
 * live mode (`maxAttempts: Infinity`, jittered delays capped at
 * `maxBackoffMs`), where a server outage is waited out while
 * `waitForCapacity` holds the consumer back, until it ends or the owner calls
 * `giveUpRetrying` (shutdown). An outage is logged once at warn when its first
 * retry is scheduled and once at info when a batch lands again; the attempts
 * in between only at debug. Its beginning and end are also told to
 * listeners (onOutage, onOutageEnd: live mode defers commits and audits them).
 */
import { backoffDelay } from '../lib/backoff.js';
import { StoreError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { StoreTable } from './tables.js';

/** StoreWriterOptions' retry options, defaults applied (documented there). */
export interface InsertRetryOptions {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  jitter: boolean;
  onRetry?: (err: StoreError) => void;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
}

/** What onOutage listeners hear: the table whose batch failed first, and how. */
export interface OutageBegun {
  table: StoreTable;
  error: StoreError;
}

/** What onOutageEnd listeners hear: how long batches failed, and how many retries it took. */
export interface OutageEnded {
  failedForMs: number;
  retries: number;
}

export class InsertRetries {
  readonly #opts: InsertRetryOptions;
  /** The writer's rows accepted but not yet written, for the outage log lines. */
  readonly #pendingRows: () => number;
  #retries = 0;
  /** Since when batches are being retried (the first retry of an outage) and how many retries since; undefined: none. */
  #outage: { since: number; retries: number } | undefined;
  readonly #outageListeners = new Set<(outage: OutageBegun) => void>();
  readonly #outageEndListeners = new Set<(outage: OutageEnded) => void>();
  /** Set by giveUpRetrying: why no batch is retried any more. */
  #givenUp: string | undefined;
  /** Ends the backoff waits in progress (giveUpRetrying). */
  readonly #backoffWakers = new Set<() => void>();

  constructor(options: InsertRetryOptions, pendingRows: () => number) {
    this.#opts = options;
    this.#pendingRows = pendingRows;
  }

  /** Retries scheduled so far. */
  get count(): number {
    return this.#retries;
  }

  /** A batch is waiting to be retried (see StoreWriter.retrying). */
  get retrying(): boolean {
    return this.#outage !== undefined;
  }

  /** giveUpRetrying was called. */
  get stopped(): boolean {
    return this.#givenUp !== undefined;
  }

  /** Calls `listener` whenever an outage begins (see StoreWriter.onOutage). Returns an unsubscribe function. */
  onOutage(listener: (outage: OutageBegun) => void): () => void {
    this.#outageListeners.add(listener);
    return () => this.#outageListeners.delete(listener);
  }

  /** Calls `listener` whenever an outage ends: a batch landed after retries (see StoreWriter.onOutageEnd). Returns an unsubscribe function. */
  onOutageEnd(listener: (outage: OutageEnded) => void): () => void {
    this.#outageEndListeners.add(listener);
    return () => this.#outageEndListeners.delete(listener);
  }

  /** No batch is retried any more (see StoreWriter.giveUpRetrying); the backoff waits in progress end now. */
  giveUpRetrying(reason: string): void {
    if (this.#givenUp !== undefined) return;
    this.#givenUp = reason;
    for (const wake of this.#backoffWakers) wake();
  }

  /** Whether attempt number `attempt`, failed with `e`, is tried again. */
  mayRetry(e: StoreError, attempt: number): boolean {
    return e.canRetry && attempt < this.#opts.maxAttempts && this.#givenUp === undefined;
  }

  /**
   * Counts and reports the retry of a failed attempt and waits its backoff.
   * giveUpRetrying ends the wait at once: a shutdown does not sit out the
   * backoff (up to maxBackoffMs).
   */
  beforeRetry(table: StoreTable, e: StoreError, attempt: number): Promise<void> {
    const delay = this.#backoff(attempt);
    this.#retries++;
    this.#retryScheduled(table, e, attempt, delay);
    return this.#backoffWait(delay);
  }

  /** The error that fails the writer when the batch's last attempt, number `attempt`, failed with `e`. */
  finalError(e: StoreError, rows: number, target: string, attempt: number): StoreError {
    const why = e.canRetry && this.#givenUp !== undefined && attempt < this.#opts.maxAttempts ? ` (retries stopped: ${this.#givenUp})` : '';
    return new StoreError(`writing ${rows} rows to ${target} failed after ${attempt} attempt(s)${why}: ${e.message}`, {
      cause: e,
      canRetry: e.canRetry,
    });
  }

  /** A batch landed: an outage (if any) is over. */
  recovered(): void {
    if (this.#outage === undefined) return;
    const { since, retries } = this.#outage;
    this.#outage = undefined;
    const failedForMs = this.#opts.now() - since;
    this.#opts.logger.info({ failedForMs, retries, pendingRows: this.#pendingRows() }, 'store inserts work again');
    tell(this.#outageEndListeners, { failedForMs, retries });
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
      { table, attempt, delayMs: delay, err: e.message, pendingRows: this.#pendingRows() },
      `store insert failed; retrying with backoff ${until} (rows are kept; consumption waits while too many are pending)`,
    );
    tell(this.#outageListeners, { table, error: e });
  }
}

/** Calls every listener with `value`; a listener's own failure must not stop the retry (nor hide the recovery). */
function tell<T>(listeners: ReadonlySet<(value: T) => void>, value: T): void {
  for (const l of listeners) {
    try {
      l(value);
    } catch {
      // ignored: see above
    }
  }
}
