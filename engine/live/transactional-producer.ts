/**
 * The live engine's transactional producer: one transactional id per
 * instance (`driftwatch-<group>-<instance>`), so a restarted instance fences
 * its crashed predecessor, and a fresh producer after a transaction that
 * failed for any other reason than fencing.
 *
 * Why the fresh producer: after a transaction failed (broker gone
 * mid-commit) kafkajs may be left unable to begin another — an abort that
 * failed too leaves its state machine in ABORTING for good, and every later
 * transaction() throws a non-retriable "Cannot call beginTransaction in state
 * ABORTING" (seen in the broker-outage test: the instance exited instead of
 * carrying on). A new producer with the same transactional id starts clean:
 * connecting it bumps the epoch, which makes the coordinator abort whatever
 * the old one left open. Not after fencing: a new producer would fence the
 * instance that fenced this one.
 */
import kafkajs, { type Kafka, type Producer, type Transaction } from 'kafkajs';
import type { Logger } from '../../lib/logger.js';
import { CommitAbandonedError, CommitDeferredError } from '../../lib/errors.js';
import { inTransaction } from './transaction.js';
import { disconnectWithin } from './bounded-disconnect.js';

export class TransactionalProducer {
  private producer: Producer;
  /** The last transaction failed for another reason than fencing: start the next on a new producer. */
  private suspect = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly transactionalId: string,
    private readonly log: Logger,
    /** How long the previous producer's disconnect is waited for (tests shorten it). */
    private readonly disconnectMs = 5_000,
    /** A transaction was committed: the broker answered (broker-contact.ts; a restore's marker, a commit). */
    private readonly onCommitted?: () => void,
  ) {
    this.producer = this.create();
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  /** The producer for the next transaction (a new one after a failed transaction, see the module comment). */
  private async forTransaction(): Promise<Producer> {
    if (!this.suspect) return this.producer;
    const old = this.producer;
    this.producer = this.create();
    // Bounded: after a broker restart the old producer's disconnect may wait for ever (bounded-disconnect.ts), and
    // with it every later commit. The new producer fences it anyway when it connects.
    await disconnectWithin(old, this.disconnectMs);
    await this.producer.connect(); // throws while the broker is away: the caller fails, and the next attempt tries again
    this.suspect = false;
    this.log.info('new transactional producer after a failed transaction');
    return this.producer;
  }

  /**
   * One transaction around `work` (committed when it resolves, aborted when
   * it throws) on the producer for it; a failure is noted, so that unless it
   * was fencing the next transaction starts on a new producer.
   */
  async run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await inTransaction(await this.forTransaction(), work);
    } catch (err) {
      // A commit abandoned or deferred on purpose was aborted cleanly (its abort failing would fail the next transaction, and that then counts).
      if (!isFenced(err) && !(err instanceof CommitAbandonedError) && !(err instanceof CommitDeferredError)) this.suspect = true;
      throw err;
    }
    this.onCommitted?.();
    return result;
  }

  private create(): Producer {
    return this.kafka.producer({
      transactionalId: this.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      // Keyed outputs (alerts by fingerprint, dead letters by their original key) are placed as the Java client
      // places them (murmur2), as the Kafka demo's producer does; naming it also ends kafkajs's start-up warning.
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
      // A transaction begun right after the previous commit is refused with CONCURRENT_TRANSACTIONS until the
      // coordinator has written that commit's markers (a few ms). kafkajs retries it, by default after 300 ms or
      // more, a wait an alert committed right behind another would sit through. Retry soon instead, as the Java
      // client does (KAFKA-5477: 20 ms); backoff still doubles, so a broker that is really down is not hammered.
      retry: { initialRetryTime: 20, maxRetryTime: 2_000, retries: 10 },
    });
  }
}

/** Kafka error types that mean another producer with this transactional id took over (walks the `cause` chain). */
const FENCING = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);

export function isFenced(err: unknown): boolean {
  for (let e = err as { type?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 10; e = e.cause as typeof e, depth++) {
    if (typeof e.type === 'string' && FENCING.has(e.type)) return true;
  }
  return false;
}

