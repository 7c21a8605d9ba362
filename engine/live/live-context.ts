/**
 * What the parts of the live runner share (live-runner.ts wires them): the
 * collaborators made once at construction, and the state of this instance's
 * membership that group events, batches, idle ticks, commits and shutdown
 * read and move. Everything that touches the state runs under `lock`, except
 * the consumer's event handlers (group-consumer.ts), which only flip flags.
 */
import type { Admin, Consumer } from 'kafkajs';
import type { Logger } from '../../lib/logger.js';
import type { InputEventType } from '../../schemas/input-events.js';
import type { Engine } from './live-engine.js';
import type { OutOfGroupCause } from './clean-stop.js';
import type { PartitionPositions } from './partition-backlog.js';
import type { IdleSettlement } from './idle-settlement.js';
import type { PartitionLag } from './partition-lag.js';
import type { BrokerContact } from './broker-contact.js';
import type { ChangelogReader } from './changelog-reader.js';
import type { TransactionalProducer } from './transactional-producer.js';
import type { GroupDescriber } from './group-description.js';
import type { DeadLetterLog } from './dead-letter-log.js';
import type { CommitScheduler } from './commit-scheduler.js';
import type { SerialLock } from './serial-lock.js';
import type { Halting } from './halting.js';
import type { PendingJoin } from './pending-join.js';
import type { LiveRunnerOptions } from './live-runner-options.js';

export class LiveState {
  /** The group member: set right after the context exists (it needs it), replaced when stuck or crashed for good (group-consumer.ts). */
  consumer!: Consumer;
  assignment: Record<string, number[]> = {};
  /** Moves on every join and every failed commit: an engine of an earlier one is rebuilt before use (engine-generation.ts). */
  generation = 0;
  engine: Engine | null = null;
  /** Ticks the watermark and flushes commits while partitions are idle (idle-ticker.ts). */
  ticker: NodeJS.Timeout | undefined;
  stopping = false;
  #readyFlag = false;
  /** Told whenever `readyFlag` changes (live-runner.ts: /readyz transitions are audited). */
  onReadyFlagChange: (() => void) | undefined;
  #inGroup = false;
  /** Told when `inGroup` turns false (live-runner.ts: the revoked partitions' lag series go). */
  onLeftGroup: (() => void) | undefined;
  /**
   * When the coordinator last confirmed this member (its join, or a heartbeat it answered): without a heartbeat for
   * a session timeout it removes the member without telling it (a changelog restore heartbeats nothing), and a
   * commit after that would land beside the new owner's (membership.ts).
   */
  membershipConfirmedAt = Number.NEGATIVE_INFINITY;
  /** Why the instance last left the group: decides whether a stop out of it is clean (clean-stop.ts). */
  outOfGroupFor: OutOfGroupCause = 'rebalance';
  /** Records handed to the pipeline since start (re-deliveries after a rebalance included). */
  consumedRecords = 0;

  /**
   * A member of the group with the current assignment: from GROUP_JOIN until
   * kafkajs starts rejoining (REBALANCING) or the consumer crashes or is
   * replaced. Outside it the partitions may already be another member's, which
   * restores them from the changelog: this instance must not commit state,
   * outputs or offsets for them then (idle ticks would), or both would.
   */
  get inGroup(): boolean {
    return this.#inGroup;
  }

  set inGroup(value: boolean) {
    const left = this.#inGroup && !value;
    this.#inGroup = value;
    if (left) this.onLeftGroup?.();
  }

  /** Member of the group with its state restored (LiveRunner.ready adds: and not stopped for good). */
  get readyFlag(): boolean {
    return this.#readyFlag;
  }

  set readyFlag(value: boolean) {
    if (value === this.#readyFlag) return;
    this.#readyFlag = value;
    this.onReadyFlagChange?.();
  }

  /** The engine of the current generation, or null when there is none yet or it is one of an earlier generation. */
  currentEngine(): Engine | null {
    return this.engine && this.engine.generation === this.generation ? this.engine : null;
  }
}

export interface LiveContext {
  readonly opts: LiveRunnerOptions;
  readonly log: Logger;
  readonly now: () => number;
  readonly state: LiveState;
  /** Why the instance stopped for good, if it did (halting.ts). */
  readonly halting: Halting;
  /** Serialises batch handling, idle ticks, commits and shutdown. */
  readonly lock: SerialLock;
  readonly producer: TransactionalProducer;
  readonly reader: ChangelogReader;
  /** End offsets: does a partition past the idle timeout really have nothing to read? */
  readonly admin: Admin;
  /** The group's description, shared by the member count and the restore of one generation. */
  readonly groupDescriber: GroupDescriber;
  readonly positions: PartitionPositions;
  /** Asks the broker about partitions past the idle timeout (idle-settlement.ts): on every batch and idle tick. */
  readonly idle: IdleSettlement;
  /** driftwatch_consumer_lag of the owned partitions, from the broker (partition-lag.ts). */
  readonly lag: PartitionLag;
  /** When the broker last answered: silent for a session timeout, the instance is not ready (broker-contact.ts). */
  readonly broker: BrokerContact;
  readonly inputTopics: string[];
  /** The event type each input topic carries: an event of another type there is dead-lettered. */
  readonly topicTypes: ReadonlyMap<string, InputEventType>;
  /**
   * Partition count of each input topic, read at start and at each engine
   * generation (input-partitions.ts): a keyed record on another partition
   * than its key's is dead-lettered (processors/decode.ts, wrong_partition).
   */
  readonly partitionCounts: Map<string, number>;
  /** Dead letters of every engine generation, summed up in the log at most once a minute (dead-letter-log.ts). */
  readonly deadLetters: DeadLetterLog;
  readonly idleTimeoutMs: number;
  /** Publishes checkpoints in the background, one at a time (commit-scheduler.ts). */
  readonly commits: CommitScheduler;
  /** The group member's join, given up by a stop during start-up; its `memberKafka` makes the member (pending-join.ts). */
  readonly pendingJoin: PendingJoin;
}
