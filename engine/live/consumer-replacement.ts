/**
 * Replacing a kafkajs consumer that stopped for good (a crash kafkajs does
 * not restart, or one stuck in its own disconnect: stuck-consumer.ts) with a
 * new one, tried with backoff until it runs or its owner stops. Shared by
 * the engine's group member and the changelog reader.
 *
 * The new consumer is installed first, so the old one's late events and
 * messages — which its owner ignores once it is not the current consumer —
 * can no longer move state; then the old one is disconnected, waited for at
 * most 5 s (its disconnect may never end: bounded-disconnect.ts), and its
 * owner told it is out (`retired`).
 */
import type { Consumer } from 'kafkajs';
import type { Logger } from '../../lib/logger.js';
import { disconnectWithin } from './bounded-disconnect.js';

export interface ConsumerReplacement {
  /** The owner is stopping: give up. */
  stopped: () => boolean;
  /** Creates the new consumer and makes it the owner's current one; returns the one it replaced. */
  install: () => { old: Consumer; fresh: Consumer };
  /** Connects, subscribes and runs a consumer. */
  run: (consumer: Consumer) => Promise<void>;
  /** The replaced consumer was disconnected (or given up on): e.g. its throwaway group can go. */
  retired?: (old: Consumer) => Promise<void>;
  log: Logger;
  /** What is replaced, for the log lines (e.g. "new consumer"). */
  what: string;
}

export async function replaceUntilRunning(r: ConsumerReplacement): Promise<void> {
  for (let delayMs = 500; !r.stopped(); delayMs = Math.min(2 * delayMs, 10_000)) {
    const { old, fresh } = r.install();
    await disconnectWithin(old, 5_000);
    await r.retired?.(old);
    if (r.stopped()) return;
    try {
      await r.run(fresh);
      r.log.info(`${r.what} running`);
      return;
    } catch (err) {
      r.log.warn({ err, retryInMs: delayMs }, `${r.what} could not start`);
      await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
    }
  }
}
