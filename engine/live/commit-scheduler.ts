/**
 * When and how the live engine checkpoints: a snapshot taken between batches
 * (state, commit positions, outputs so far), then — while processing goes on
 * — the store flushed and outputs + state + offsets in one transaction
 * (commit.ts). Overlapping the store flush and the transaction with
 * processing hides their cost (a third of the engine's time when done
 * inline, and with alerts flowing every batch waited for the previous commit).
 *
 * One commit is published at a time. Asked for while one is in flight, the
 * next starts as soon as it ends (`wait`: the caller waits for that too, e.g.
 * on shutdown). Memory stays bounded meanwhile by the store's backpressure.
 *
 * A commit that fails leaves Kafka holding less than the engine's memory:
 * the runner drops that engine (`onFailed`), to be rebuilt from the changelog.
 * A Kafka failure (e.g. the group coordinator not found again yet inside a
 * broker restart: kafkajs gives up on that at once, whatever its retries) is
 * ridden out — the rebuilt engine reads again from the committed offsets
 * (`takeRewind`) — as is a commit abandoned because a rebalance began.
 * Fencing, or a store that failed for good, is kept for the next batch to
 * throw (`takeError`): the consumer stops and the process exits for its
 * supervisor to restart it.
 */
import type { StoreWriter } from '../../store/store-writer.js';
import type { Logger } from '../../lib/logger.js';
import { CommitAbandonedError } from '../../lib/errors.js';
import type { Engine } from './live-engine.js';
import type { LiveMetrics } from './live-metrics.js';
import { prepareCommit, publishCommit } from './commit.js';
import { isFenced, type TransactionalProducer } from './transactional-producer.js';
import { isKafkaJsError } from '../../topics/kafka-client.js';

export interface CommitSchedulerOptions {
  producer: TransactionalProducer;
  writer: StoreWriter | null;
  changelogTopic: string;
  groupId: string;
  instanceId: string;
  metrics?: LiveMetrics;
  log: Logger;
  now: () => number;
  /** A commit is due this long after the last one (alerts waiting make it due at once). */
  intervalMs: number;
  /** The engine to commit, and whether this instance is still the group member it is for; null: nothing to commit. */
  current: () => { engine: Engine; notMember: () => string | undefined } | null;
  /** A commit of `engine` failed: drop it, to be rebuilt from the changelog. */
  onFailed: (engine: Engine) => void;
  /** Runs a commit asked for meanwhile, serialised with batches and ticks. */
  serialise: (work: () => Promise<void>) => Promise<void>;
  stopping: () => boolean;
  /** A commit failed because the producer was fenced: the instance stops (reported there, not here). */
  onFenced?: (err: unknown) => void;
}

export class CommitScheduler {
  #publishing: Promise<void> | null = null;
  /** A commit that failed for good (fenced, store failed), thrown by the next batch. */
  #error: unknown = null;
  /**
   * Once the engine is rebuilt, read again from the committed offsets: a
   * commit failed on the Kafka side, or was abandoned because a rebalance
   * began (the protocol at work, not a failure: see `failurePending`).
   */
  #rewind: 'failure' | 'abandoned' | null = null;
  /** A commit was asked for while one was being published. */
  #wanted = false;
  #last = 0;

  constructor(private readonly opts: CommitSchedulerOptions) {}

  /** Resolves once no commit is being published (never rejects). */
  async settled(): Promise<void> {
    await this.#publishing;
  }

  /** The failure kept for the next batch, cleared. */
  takeError(): unknown {
    const err = this.#error;
    this.#error = null;
    return err;
  }

  /** Whether the engine about to be restored must read again from the committed offsets; cleared. */
  takeRewind(): boolean {
    const rewind = this.#rewind !== null;
    this.#rewind = null;
    return rewind;
  }

  /**
   * A commit failed and its consequence (a rewind, or an error for the next
   * batch) is still pending. A commit abandoned for a rebalance does not
   * count: its records go to whoever owns the partitions now, as in any
   * handover, so a stop right after one is still a clean stop.
   */
  get failurePending(): boolean {
    return this.#rewind === 'failure' || this.#error !== null;
  }

  /** A restored engine starts its commit interval now. */
  restarted(): void {
    this.#last = this.opts.now();
  }

  /** The commit interval has passed since the last commit (or restore). */
  isDue(now: number): boolean {
    return now - this.#last >= this.opts.intervalMs;
  }

  async commit(options: { wait?: boolean } = {}): Promise<void> {
    if (this.#publishing) {
      if (!options.wait) {
        this.#wanted = true;
        return;
      }
      await this.#publishing;
    }
    this.#wanted = false;
    const current = this.opts.current();
    if (!current) return;
    const { engine, notMember } = current;
    const o = this.opts;
    const prepared = prepareCommit(engine, o.instanceId, o.now());
    this.#last = o.now();
    const target = { producer: o.producer, writer: o.writer, changelogTopic: o.changelogTopic, groupId: o.groupId, notMember };
    const run: Promise<void> = publishCommit(target, prepared)
      .then(() => {
        const now = o.now();
        // The state changelog is produced too (driftwatch_events_out_total counts every output topic).
        const produced = new Map([...prepared.byTopic, [o.changelogTopic, prepared.changelog]]);
        o.metrics?.committed(produced, now - prepared.started, now);
        o.metrics?.committedWork(engine.pipeline, prepared.sourcesDropped);
      })
      .catch((err: unknown) => this.#failed(engine, err))
      .finally(() => {
        if (this.#publishing === run) this.#publishing = null;
        // Asked for meanwhile (alerts waiting, the interval passed): go on at once, between batches.
        if (this.#wanted && !o.stopping()) void o.serialise(() => this.commit()).catch((err) => o.log.error({ err }, 'commit failed'));
      });
    this.#publishing = run;
    if (options.wait) await run;
  }

  #failed(engine: Engine, err: unknown): void {
    const abandoned = err instanceof CommitAbandonedError;
    const rewind = abandoned || (isKafkaJsError(err) && !isFenced(err) && !this.opts.writer?.failure);
    if (rewind) this.#rewind = abandoned ? 'abandoned' : 'failure';
    else this.#error = err;
    this.opts.onFailed(engine);
    if (isFenced(err) && this.opts.onFenced) return this.opts.onFenced(err);
    // The error's message says why (commit.ts: a rebalance began, or the coordinator's confirmation lapsed).
    if (abandoned) this.opts.log.warn({ err }, 'commit abandoned: no longer a member of the group; state will be rebuilt from the changelog');
    else this.opts.log.error({ err, rewind }, 'commit failed; state will be rebuilt from the changelog');
  }
}
