/**
 * Live mode's start-up against a store that is not there yet: opening (and
 * migrating) a ClickHouse server that is restarting, or not up yet when the
 * engine starts beside it, is retried with capped, jittered exponential
 * backoff instead of ending the process — which under a supervisor became a
 * crash loop for as long as the server was away. Nothing has been consumed
 * yet, so waiting costs nothing; SIGTERM/SIGINT during the wait still end the
 * process at once (cli/commands/run.ts: a signal before start-up completes
 * exits 0).
 *
 * Only failures that may pass are waited out (`canRetry`: server unreachable,
 * 5xx, timeouts, a migration statement cut by a dropped connection); a
 * rejected login, missing privileges, a server too old for the schema or a
 * broken migration fail at once, with their own message.
 */
import { DriftwatchError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { backoffDelay } from '../../lib/backoff.js';

export interface OpenWaitingOptions {
  logger: Logger;
  /** What is being opened, for the log lines. @default 'the store' */
  what?: string;
  /** @default 1000 */
  initialDelayMs?: number;
  /** @default 30000 */
  maxDelayMs?: number;
  /** Injectable for tests (virtual time). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether waiting may help: the error says so (`canRetry`, set by the store's error classification). */
export function mayPass(err: unknown): boolean {
  return err instanceof DriftwatchError && err.canRetry;
}

/** Runs `open` until it succeeds or fails with an error that cannot pass (rethrown). */
export async function openWaiting<T>(open: () => Promise<T>, options: OpenWaitingOptions): Promise<T> {
  const { logger, what = 'the store', initialDelayMs = 1000, maxDelayMs = 30_000 } = options;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  let since: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const opened = await open();
      if (since !== undefined) logger.info({ attempts: attempt, waitedMs: now() - since }, `${what} is reachable again; starting`);
      return opened;
    } catch (err) {
      if (!mayPass(err)) throw err;
      const delay = backoffDelay(attempt, { initialMs: initialDelayMs, maxMs: maxDelayMs, random });
      if (since === undefined) {
        since = now();
        logger.warn({ err: (err as Error).message, delayMs: delay }, `cannot open ${what} at start-up; waiting for it with backoff (SIGTERM/SIGINT exits)`);
      } else {
        logger.debug({ err: (err as Error).message, attempt, delayMs: delay }, `${what} still cannot be opened; retrying`);
      }
      await sleep(delay);
    }
  }
}
