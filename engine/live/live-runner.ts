/**
 * `driftwatch run`: the engine as a consumer-group member.
 *
 * Exactly-once, consume-transform-produce (kafkajs transactions):
 *   - records are pushed through the same pipeline as replay; alerts and dead
 *     letters derived from them wait in an outbox;
 *   - a commit (every `commitIntervalMs`, or at once when alerts are waiting)
 *     snapshots state, positions and outbox between facts, then — while
 *     processing goes on — flushes the store (idempotent rows) and in ONE
 *     transaction produces the outbox, the changed processor state
 *     (compacted changelog) and the consumer offsets (`sendOffsets`);
 *   - offsets are the "safe" ones of the OffsetTracker: records the event-time
 *     orderer still holds are re-delivered after a crash, records already done
 *     above them are skipped (their offsets are in the checkpoint).
 * After a crash, a restart or a rebalance the engine drops its in-memory
 * state and restores it from the changelog for the partitions it now owns, so
 * in-memory state always equals the last commit plus what follows it.
 *
 * The parts, each in its own file: the group member and its events
 * (group-consumer.ts), one batch into the engine (batch-intake.ts) and the
 * backpressure after it (backpressure.ts), the heartbeat that notices a
 * rebalance (member-heartbeat.ts), an engine per generation restored from
 * the changelog (engine-generation.ts), the idle ticker (idle-ticker.ts),
 * stopping for good (halting.ts) and shutdown (live-shutdown.ts). What they
 * share is in live-context.ts; this file wires them and is the runner's API.
 */
import type { PipelineCounters } from '../pipeline.js';
import { advanceEngine } from './live-engine.js';
import { CommitScheduler } from './commit-scheduler.js';
import { PartitionPositions } from './partition-backlog.js';
import { PartitionLag } from './partition-lag.js';
import { BrokerContact } from './broker-contact.js';
import { ChangelogReader } from './changelog-reader.js';
import { TransactionalProducer } from './transactional-producer.js';
import { GroupDescriber } from './group-description.js';
import { inputEventTypes } from '../../schemas/input-events.js';
import { checkPartitionCountsAgree } from '../../topics/topic-checks.js';
import { refuseDuplicateInstance } from './duplicate-instance.js';
import { DeadLetterLog } from './dead-letter-log.js';
import { SerialLock } from './serial-lock.js';
import { Halting } from './halting.js';
import { LiveState, type LiveContext } from './live-context.js';
import { createConsumer, runConsumer } from './group-consumer.js';
import { notePartitionCounts } from './input-partitions.js';
import { ensureEngine } from './engine-generation.js';
import { startIdleTicker } from './idle-ticker.js';
import { IdleSettlement } from './idle-settlement.js';
import { releaseLive, stopLive } from './live-shutdown.js';
import type { LiveRunnerOptions } from './live-runner-options.js';
import { StopRequestedError } from '../../lib/errors.js';
import { PendingJoin } from './pending-join.js';
import { membershipLapse } from './membership.js';

export class LiveRunner {
  private readonly ctx: LiveContext;
  /** See abortStart. */
  private startAborted = false;
  /** `start` has begun joining groups (see abortStart). */
  private joining = false;
  /** See Halting.failed: settles with the error when the instance has stopped for good. */
  readonly failed: Promise<Error>;

  constructor(opts: LiveRunnerOptions) {
    const { config } = opts;
    const log = opts.logger.child({ component: 'live', instanceId: opts.instanceId });
    const now = opts.now ?? Date.now;
    const state = new LiveState();
    const lock = new SerialLock();
    const transactionalId = `driftwatch-${config.kafka.groupId}-${opts.instanceId}`;
    const halting = new Halting({ log, state, instanceId: opts.instanceId, groupId: config.kafka.groupId, transactionalId });
    // Its commits are answers of the broker (`broker` is made below, before any transaction runs).
    const producer = new TransactionalProducer(opts.kafka, transactionalId, log, undefined, () => broker.answered());
    const admin = opts.kafka.admin();
    const positions = new PartitionPositions();
    const idleTimeoutMs = opts.idleTimeoutMs ?? 10_000;
    const commits = new CommitScheduler({
      producer,
      writer: opts.writer,
      changelogTopic: opts.changelogTopic,
      groupId: config.kafka.groupId,
      instanceId: opts.instanceId,
      metrics: opts.metrics,
      log,
      now,
      intervalMs: opts.commitIntervalMs ?? 1000,
      current: () => {
        const engine = state.engine;
        if (!engine || engine.generation !== state.generation || halting.halted) return null;
        const generation = state.generation;
        // Still the member of the generation the commit is for (commit.ts): not rejoining, crashed, replaced or
        // removed by the coordinator since (membership.ts).
        return { engine, notMember: () => membershipLapse(state, generation, config.live.sessionTimeoutMs, now()) };
      },
      onFailed: (engine) => {
        if (state.engine !== engine) return;
        state.engine = null;
        engine.pipeline.dispose();
        state.generation++;
        state.readyFlag = false; // not ready again until the state is rebuilt (next tick or batch)
      },
      serialise: (work) => lock.exclusive(work),
      stopping: () => state.stopping,
      onFenced: (err) => halting.fenced(err),
    });
    // Silent for a session timeout, the broker takes the instance's readiness and its lag series (not current any more)
    // with it; its next answer brings them back.
    const broker = new BrokerContact({
      timeoutMs: config.live.sessionTimeoutMs,
      now,
      log,
      onChange: (reachable) => {
        if (reachable) void this.ctx.lag.refresh();
        else this.ctx.lag.forgetAll();
        state.onReadyFlagChange?.();
      },
    });
    this.ctx = {
      opts,
      log,
      now,
      state,
      halting,
      lock,
      producer,
      reader: new ChangelogReader(opts.kafka, admin, opts.changelogTopic, config.kafka.groupId, log, opts.stuckConsumerMs, () => broker.answered()),
      admin,
      groupDescriber: new GroupDescriber(admin, config.kafka.groupId),
      positions,
      idle: new IdleSettlement(positions, admin, idleTimeoutMs, log),
      lag: new PartitionLag({
        admin,
        groupId: config.kafka.groupId,
        position: (key) => positions.position(key),
        metrics: opts.metrics,
        log,
        intervalMs: config.live.lagIntervalMs,
        onAnswer: () => broker.answered(),
      }),
      broker,
      inputTopics: [config.kafka.topics.promotion, config.kafka.topics.hydration, config.kafka.topics.index],
      topicTypes: new Map(inputEventTypes.map((type) => [config.kafka.topics[type], type])),
      partitionCounts: new Map(),
      deadLetters: new DeadLetterLog(log, config.kafka.topics.dlq, now),
      idleTimeoutMs,
      commits,
      pendingJoin: new PendingJoin(opts.kafka, config.kafka.groupId, log),
    };
    // Out of the group every partition is revoked (eager rebalance protocol) and may already be another member's: its
    // lag series goes now, not at this instance's next assignment, or lag summed over the instances counts it twice;
    // so does the count of partitions it owns.
    state.onLeftGroup = () => {
      this.ctx.lag.revokeAll();
      opts.metrics?.unassigned(this.ctx.inputTopics);
    };
    state.consumer = createConsumer(this.ctx);
    this.failed = halting.failed;
    this.auditReadiness();
  }

  /**
   * /readyz transitions into the audit trail: `ready` (the flag, unless stopped for good) is compared with what was
   * last recorded whenever the flag moves; halting clears the flag too, so a stop for good is heard.
   */
  private auditReadiness(): void {
    const { state, opts } = this.ctx;
    const audit = opts.audit;
    if (!audit) return;
    let recorded = false;
    state.onReadyFlagChange = () => {
      const ready = this.ready;
      if (ready === recorded) return;
      recorded = ready;
      audit.readiness(ready, ready ? undefined : (this.stoppingFor ?? this.brokerUnreachable ?? 'rejoining the group / restoring state'));
    };
  }

  /** Records handed to the pipeline since start (re-deliveries after a rebalance included). */
  get consumedRecords(): number {
    return this.ctx.state.consumedRecords;
  }

  /** Counters of the current engine's pipeline (since its last restore). */
  counters(): PipelineCounters {
    return { ...(this.ctx.state.engine?.pipeline.counters ?? { records: 0, deadLetters: 0, duplicates: 0, events: 0, late: 0 }) };
  }

  /**
   * Bounded input (the demo): no more records will come, so let the watermark
   * pass every window and timer, as replay does at end of input, and commit.
   * Anything consumed afterwards would be late.
   */
  async finishInput(): Promise<void> {
    const { ctx } = this;
    await ctx.lock.exclusive(async () => {
      if (ctx.halting.halted) throw ctx.halting.halted;
      const engine = await ensureEngine(ctx);
      advanceEngine(engine, Number.POSITIVE_INFINITY);
      await ctx.commits.commit({ wait: true });
    });
  }

  /**
   * Ready = member of the group with its state restored, processing (not failed), not shutting down, and heard from
   * the broker within a session timeout: from the first moment of a graceful stop a load balancer or a rolling update
   * must stop counting on this instance, not only once it has left the group; and one that cannot reach its broker
   * serves nothing, though kafkajs keeps it a member for the ≈ 2 minutes of its retries (broker-contact.ts).
   */
  get ready(): boolean {
    return this.ctx.state.readyFlag && !this.ctx.halting.halted && !this.ctx.state.stopping && this.ctx.broker.silentForMs() === null;
  }

  /** Why this instance is not ready while the broker does not answer (broker-contact.ts); null while it does. */
  get brokerUnreachable(): string | null {
    return this.ctx.broker.unreachable();
  }

  /**
   * Why this instance will not be ready again, once it has stopped for good (Halting.stoppingFor) or is shutting
   * down; null otherwise.
   */
  get stoppingFor(): string | null {
    return this.ctx.halting.stoppingFor ?? (this.ctx.state.stopping ? 'shutting down' : null);
  }

  /**
   * Fails with StopRequestedError when `abortStart` was called: `start` calls it after each of its steps, so a
   * signal during start-up lets go of a group only once the step joining it is over (the caller then `release`s).
   */
  private continueStart(): void {
    if (this.startAborted) throw new StopRequestedError('stopped during start-up');
  }

  /**
   * A signal during `start`: it fails at the end of its current step (StopRequestedError). Returns whether a group
   * may have a member of this instance by then (the changelog reader's or the engine's), which the caller's `release`
   * must take out; false before that, when nothing is left in the broker however the process ends. The engine's
   * join is not waited for: it may wait for another member slow to rejoin for as long as that member's rebalance
   * timeout, so its member leaves the group at once and the join ends (pending-join.ts).
   */
  abortStart(): boolean {
    this.startAborted = true;
    if (this.joining && !this.ctx.state.inGroup) void this.ctx.pendingJoin.giveUp();
    return this.joining;
  }

  async start(): Promise<void> {
    const { ctx } = this;
    const { opts } = ctx;
    await opts.alertEncoder?.ready();
    this.continueStart();
    await ctx.admin.connect();
    this.continueStart();
    // Inputs that are not co-partitioned would split a key's events between members; the group's assigner can only
    // warn (refusing would stop every member), so refuse here, before joining. Missing topics fail here too.
    const { topics } = await ctx.admin.fetchTopicMetadata({ topics: [...ctx.inputTopics, opts.changelogTopic] });
    checkPartitionCountsAgree(topics.map((t) => ({ name: t.name, partitions: t.partitions.length })));
    notePartitionCounts(ctx.partitionCounts, ctx.inputTopics, topics);
    // Before joining and before the producer's first transaction, which would fence a running instance with the same
    // id (duplicate-instance.ts).
    await refuseDuplicateInstance({
      describe: () => ctx.groupDescriber.describeNow(),
      instanceId: opts.instanceId,
      groupId: opts.config.kafka.groupId,
      sessionTimeoutMs: opts.config.live.sessionTimeoutMs,
      log: ctx.log,
    });
    this.continueStart();
    await ctx.producer.connect();
    this.continueStart();
    // From here on the reader's private group, then the engine's, get a member of this instance.
    this.joining = true;
    await ctx.reader.start();
    this.continueStart();
    await runConsumer(ctx, ctx.state.consumer);
    this.continueStart();
    ctx.broker.answered(); // connected: the silence is counted from here, not from a start-up that waited for the broker
    ctx.lag.start();
    ctx.state.ticker = startIdleTicker(ctx);
  }

  /** After a failed `start`: lets go of what it connected (live-shutdown.ts). */
  release(): Promise<void> {
    return releaseLive(this.ctx);
  }

  /** Graceful stop: finish the batch, commit, leave the group; `clean: false` when a failure left records uncommitted (live-shutdown.ts). */
  stop(): Promise<{ clean: boolean }> {
    return stopLive(this.ctx);
  }
}
