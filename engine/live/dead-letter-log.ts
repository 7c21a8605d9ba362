/**
 * Dead letters in the log, rate-limited. Each one is counted (metric
 * driftwatch_dead_lettered_total) and produced to the DLQ topic, but a log
 * reader saw nothing: a producer whose clock runs a day ahead had every
 * event dead-lettered as `future_time` without a line. Logging each one
 * would flood the log instead, so one warn line per interval at most sums up
 * those since the last line — by category and source topic, with one of them
 * as an example (its reason, position and correlationId when it has one).
 *
 * `record` only counts; `report` (the live runner's tick, every 250 ms)
 * writes the line. The first dead letters after a quiet spell are reported
 * at the next tick, later ones once the interval has passed since the last
 * line: a burst is one line, or two when it goes on across a tick. Nothing is
 * written while nothing is dead-lettered; what is left when the instance
 * stops is written then. Re-deliveries (after a rebalance or
 * a failed commit) count again, as they do in the metric.
 */
import type { Logger } from '../../lib/logger.js';
import type { DeadLetter, DeadLetterCategory } from '../../processors/facts.js';

/** At most one dead-letter summary per minute: often enough to notice, few enough not to drown the rest. */
export const DEAD_LETTER_LOG_INTERVAL_MS = 60_000;

/** An example's raw value is read for its correlationId only up to this size (a dead letter may be 1 MiB of anything). */
const EXAMPLE_PARSE_LIMIT = 64 * 1024;

interface Example {
  category: DeadLetterCategory;
  reason: string;
  topic?: string;
  partition?: number;
  offset?: string;
  correlationId?: string;
}

export class DeadLetterLog {
  /** `category` → source topic → count, since the last line. */
  private counts = new Map<DeadLetterCategory, Map<string, number>>();
  private total = 0;
  private example: DeadLetter | undefined;
  private lastLine = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly log: Logger,
    /** The DLQ topic, named in the line: where the records themselves are. */
    private readonly dlqTopic: string,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = DEAD_LETTER_LOG_INTERVAL_MS,
  ) {}

  record(dl: DeadLetter): void {
    const category = dl.category ?? 'invalid_event';
    const topic = dl.source?.topic ?? 'unknown';
    let byTopic = this.counts.get(category);
    if (!byTopic) this.counts.set(category, (byTopic = new Map()));
    byTopic.set(topic, (byTopic.get(topic) ?? 0) + 1);
    this.total++;
    this.example ??= dl;
  }

  /**
   * Writes the summary line if there is something to report and the interval since the last line has passed;
   * `final` (the instance stops): whatever is left, interval or not — nothing would report it later.
   */
  report(final = false): void {
    if (this.total === 0) return;
    const now = this.now();
    if (!final && now - this.lastLine < this.intervalMs) return;
    const counts: Record<string, Record<string, number>> = {};
    const parts: string[] = [];
    for (const [category, byTopic] of this.counts) {
      counts[category] = Object.fromEntries(byTopic);
      for (const [topic, n] of byTopic) parts.push(`${category} from ${topic}: ${n}`);
    }
    this.log.warn(
      {
        deadLetters: this.total,
        counts,
        example: exampleOf(this.example!),
        dlqTopic: this.dlqTopic,
        sinceMs: Number.isFinite(this.lastLine) ? now - this.lastLine : undefined,
      },
      `${this.total} records dead-lettered to ${this.dlqTopic} since the last report (${parts.join('; ')})`,
    );
    this.lastLine = now;
    this.counts = new Map();
    this.total = 0;
    this.example = undefined;
  }
}

function exampleOf(dl: DeadLetter): Example {
  const s = dl.source;
  const example: Example = { category: dl.category ?? 'invalid_event', reason: dl.reason, topic: s?.topic, partition: s?.partition, offset: s?.offset };
  const correlationId = correlationIdOf(dl.raw);
  if (correlationId !== undefined) example.correlationId = correlationId;
  return example;
}

/** The record's correlationId, when it is a JSON object that has one (a record rejected for its time or key often is). */
function correlationIdOf(raw: string | Buffer): string | undefined {
  if (raw.length > EXAMPLE_PARSE_LIMIT) return undefined;
  try {
    const value: unknown = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
    const id = value !== null && typeof value === 'object' ? (value as { correlationId?: unknown }).correlationId : undefined;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}
