/**
 * What `driftwatch run` says once its stop is over, and its exit code. Every
 * failure of `run` is one plain `driftwatch run: …` line on stderr beside its
 * log record (cli/report-failure.ts); a stop that overran its deadline was
 * only a JSON log line, so whoever reads stderr for the plain lines saw an
 * exit 1 without a word.
 */
import type { Writable } from 'node:stream';
import type { Logger } from '../../lib/logger.js';

export interface StopOutcome {
  /** The stop's result, or null when it did not finish within `deadlineMs`. */
  stopped: { clean: boolean } | null;
  /** Why the instance stopped by itself (fenced, failed), already reported; null for a stop asked by a signal. */
  failure: Error | null;
  deadlineMs: number;
}

/** Reports how the stop ended (the failure itself was reported already) and returns the exit code. */
export function reportStopOutcome({ stopped, failure, deadlineMs }: StopOutcome, logger: Logger, stderr: Pick<Writable, 'write'>): number {
  if (!stopped) {
    const message = `shutdown did not finish within ${deadlineMs / 1000}s (broker unreachable?); exiting anyway`;
    logger.error({ deadlineMs }, message);
    stderr.write(`driftwatch run: ${message}\n`);
  } else if (!stopped.clean && !failure) {
    stderr.write('driftwatch run: the final commit failed; the records since the last commit will be read again by the next owner of their partitions\n');
  }
  // Exit 0 only for a stop that committed everything: a supervisor then knows the instance ended cleanly.
  return failure || !stopped?.clean ? 1 : 0;
}
