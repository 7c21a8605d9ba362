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
 */
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { DriftwatchConfig } from '../../config/env-config.js';
import type { AlertsConfig } from '../../config/alert-rules.js';
import type { Logger } from '../../lib/logger.js';
import type { StoreWriter } from '../../store/store-writer.js';
import type { Fact } from '../../processors/facts.js';
import type { Decoder, RawRecord } from '../../processors/decode.js';
import type { AlertEncoder } from '../../schemas/registry/alert-encoder.js';
import type { PipelineCounters } from '../pipeline.js';
import { advanceEngine, createLiveEngine, type Engine } from './live-engine.js';
import { assignedTps, splitTp, tp } from './topic-partition.js';
import { CommitScheduler } from './commit-scheduler.js';
import { isCleanStop, type OutOfGroupCause } from './clean-stop.js';
import { coPartitionAssignerFor } from '../../topics/co-partition-assigner.js';
import { PartitionPositions, settleIdlePartitions } from './partition-backlog.js';
import { PartitionLag } from './partition-lag.js';
import { ChangelogReader } from './changelog-reader.js';
import type { LiveMetrics } from './live-metrics.js';
import { isFenced, isKafkaError, TransactionalProducer } from './transactional-producer.js';
import { restoreEngine } from './restore-engine.js';
import { GroupDescriber } from './group-description.js';
import { groupInstanceIds, reportGroupMembers } from './group-members.js';
import { inputEventTypes, type InputEventType } from '../../schemas/input-events.js';
import { RepeatedFailureLog } from '../../lib/repeated-failure-log.js';
import { STUCK_CONSUMER_MS, watchForStuckStop } from './stuck-consumer.js';
import { replaceUntilRunning } from './consumer-replacement.js';
import { DriftwatchError, DuplicateInstanceError } from '../../lib/errors.js';
import { checkPartitionCountsAgree } from '../../topics/topic-checks.js';
import { fencedByTwin, refuseDuplicateInstance } from './duplicate-instance.js';
import { DeadLetterLog } from './dead-letter-log.js';

export interface LiveRunnerOptions {
  kafka: Kafka;
  config: DriftwatchConfig;
  alerts: AlertsConfig;
  logger: Logger;
  writer: StoreWriter | null;
  changelogTopic: string;
  /** Stable per instance: the transactional id derives from it, so a restarted instance fences its crashed predecessor. */
  instanceId: string;
  commitIntervalMs?: number;
  idleTimeoutMs?: number;
  metrics?: LiveMetrics;
  /** Decoder of input records; default JSON (the schema-registry decoder when SCHEMA_REGISTRY_URL is set). */
  decoder?: Decoder;
  /** Encoder of alert values; default JSON (Avro with DRIFTWATCH_ALERT_FORMAT=avro). */
  alertEncoder?: AlertEncoder;
  /** Every fact the engine derives, in order (the demo tallies them). */
  onFact?: (fact: Fact) => void;
  /** Wall clock, injectable for tests. */
  now?: () => number;
  /** How long a consumer may stay stopped without a crash report or a rejoin before it is replaced (stuck-consumer.ts). */
  stuckConsumerMs?: number;
}


export class LiveRunner {
  private readonly log: Logger;
  private consumer: Consumer;
  private readonly producer: TransactionalProducer;
  /** `driftwatch-<group>-<instance>`: shared by every process started with this instance id (duplicate-instance.ts). */
  private readonly transactionalId: string;
  private readonly reader: ChangelogReader;
  /** End offsets: does a partition past the idle timeout really have nothing to read? */
  private readonly admin: Admin;
  /** The group's description, shared by the member count and the restore of one generation. */
  private readonly groupDescriber: GroupDescriber;
  private readonly positions = new PartitionPositions();
  /** driftwatch_consumer_lag of the owned partitions, from the broker (partition-lag.ts). */
  private readonly lag: PartitionLag;
  private readonly inputTopics: string[];
  /** The event type each input topic carries: an event of another type there is dead-lettered. */
  private readonly topicTypes: ReadonlyMap<string, InputEventType>;
  private readonly now: () => number;
  private readonly commitIntervalMs: number;
  /** Dead letters of every engine generation, summed up in the log at most once a minute (dead-letter-log.ts). */
  private readonly deadLetters: DeadLetterLog;
  private readonly idleTimeoutMs: number;
  private assignment: Record<string, number[]> = {};
  private generation = 0;
  private engine: Engine | null = null;
  /** Serialises batch handling, idle ticks, commits and shutdown. */
  private lock: Promise<void> = Promise.resolve();
  private ticker: NodeJS.Timeout | undefined;
  /** Publishes checkpoints in the background, one at a time (commit-scheduler.ts). */
  private readonly commits: CommitScheduler;
  private stopping = false;
  private readyFlag = false;
  /**
   * A member of the group with the current assignment: from GROUP_JOIN until
   * kafkajs starts rejoining (REBALANCING) or the consumer crashes or is
   * replaced. Outside it the partitions may already be another member's, which
   * restores them from the changelog: this instance must not commit state,
   * outputs or offsets for them then (idle ticks would), or both would.
   */
  private inGroup = false;
  /** Why the instance last left the group: decides whether a stop out of it is clean (clean-stop.ts). */
  private outOfGroupFor: OutOfGroupCause = 'rebalance';
  private fail: (err: Error) => void = () => {};
  /** Set once an engine's pipeline failed (see `pipelineFailed`): nothing more is processed or committed. */
  private halted: Error | null = null;
  /**
   * Settles with the error when the consumer has stopped for good: kafkajs
   * does not restart it after a non-retriable error, and the process would
   * otherwise live on, reading nothing. A Kafka error other than fencing gets
   * a new group member instead (see the CRASH handler); fencing, a failed
   * store or an error of ours settles this, and `driftwatch run` exits
   * non-zero so its supervisor restarts the instance from the last commit.
   */
  readonly failed: Promise<Error> = new Promise((resolve) => (this.fail = resolve));

  constructor(private readonly opts: LiveRunnerOptions) {
    const { config } = opts;
    this.log = opts.logger.child({ component: 'live', instanceId: opts.instanceId });
    this.now = opts.now ?? Date.now;
    this.commitIntervalMs = opts.commitIntervalMs ?? 1000;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 10_000;
    this.inputTopics = [config.kafka.topics.promotion, config.kafka.topics.hydration, config.kafka.topics.index];
    this.topicTypes = new Map(inputEventTypes.map((type) => [config.kafka.topics[type], type]));
    this.deadLetters = new DeadLetterLog(this.log, config.kafka.topics.dlq, this.now);
    this.consumer = this.createConsumer();
    this.transactionalId = `driftwatch-${config.kafka.groupId}-${opts.instanceId}`;
    this.producer = new TransactionalProducer(opts.kafka, this.transactionalId, this.log);
    this.reader = new ChangelogReader(opts.kafka, opts.changelogTopic, config.kafka.groupId, this.log, opts.stuckConsumerMs);
    this.admin = opts.kafka.admin();
    this.groupDescriber = new GroupDescriber(this.admin, config.kafka.groupId);
    this.lag = new PartitionLag({
      admin: this.admin,
      groupId: config.kafka.groupId,
      position: (key) => this.positions.position(key),
      metrics: opts.metrics,
      log: this.log,
      intervalMs: config.live.lagIntervalMs,
    });
    this.commits = new CommitScheduler({
      producer: this.producer,
      writer: opts.writer,
      changelogTopic: opts.changelogTopic,
      groupId: config.kafka.groupId,
      instanceId: opts.instanceId,
      metrics: opts.metrics,
      log: this.log,
      now: this.now,
      intervalMs: this.commitIntervalMs,
      current: () => {
        const engine = this.engine;
        if (!engine || engine.generation !== this.generation || this.halted) return null;
        const generation = this.generation;
        // Still the member of the generation the commit is for (commit.ts): not rejoining, crashed or replaced since.
        return { engine, stillMember: () => this.inGroup && this.generation === generation };
      },
      onFailed: (engine) => {
        if (this.engine !== engine) return;
        this.engine = null;
        engine.pipeline.dispose();
        this.generation++;
        this.readyFlag = false; // not ready again until the state is rebuilt (next tick or batch)
      },
      serialise: (work) => this.exclusive(work),
      stopping: () => this.stopping,
      onFenced: (err) => this.fenced(err),
    });
  }

  /** Records handed to the pipeline since start (re-deliveries after a rebalance included). */
  consumedRecords = 0;

  /** Counters of the current engine's pipeline (since its last restore). */
  counters(): PipelineCounters {
    return { ...(this.engine?.pipeline.counters ?? { records: 0, deadLetters: 0, duplicates: 0, events: 0, late: 0 }) };
  }

  /**
   * Bounded input (the demo): no more records will come, so let the watermark
   * pass every window and timer, as replay does at end of input, and commit.
   * Anything consumed afterwards would be late.
   */
  async finishInput(): Promise<void> {
    await this.exclusive(async () => {
      if (this.halted) throw this.halted;
      const engine = await this.ensureEngine();
      advanceEngine(engine, Number.POSITIVE_INFINITY);
      await this.commits.commit({ wait: true });
    });
  }

  /** Ready = member of the group with its state restored, and processing (not failed). */
  get ready(): boolean {
    return this.readyFlag && !this.halted;
  }

  /**
   * Why this instance will not be ready again, once it has stopped for good (fenced, or its pipeline failed) and
   * waits for `driftwatch run` to exit; null otherwise. For /readyz (readiness.ts): the start-up reason it said
   * before read as if the instance were about to serve.
   */
  get stoppingFor(): string | null {
    if (!this.halted) return null;
    // The duplicate id is the operator's to fix, and its message says how; a processing failure's cause may quote
    // a record, which stays in the log.
    return this.halted instanceof DuplicateInstanceError ? `stopping: ${this.halted.message}` : 'stopping after a processing failure (see the log)';
  }

  async start(): Promise<void> {
    await this.opts.alertEncoder?.ready();
    await this.admin.connect();
    // Inputs that are not co-partitioned would split a key's events between members; the group's assigner can only
    // warn (refusing would stop every member), so refuse here, before joining. Missing topics fail here too.
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [...this.inputTopics, this.opts.changelogTopic] });
    checkPartitionCountsAgree(topics.map((t) => ({ name: t.name, partitions: t.partitions.length })));
    // Before joining and before the producer's first transaction, which would fence a running instance with the same
    // id (duplicate-instance.ts).
    await refuseDuplicateInstance({
      describe: () => this.groupDescriber.describeNow(),
      instanceId: this.opts.instanceId,
      groupId: this.opts.config.kafka.groupId,
      sessionTimeoutMs: this.opts.config.live.sessionTimeoutMs,
      log: this.log,
    });
    await this.producer.connect();
    await this.reader.start();
    await this.runConsumer(this.consumer);
    this.lag.start();
    // Idle partitions must not stall event time: tick the watermark and flush commits.
    const tickFailures = new RepeatedFailureLog(this.log, 'idle tick');
    let tickQueued = false;
    this.ticker = setInterval(() => {
      this.deadLetters.report(); // outside the lock: it only reads counts (and must not wait behind a held batch)
      // One tick waiting behind a batch is enough: a batch held by backpressure through a store outage would
      // otherwise queue four a second for as long as the outage lasts.
      if (tickQueued) return;
      tickQueued = true;
      const tick = this.exclusive(() => this.onTick());
      void tick.finally(() => (tickQueued = false)).catch(() => undefined);
      void tick.then(() => tickFailures.succeeded(), (err: unknown) => {
        // This instance's producer was fenced by a newer one with the same instance id: nothing it does can commit
        // again, so stop as a crashed consumer would — said once, as the duplicate instance id, not first as a
        // failed tick too. Anything else (a broker outage longer than kafkajs's retries also arrives as
        // non-retriable) is logged and tried again on the next tick.
        if (isFenced(err) && !this.stopping) return this.fenced(err);
        tickFailures.failed(err);
      });
    }, 250);
  }

  /**
   * The group member. Its events count only while it is the current one: a
   * consumer replaced after getting stuck (stuck-consumer.ts) may still
   * finish its crash later, and must neither restart nor move our state.
   */
  private createConsumer(): Consumer {
    const { config } = this.opts;
    const consumer = this.opts.kafka.consumer({
      groupId: config.kafka.groupId,
      partitionAssigners: [coPartitionAssignerFor(this.opts.instanceId)],
      readUncommitted: false,
      maxWaitTimeInMs: 250,
      sessionTimeout: config.live.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatMs,
      // See ChangelogReader: once stopping, a crashed consumer must not come back and rejoin the group.
      retry: { restartOnFailure: async () => !this.stopping && consumer === this.consumer },
    });
    const current = () => consumer === this.consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      if (!current()) return;
      this.assignment = e.payload.memberAssignment as Record<string, number[]>;
      this.generation++;
      this.inGroup = true;
      this.positions.reset();
      this.readyFlag = false;
      this.opts.metrics?.assigned(this.assignment);
      // Revoked partitions' lag goes; the new ones' is read now, before anything is fetched from them.
      void this.lag.assign(assignedTps(this.inputTopics, this.assignment));
      this.log.info({ assignment: this.assignment, generation: this.generation }, 'joined group; state will be restored');
      void reportGroupMembers(this.groupDescriber, this.log, this.opts.metrics, this.generation, () => this.generation);
    });
    // Every batch (also one of transaction markers only) moves the consumed position and says whether more records wait.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (!current()) return;
      const key = tp(payload.topic, payload.partition);
      this.positions.consumed(key, payload.lastOffset, payload.firstOffset);
      if (this.engine && this.engine.generation === this.generation) this.engine.watermarks.setBacklog(key, Number(payload.offsetLag) > 0);
    });
    consumer.on(consumer.events.REBALANCING, () => {
      if (!current()) return;
      // Out already (a crash): the records it left uncommitted stay a failure's.
      if (this.inGroup) this.outOfGroupFor = 'rebalance';
      this.inGroup = false;
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (!current()) return;
      this.readyFlag = false;
      this.inGroup = false; // kafkajs disconnects a crashed consumer: it has left the group, restarted or not
      this.outOfGroupFor = 'failure';
      // Fenced: one cause, said once, as the duplicate instance id (by driftwatch run, from `failed`); a generic line
      // before it made one cause read as two errors.
      const fencing = !e.payload.restart && !this.stopping && isFenced(e.payload.error);
      if (!fencing) this.log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
      if (e.payload.restart || this.stopping) return;
      if (fencing) return this.fenced(e.payload.error);
      // kafkajs does not restart a consumer after a non-retriable error, and a broker restart produces one (a group
      // coordinator not found while it rejoins): a Kafka failure other than fencing is ridden out with a new group
      // member, as a failed commit is (same classification); fencing, a failed store and our own errors still end
      // the instance for its supervisor.
      if (isKafkaError(e.payload.error)) void this.replaceConsumer('crashed without a restart');
      else this.fail(e.payload.error);
    });
    watchForStuckStop(consumer, {
      afterMs: this.opts.stuckConsumerMs,
      stopping: () => this.stopping || !current(),
      onStuck: () => void this.replaceConsumer('stopped and neither restarted nor reported a crash', { stuckAfterMs: this.opts.stuckConsumerMs ?? STUCK_CONSUMER_MS }),
    });
    return consumer;
  }

  private async runConsumer(consumer: Consumer): Promise<void> {
    await consumer.connect();
    for (const topic of this.inputTopics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: async (payload) => {
        const engine = await this.exclusive(() => this.onBatch(payload));
        // Outside the lock: idle ticks (metrics, commits of what was processed) go on while consumption waits.
        if (engine) await this.waitForCapacity(engine, payload);
      },
    });
  }

  /**
   * Backpressure, between batches: kafkajs fetches the next batch only once
   * this returns. Waits while the store writer has too many pending rows
   * (ClickHouse down) or too many records wait to be decoded (a schema
   * registry outage: every record fetched after a held Avro record waits
   * behind it, in memory). Heartbeats go on meanwhile, so the member stays in
   * the group for as long as the wait lasts; a rebalance (the heartbeat says
   * so), a stop, a pipeline failure or a replaced engine ends the wait: the
   * next batch is then someone else's concern or never comes.
   */
  private async waitForCapacity(engine: Engine, { heartbeat, isStale }: EachBatchPayload): Promise<void> {
    let room = false;
    const capacity = engine.pipeline.waitForCapacity(MAX_PENDING_ROWS, MAX_UNDECODED_RECORDS).then(() => {
      room = true;
    });
    capacity.catch(() => undefined); // awaited below unless the wait ends first
    const interval = this.heartbeatMs;
    let paused = false;
    try {
      for (;;) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([capacity, new Promise<void>((resolve) => (timer = setTimeout(resolve, interval)))]).finally(() => clearTimeout(timer));
        if (room) return;
        if (this.stopping || this.halted || isStale() || this.engine !== engine || !this.inGroup) return;
        if (!paused) {
          paused = true;
          this.opts.metrics?.paused(true);
          this.log.warn({ undecoded: engine.pipeline.undecoded, storePendingRows: this.opts.writer?.pendingRows ?? 0 }, 'consumption paused: records wait to be decoded (schema registry) or stored; heartbeats go on');
        }
        await this.heartbeat(heartbeat, false);
      }
    } finally {
      if (paused) {
        this.opts.metrics?.paused(false);
        this.log.info({ undecoded: engine.pipeline.undecoded }, 'consumption resumed');
      }
    }
  }

  /**
   * kafkajs's heartbeat. When it says a rebalance has begun, kafkajs rejoins
   * once the batch returns, and our partitions may go to a member that
   * restores them from the changelog: the commit in flight lands first, so
   * that restore sees it rather than being followed by it (kafkajs commits its
   * own offsets at this point for the same reason). Still a member until it
   * has landed (else commit.ts would abandon it); out of the group after, so
   * nothing new is committed. `locked`: called holding the lock (a batch).
   */
  private async heartbeat(heartbeat: () => Promise<void>, locked: boolean): Promise<void> {
    try {
      await heartbeat();
    } catch (err) {
      if (isRebalancing(err)) {
        const leave = async (): Promise<void> => {
          await this.commits.settled();
          this.inGroup = false;
          this.outOfGroupFor = 'rebalance';
        };
        await (locked ? leave() : this.exclusive(leave));
      }
      throw err;
    }
  }

  /**
   * A new group member in place of one stuck after a crash (see
   * stuck-consumer.ts) or one kafkajs will not restart after a Kafka error
   * (a broker restart). To the engine it is a rebalance: the new member
   * joins, its generation's state is restored from the changelog, and it
   * reads from the committed offsets. Tried until it runs or we stop.
   * `details` go on the log line: what applies to this cause only (the bound
   * a stuck consumer overran; a crash was logged with its error just before).
   */
  private async replaceConsumer(why: string, details: Record<string, unknown> = {}): Promise<void> {
    this.readyFlag = false;
    this.inGroup = false;
    this.outOfGroupFor = 'failure';
    this.log.error(details, `consumer ${why}; starting a new one`);
    await replaceUntilRunning({
      stopped: () => this.stopping,
      install: () => {
        const old = this.consumer;
        this.consumer = this.createConsumer();
        return { old, fresh: this.consumer };
      },
      run: (consumer) => this.runConsumer(consumer),
      log: this.log,
      what: 'new consumer',
    });
  }

  /**
   * Graceful stop: finish the batch, commit, leave the group. Resolves
   * `clean: false` when a failure left what this instance consumed
   * uncommitted: the final commit failed, an earlier failed commit dropped the
   * state and it was not rebuilt before the stop, or the consumer crashed
   * after processing records it could not commit. Nothing is lost either way
   * (the next owner reads those records again from the committed offsets),
   * but the process should not report a clean exit (`driftwatch run` exits 1).
   * A rebalance is a handover, not a failure (clean-stop.ts).
   */
  /**
   * After a failed `start`: lets go of what it connected (producer, admin,
   * changelog reader, consumer). Nothing was processed, so nothing is
   * committed. Without this their sockets kept a failed `driftwatch run`
   * alive, doing nothing, after it had reported the failure.
   */
  async release(): Promise<void> {
    this.stopping = true;
    if (this.ticker) clearInterval(this.ticker);
    this.lag.stop();
    await this.consumer.disconnect().catch(() => undefined);
    await this.reader.stop().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }

  async stop(): Promise<{ clean: boolean }> {
    if (this.stopping) return { clean: true };
    this.stopping = true;
    if (this.ticker) clearInterval(this.ticker);
    this.lag.stop();
    let clean = true;
    await this.exclusive(async () => {
      const current = this.engine && this.engine.generation === this.generation ? this.engine : null;
      // Out of the group (crashed, rejoining), its partitions are not ours to commit: work since the last commit is redone.
      // So is it after a processing failure: the engine's state may hold a fact half applied.
      const engine = this.inGroup && !this.halted ? current : null;
      if (engine) await this.commits.commit({ wait: true });
      await this.commits.settled();
      clean = !this.halted && isCleanStop({
        finalCommit: engine !== null,
        engineKept: engine !== null && this.engine === engine,
        failurePending: this.commits.failurePending,
        progressed: current?.progressed ?? false,
        outOfGroupFor: this.outOfGroupFor,
      });
      // Fenced: the cause is reported once, by whoever stops the instance (driftwatch run); the twin owns the partitions.
      if (!clean && !(this.halted instanceof DuplicateInstanceError)) {
        const what = engine ? 'final commit failed' : this.halted ? 'stopped after a processing failure' : 'stopped out of the group after a failure';
        this.log.error(`${what}: the records since the last commit will be read again by the next owner of their partitions`);
      }
    }).catch((err) => {
      clean = false;
      this.log.error({ err }, 'final commit failed');
    });
    // The ticker wrote the dead-letter summary: what it had not written yet (the last batch's too) goes now.
    this.deadLetters.report(true);
    await this.consumer.disconnect().catch((err) => this.log.warn({ err }, 'consumer disconnect failed'));
    await this.reader.stop();
    await this.admin.disconnect().catch((err) => this.log.warn({ err }, 'admin disconnect failed'));
    await this.producer.disconnect().catch((err) => this.log.warn({ err }, 'producer disconnect failed'));
    this.readyFlag = false;
    return { clean };
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Handles one batch; the engine that took it (its backpressure is waited for after), or null. */
  private async onBatch({ batch, isStale, heartbeat }: EachBatchPayload): Promise<Engine | null> {
    if (this.stopping || this.halted) return null;
    const failed = this.commits.takeError();
    if (failed !== null) throw failed;
    const engine = await this.ensureEngine();
    const now = this.now();
    // No batch marks its partition active: only the events in it do (live-engine.ts, `observe`). One of dead letters
    // or duplicates only leaves the partition's event time where it was, so counting it as activity kept such a
    // partition from going idle and held every other partition's events back for as long as they came. Records
    // still waiting behind this batch keep it from idleness through its offset lag (END_BATCH_PROCESS → setBacklog).
    let pushed = 0;
    const expectedType = this.topicTypes.get(batch.topic);
    for (const message of batch.messages) {
      if (isStale() || this.stopping || this.halted) break;
      if (engine.tracker.shouldSkip(batch.topic, batch.partition, message.offset)) continue;
      engine.tracker.consumed(batch.topic, batch.partition, message.offset);
      const record: RawRecord = {
        value: message.value ?? Buffer.alloc(0),
        key: message.key,
        // As they came (bytes, repeated names): only a dead letter reads them, and it must pass them on unchanged.
        headers: message.headers,
        source: { topic: batch.topic, partition: batch.partition, offset: message.offset },
        expectedType,
      };
      engine.pipeline.push(record);
      pushed++;
    }
    this.consumedRecords += pushed;
    if (pushed > 0) this.opts.metrics?.eventsIn(batch.topic, pushed);
    if (this.halted) return null;
    await settleIdlePartitions(engine.watermarks, this.positions, this.admin, this.now(), this.log);
    advanceEngine(engine, engine.watermarks.frontier(now));
    await this.heartbeat(heartbeat, true);
    // A rebalance that began during the batch: the records are read again by whoever gets the partitions.
    if (this.inGroup && (engine.alertsWaiting > 0 || this.commits.isDue(now))) await this.commits.commit();
    return engine;
  }

  /** The consumer's heartbeat interval: a tenth of the session timeout, at least 1 s. */
  private get heartbeatMs(): number {
    return Math.max(1_000, Math.floor(this.opts.config.live.sessionTimeoutMs / 10));
  }

  private async onTick(): Promise<void> {
    if (this.stopping || this.halted || this.generation === 0 || !this.inGroup) return;
    // A member that joined but has read no record yet (e.g. restarted into a quiet period) restores its state
    // here rather than on its first batch: its timers (grace ends, source expiry, escalations) must fire and
    // it must report ready without waiting for input.
    const engine = this.engine && this.engine.generation === this.generation ? this.engine : await this.ensureEngine();
    await settleIdlePartitions(engine.watermarks, this.positions, this.admin, this.now(), this.log);
    advanceEngine(engine, engine.watermarks.frontier(this.now()));
    this.opts.metrics?.observeEngine(engine.pipeline, engine.tracker.pendingCount, engine.watermarks.watermark(this.now()), this.now());
    this.opts.metrics?.storePending(this.opts.writer?.pendingRows ?? 0);
    this.opts.metrics?.departedShares(engine.retiring.instanceIds.length);
    // Idle advances release records too: commit them (offsets, state, outputs) without waiting for the next batch.
    const uncommitted = engine.outbox.length > 0 || engine.progressed || engine.retiring.changed;
    if (engine.alertsWaiting > 0 || (uncommitted && this.commits.isDue(this.now()))) await this.commits.commit();
  }

  /** A fresh engine for the current assignment, restored from the changelog. */
  private async ensureEngine(): Promise<Engine> {
    if (this.engine && this.engine.generation === this.generation) return this.engine;
    // The producer runs one transaction at a time, and the restore must see the last commit.
    await this.commits.settled();
    // The engine of an earlier generation is done with: let it go (Pipeline.dispose).
    this.engine?.pipeline.dispose();
    const generation = this.generation;
    const started = this.now();
    const engine = createLiveEngine(
      {
        logger: this.log,
        config: this.opts.config,
        alerts: this.opts.alerts,
        writer: this.opts.writer,
        idleTimeoutMs: this.idleTimeoutMs,
        decoder: this.opts.decoder,
        alertEncoder: this.opts.alertEncoder,
        metrics: this.opts.metrics,
        deadLetters: this.deadLetters,
        onFact: this.opts.onFact,
        onFailure: (err) => this.pipelineFailed(err),
        now: this.now,
      },
      generation,
    );
    const { partitions, keys, startOffsets, adopted } = await restoreEngine(engine, {
      reader: this.reader,
      producer: this.producer,
      changelogTopic: this.opts.changelogTopic,
      instanceId: this.opts.instanceId,
      inputTopics: this.inputTopics,
      assignment: this.assignment,
      positions: this.positions,
      now: this.now,
      groupInstanceIds: () => groupInstanceIds(this.groupDescriber, generation, this.log),
    });
    if (this.commits.takeRewind()) this.rewind(startOffsets);
    this.engine = engine;
    this.commits.restarted();
    this.readyFlag = true;
    this.log.info({ generation, partitions, keys, ms: this.now() - started }, 'state restored');
    if (adopted.length > 0) {
      this.log.warn({ generation, instances: adopted }, 'took over the per-env state of instances no longer in the group: their windows close and their alerts resolve as event time moves on');
    }
    return engine;
  }

  /**
   * An engine's pipeline stopped on an error — a processor invariant, a store
   * write that throws, an alert the encoder rejects. It drops every record
   * from then on, and its state may hold the failed fact half applied, so
   * nothing more may be processed or committed. The instance stops as it does
   * after fencing (`failed`: `driftwatch run` exits 1), and its supervisor
   * restarts it from the last commit, where the records since are read again.
   * Without this the RxJS stream died unseen: records were taken as consumed
   * and never processed, nothing committed, and /readyz still said ready.
   */
  private pipelineFailed(err: unknown): void {
    if (this.halted) return;
    const cause = err instanceof Error ? err : new Error(String(err));
    this.halted = new DriftwatchError(`processing failed: ${cause.message}`, { cause });
    this.log.error({ err: cause }, 'processing failed: nothing more is processed or committed; the records since the last commit are read again after a restart');
    this.fail(this.halted);
  }

  /**
   * This instance's producer was fenced: a producer with its transactional id
   * connected since, most likely another process started with the same
   * DRIFTWATCH_INSTANCE_ID. Nothing this one does can commit again, and
   * carrying on would only be fenced again: it stops for good as after a
   * pipeline failure — not ready, nothing more processed, no final commit —
   * and `driftwatch run` exits 1 with the likely cause (duplicate-instance.ts).
   */
  private fenced(err: unknown): void {
    if (this.halted) return;
    const twin = fencedByTwin(err, this.opts.instanceId, this.opts.config.kafka.groupId, this.transactionalId);
    this.halted = twin;
    this.readyFlag = false;
    // Fenced during the stop (its final commit): `driftwatch run` no longer listens to `failed` then, so the cause
    // would go unsaid (stop leaves the line to it); said here instead, once.
    if (this.stopping) this.log.error({ err: twin.toJSON() }, twin.message);
    this.fail(twin);
  }

  /**
   * After a failed commit: every owned input partition is read again from
   * its committed position — what a consumer restart would do, without
   * leaving the group. Records consumed since are stale from here on
   * (kafkajs: `isStale()`), so the batch in hand stops at once.
   */
  private rewind(committed: ReadonlyMap<string, string>): void {
    const owned = assignedTps(this.inputTopics, this.assignment);
    for (const key of owned) {
      const [topic, partition] = splitTp(key);
      // No commit yet for the partition: from the beginning, as the group's first start reads it.
      this.consumer.seek({ topic, partition, offset: committed.get(key) ?? EARLIEST_OFFSET });
    }
    this.positions.rewind(owned, committed);
    this.log.warn({ partitions: Object.fromEntries(committed) }, 'reading again from the committed offsets after a failed commit');
  }
}

/** Backpressure (see `waitForCapacity`): store rows accepted and not written yet. */
const MAX_PENDING_ROWS = 100_000;
/**
 * Backpressure: records consumed and not decoded yet. Only an asynchronous
 * decoder (Avro) queues records, and with the registry answering (schemas
 * cached) the queue drains within the batch; so this bounds the memory a
 * registry outage takes: the records then wait in Kafka, not in the heap.
 * One batch more may come on top (a fetch: 1 MB per partition).
 */
const MAX_UNDECODED_RECORDS = 10_000;

/** kafkajs's sentinel offset for the start of a partition's log. */
const EARLIEST_OFFSET = '-2';

/** What kafkajs takes for a rebalance that has begun (its errors.js `isRebalancing`, which it does not export). */
function isRebalancing(err: unknown): boolean {
  const type = (err as { type?: unknown } | null)?.type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION';
}
