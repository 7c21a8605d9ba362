/**
 * Partitions past the idle timeout count as idle only once the broker
 * confirms they hold nothing past the consumed position
 * (PartitionWatermarks): asked on every batch and every idle tick.
 *
 * A failed read of the end offsets says nothing about the partitions, and
 * it is no rare thing: a slow broker, a metadata refresh, a coordinator
 * moving. Taking every candidate for idle on the first failure (as this once
 * did) left a partition whose records had not been fetched yet — a slow
 * start under load — out of the minimum, so event time ran past its records
 * and they were all late. So a failure leaves the candidates as they are
 * (they hold event time back, as before the timeout) and the next tick asks
 * again. Only once reads have failed for another idle timeout in a row does
 * the timeout alone decide, as it would without the broker's word at all:
 * event time must not stall for as long as the admin cannot answer.
 * Said once when reads start failing, once when the fallback applies, once
 * when they work again (not four times a second).
 */
import type { Admin } from 'kafkajs';
import type { Logger } from '../../lib/logger.js';
import type { PartitionWatermarks } from './partition-watermarks.js';
import type { PartitionPositions } from './partition-backlog.js';

export class IdleSettlement {
  /** When reads of the end offsets started failing (virtual time); undefined while they work. */
  private failingSince: number | undefined;
  private fellBack = false;

  constructor(
    private readonly positions: PartitionPositions,
    private readonly admin: Admin,
    private readonly idleTimeoutMs: number,
    private readonly log: Logger,
  ) {}

  async settle(watermarks: PartitionWatermarks, now: number): Promise<void> {
    const candidates = watermarks.idleCandidates(now);
    if (candidates.length === 0) return;
    let answer: Awaited<ReturnType<PartitionPositions['check']>>;
    try {
      answer = await this.positions.check(this.admin, candidates);
    } catch (err) {
      this.failed(err, watermarks, candidates, now);
      return;
    }
    if (this.failingSince !== undefined) {
      this.log.info({ failedForMs: now - this.failingSince }, 'end offsets read again; idle partitions are confirmed by the broker again');
      this.failingSince = undefined;
      this.fellBack = false;
    }
    for (const k of answer.waiting) watermarks.setBacklog(k, true);
    for (const k of answer.empty) watermarks.confirmIdle(k);
  }

  private failed(err: unknown, watermarks: PartitionWatermarks, candidates: readonly string[], now: number): void {
    if (this.failingSince === undefined) {
      this.failingSince = now;
      this.log.warn({ err, idleTimeoutMs: this.idleTimeoutMs }, 'could not read end offsets; partitions past the idle timeout stay active until they can be read, or for another idle timeout');
    }
    if (now - this.failingSince <= this.idleTimeoutMs) return;
    if (!this.fellBack) {
      this.fellBack = true;
      this.log.warn({ err, failingForMs: now - this.failingSince }, 'end offsets still cannot be read; partitions idle for the timeout are taken to be empty');
    }
    for (const k of candidates) watermarks.confirmIdle(k);
  }
}
