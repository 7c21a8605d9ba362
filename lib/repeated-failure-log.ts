/**
 * Logs a failure that repeats on a timer (e.g. the live runner's idle tick,
 * every 250 ms, while the broker is away) without flooding the log: the
 * first failure is logged at once, later ones at most once per `everyMs`
 * with how many there were since the last line, and the first success after
 * failures says how long it failed and how often. A five-minute outage is
 * a dozen lines instead of twelve hundred.
 */
import type { Logger } from './logger.js';

export class RepeatedFailureLog {
  private failingSince: number | undefined;
  private lastLogged = 0;
  private unlogged = 0;
  private total = 0;

  constructor(
    private readonly log: Logger,
    private readonly what: string,
    private readonly everyMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  failed(err: unknown): void {
    const now = this.now();
    this.total++;
    if (this.failingSince === undefined) {
      this.failingSince = now;
      this.lastLogged = now;
      this.log.error({ err }, `${this.what} failed`);
      return;
    }
    this.unlogged++;
    if (now - this.lastLogged < this.everyMs) return;
    this.log.error({ err, failures: this.unlogged, failingForMs: now - this.failingSince }, `${this.what} still failing`);
    this.lastLogged = now;
    this.unlogged = 0;
  }

  succeeded(): void {
    if (this.failingSince === undefined) return;
    this.log.info({ failures: this.total, failedForMs: this.now() - this.failingSince }, `${this.what} works again`);
    this.failingSince = undefined;
    this.unlogged = 0;
    this.total = 0;
  }
}
