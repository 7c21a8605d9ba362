/**
 * Whether the broker still answers this instance: an instance that cannot
 * reach it is not ready, whatever its consumer believes.
 *
 * kafkajs retries a request for about 2 minutes (start-live.ts) before its
 * consumer crashes, and until then the member still counts itself in its
 * group: /readyz said 200 through the first 2 minutes of a broker outage,
 * and the lag gauges kept their last values. Every answer the broker gives
 * is noted here instead — a fetch (one every 250 ms at most while the
 * consumer reads, empty ones included), a heartbeat (every tenth of the
 * session timeout while a batch is held by backpressure), a join, a lag
 * read, a fetch of the changelog reader, a committed transaction (through a
 * restore the member fetches and heartbeats nothing while the reader reads
 * the changelog: a long restore is not a silent broker) — and no answer for
 * DRIFTWATCH_SESSION_TIMEOUT makes the instance not ready until the next one. The bound is the one the group itself
 * applies to a member that stops heartbeating, and a healthy member, which
 * heartbeats ten times within it, never reaches it.
 *
 * `check` (the idle ticker's, four times a second) reports the transitions:
 * one warning when the broker goes silent, one line when it answers again.
 */
import type { Logger } from '../../lib/logger.js';

export interface BrokerContactOptions {
  /** No answer for longer than this: unreachable (DRIFTWATCH_SESSION_TIMEOUT). */
  timeoutMs: number;
  now: () => number;
  log: Logger;
  /** Told when the broker turns unreachable or answers again (readiness audit, lag series). */
  onChange: (reachable: boolean) => void;
}

export class BrokerContact {
  private last: number;
  private reportedLost = false;

  constructor(private readonly opts: BrokerContactOptions) {
    this.last = opts.now();
  }

  /** The broker answered (cheap: called on every fetch). */
  answered(): void {
    this.last = this.opts.now();
    if (this.reportedLost) this.check();
  }

  /** How long the broker has not answered, when longer than the timeout; else null. */
  silentForMs(): number | null {
    const silent = this.opts.now() - this.last;
    return silent > this.opts.timeoutMs ? silent : null;
  }

  /** Why the instance is not ready, while the broker is silent; else null. */
  unreachable(): string | null {
    const silent = this.silentForMs();
    if (silent === null) return null;
    // Names every answer that counts (the callers of answered()): naming fewer hid that changelog fetches and commits count.
    return `broker unreachable: no fetch, heartbeat, join, lag read, changelog fetch or transaction commit answered for ${Math.round(silent / 1000)}s (more than DRIFTWATCH_SESSION_TIMEOUT=${this.opts.timeoutMs / 1000}s)`;
  }

  /** Reports a transition since the last check, once. */
  check(): void {
    const silent = this.silentForMs();
    if (silent !== null && !this.reportedLost) {
      this.reportedLost = true;
      this.opts.log.error({ silentForMs: silent, timeoutMs: this.opts.timeoutMs }, 'no answer from the broker for longer than the session timeout: not ready until it answers again');
      this.opts.onChange(false);
    } else if (silent === null && this.reportedLost) {
      this.reportedLost = false;
      this.opts.log.info('the broker answers again');
      this.opts.onChange(true);
    }
  }
}
