/**
 * Waiting out a schema-registry outage instead of dead-lettering records.
 *
 * Many look-ups can be in flight when the registry goes away (the decode
 * operator starts decoding every record at once and keeps their order). If
 * each retried on its own, an outage would multiply into a request and log
 * storm. So one `RegistryRetry` is shared: the first caller to hit a transient
 * error becomes the prober — it retries its own request with exponential
 * backoff and logs the outage once — while every other caller waits for the
 * outage to end and then retries its request. A permanent error (unknown
 * schema id, refused schema) is never retried: it is the caller's answer.
 *
 * Time is injectable (`sleep`, `now`) so the schedule is tested on virtual time.
 */
import type { Logger } from '../../lib/logger.js';
import { redactCredentials } from './registry-endpoint.js';
import { isTransientRegistryError, registryHint, SchemaRegistryError } from './registry-errors.js';

export interface RetryOptions {
  /** First wait after a failure. @default 250 ms */
  initialDelayMs?: number;
  /** Longest wait between attempts. @default 30 s */
  maxDelayMs?: number;
  /** Growth of the wait per attempt. @default 2 */
  multiplier?: number;
  /** Waits vary by ± this fraction, so several engines do not retry in lockstep. @default 0.2 */
  jitter?: number;
  /** Give up (the caller gets a retryable SchemaRegistryError) after this long. @default Infinity: wait as long as it takes */
  maxElapsedMs?: number;
  /** Aborting stops the waiting at once (shutdown); callers get a retryable SchemaRegistryError. */
  signal?: AbortSignal;
  logger?: Logger;
  /** What the look-ups are, for log lines, e.g. "schema look-up". @default "schema registry request" */
  what?: string;
  isTransient?: (err: unknown) => boolean;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export interface RetryStats {
  /** Outages seen (a transient failure that started a probe). */
  outages: number;
  /** Probe attempts made while the registry was unavailable. */
  retries: number;
}

function abortError(signal: AbortSignal): SchemaRegistryError {
  return new SchemaRegistryError('stopped waiting for the schema registry (aborted)', { canRetry: true, cause: signal.reason });
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** An error for a log line or the give-up message; errors of HTTP clients may carry the request URL. */
function describe(err: unknown): string {
  return redactCredentials(err instanceof Error ? err.message : String(err)) + registryHint(err);
}

export class RegistryRetry {
  readonly stats: RetryStats = { outages: 0, retries: 0 };
  private outage: Promise<void> | null = null;
  private readonly o: Required<Omit<RetryOptions, 'signal' | 'logger'>> & Pick<RetryOptions, 'signal' | 'logger'>;

  constructor(options: RetryOptions = {}) {
    this.o = {
      initialDelayMs: options.initialDelayMs ?? 250,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      multiplier: options.multiplier ?? 2,
      jitter: options.jitter ?? 0.2,
      maxElapsedMs: options.maxElapsedMs ?? Number.POSITIVE_INFINITY,
      signal: options.signal,
      logger: options.logger,
      what: options.what ?? 'schema registry request',
      isTransient: options.isTransient ?? isTransientRegistryError,
      sleep: options.sleep ?? abortableSleep,
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
    };
  }

  /** True while an outage is being waited out. */
  get unavailable(): boolean {
    return this.outage !== null;
  }

  /** Wait before attempt `n` (1-based) of a probe, with jitter. */
  delayMs(attempt: number): number {
    const base = Math.min(this.o.maxDelayMs, this.o.initialDelayMs * this.o.multiplier ** (attempt - 1));
    return Math.round(base * (1 + this.o.jitter * (2 * this.o.random() - 1)));
  }

  /** Runs `operation`; transient failures are waited out, permanent ones are thrown. */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    for (;;) {
      if (this.o.signal?.aborted) throw abortError(this.o.signal);
      if (this.outage) await this.outage; // rejects only when the prober gave up
      try {
        return await operation();
      } catch (err) {
        if (!this.o.isTransient(err)) throw err;
        if (this.outage) continue; // another caller is already probing: wait for it
        return await this.probe(operation, err);
      }
    }
  }

  private async probe<T>(operation: () => Promise<T>, firstError: unknown): Promise<T> {
    let end!: { resolve: () => void; reject: (err: unknown) => void };
    const outage = new Promise<void>((resolve, reject) => (end = { resolve, reject }));
    outage.catch(() => undefined); // nobody may be waiting
    this.outage = outage;
    this.stats.outages++;
    const started = this.o.now();
    const log = this.o.logger;
    let lastError = firstError;
    let attempt = 0;
    try {
      for (;;) {
        attempt++;
        const elapsed = this.o.now() - started;
        if (elapsed >= this.o.maxElapsedMs) {
          throw new SchemaRegistryError(
            `schema registry unavailable for ${Math.round(elapsed / 1000)} s (${attempt - 1} retries), giving up: ${describe(lastError)}`,
            { canRetry: true, cause: lastError },
          );
        }
        // The last wait ends at the deadline, not past it.
        const delay = Math.min(this.delayMs(attempt), this.o.maxElapsedMs - elapsed);
        log?.warn(
          { err: describe(lastError), attempt, retryInMs: delay },
          attempt === 1 ? `${this.o.what} failed: schema registry unavailable, waiting for it` : 'schema registry still unavailable',
        );
        await this.o.sleep(delay, this.o.signal);
        this.stats.retries++;
        try {
          const value = await operation();
          log?.info({ retries: attempt, downMs: this.o.now() - started }, 'schema registry available again');
          end.resolve();
          return value;
        } catch (err) {
          if (!this.o.isTransient(err)) {
            // The registry answered: the outage is over, this request is just bad.
            end.resolve();
            throw err;
          }
          lastError = err;
        }
      }
    } catch (err) {
      end.reject(err);
      throw err;
    } finally {
      this.outage = null;
    }
  }
}
