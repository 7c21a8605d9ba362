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
import kafkajs, { type Admin, type Consumer, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { DriftwatchConfig } from '../../config/env-config.js';
import type { AlertsConfig } from '../../config/alert-rules.js';
import type { Logger } from '../../lib/logger.js';
import type { StoreWriter } from '../../store/store-writer.js';
import type { Fact } from '../../processors/facts.js';
import type { Decoder, RawRecord } from '../../processors/decode.js';
import type { AlertEncoder } from '../../schemas/registry/alert-encoder.js';
import type { PipelineCounters } from '../pipeline.js';
import { createLiveEngine, type Engine } from './live-engine.js';
import { tp } from './topic-partition.js';
import { prepareCommit, publishCommit } from './commit.js';
import { inTransaction } from './transaction.js';
import { restoreTopology } from '../topology-state.js';
import { coPartitionAssigner } from '../../topics/co-partition-assigner.js';
import { PartitionPositions } from './partition-backlog.js';
import { ChangelogReader, MARKER_PREFIX } from './changelog-reader.js';
import { readPartitionEntries, WHOLE_PREFIX, type WholeCheckpoint } from './checkpoint.js';
import type { LiveMetrics } from './live-metrics.js';
import { inputEventTypes, type InputEventType } from '../../schemas/input-events.js';
import { RepeatedFailureLog } from '../../lib/repeated-failure-log.js';

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
}


export class LiveRunner {
  private readonly log: Logger;
  private readonly consumer: Consumer;
  /** Replaced after a failed transaction (see transactionalProducer). */
  private producer: Producer;
  /** The last transaction failed for another reason than fencing: start the next on a new producer. */
  private producerSuspect = false;
  private readonly reader: ChangelogReader;
  /** End offsets: does a partition past the idle timeout really have nothing to read? */
  private readonly admin: Admin;
  private readonly positions = new PartitionPositions();
  private readonly inputTopics: string[];
  /** The event type each input topic carries: an event of another type there is dead-lettered. */
  private readonly topicTypes: ReadonlyMap<string, InputEventType>;
  private readonly now: () => number;
  private readonly commitIntervalMs: number;
  private readonly idleTimeoutMs: number;
  private assignment: Record<string, number[]> = {};
  private generation = 0;
  private engine: Engine | null = null;
  private lastCommit = 0;
  /** Serialises batch handling, idle ticks, commits and shutdown. */
  private lock: Promise<void> = Promise.resolve();
  private ticker: NodeJS.Timeout | undefined;
  /** The commit being published (store flush + transaction), if any; it never rejects (see commit). */
  private publishing: Promise<void> | null = null;
  /** A commit that failed in the background, thrown by the next batch. */
  private publishError: unknown = null;
  /** A commit was asked for while one was being published. */
  private commitWanted = false;
  private stopping = false;
  private readyFlag = false;
  private fail: (err: Error) => void = () => {};
  /**
   * Settles with the error when the consumer has stopped for good: kafkajs
   * does not restart it after a non-retriable error (from a batch, a commit
   * or the broker), and the process would otherwise live on, reading nothing.
   * `driftwatch run` then exits non-zero so its supervisor restarts the
   * instance, which resumes from the last commit.
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
    this.consumer = opts.kafka.consumer({
      groupId: config.kafka.groupId,
      partitionAssigners: [coPartitionAssigner],
      readUncommitted: false,
      maxWaitTimeInMs: 250,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      // See ChangelogReader: once stopping, a crashed consumer must not come back and rejoin the group.
      retry: { restartOnFailure: async () => !this.stopping },
    });
    this.producer = this.createProducer();
    this.reader = new ChangelogReader(opts.kafka, opts.changelogTopic, config.kafka.groupId, this.log);
    this.admin = opts.kafka.admin();
  }

  private createProducer(): Producer {
    return this.opts.kafka.producer({
      transactionalId: `driftwatch-${this.opts.config.kafka.groupId}-${this.opts.instanceId}`,
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

  /**
   * The producer for the next transaction. After a transaction failed
   * (broker gone mid-commit) kafkajs may be left unable to begin another:
   * an abort that failed too leaves its state machine in ABORTING for good,
   * and every later transaction() throws a non-retriable "Cannot call
   * beginTransaction in state ABORTING" (seen in the broker-outage test:
   * the instance exited instead of carrying on). A new producer with the
   * same transactional id starts clean: connecting it bumps the epoch, which
   * makes the coordinator abort whatever the old one left open. Not after
   * fencing: a new producer would fence the instance that fenced this one.
   */
  private async transactionalProducer(): Promise<Producer> {
    if (!this.producerSuspect) return this.producer;
    const old = this.producer;
    this.producer = this.createProducer();
    await old.disconnect().catch((err) => this.log.warn({ err }, 'disconnecting the previous producer failed'));
    await this.producer.connect(); // throws while the broker is away: the caller fails, and the next attempt tries again
    this.producerSuspect = false;
    this.log.info('new transactional producer after a failed transaction');
    return this.producer;
  }

  /** Notes a failed transaction (see transactionalProducer). */
  private transactionFailed(err: unknown): void {
    if (!isFenced(err)) this.producerSuspect = true;
  }

  /** Ready = member of the group with its state restored. */
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
      const engine = await this.ensureEngine();
      engine.pipeline.advanceTo(Number.POSITIVE_INFINITY);
      await this.commit({ wait: true });
    });
  }

  get ready(): boolean {
    return this.readyFlag;
  }

  async start(): Promise<void> {
    await this.opts.alertEncoder?.ready();
    await this.producer.connect();
    await this.admin.connect();
    await this.reader.start();
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      this.assignment = e.payload.memberAssignment as Record<string, number[]>;
      this.generation++;
      this.positions.reset();
      this.readyFlag = false;
      this.opts.metrics?.assigned(this.assignment);
      this.log.info({ assignment: this.assignment, generation: this.generation }, 'joined group; state will be restored');
      void this.reportGroupMembers(this.generation);
    });
    // Every batch (also one of transaction markers only) moves the consumed position and says whether more records wait.
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const key = tp(payload.topic, payload.partition);
      this.positions.consumed(key, payload.lastOffset);
      if (this.engine && this.engine.generation === this.generation) this.engine.watermarks.setBacklog(key, Number(payload.offsetLag) > 0);
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      this.readyFlag = false;
      this.log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
      if (!e.payload.restart && !this.stopping) this.fail(e.payload.error);
    });
    for (const topic of this.inputTopics) await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.exclusive(() => this.onBatch(payload)),
    });
    // Idle partitions must not stall event time: tick the watermark and flush commits.
    const tickFailures = new RepeatedFailureLog(this.log, 'idle tick');
    this.ticker = setInterval(() => {
      void this.exclusive(() => this.onTick()).then(() => tickFailures.succeeded(), (err: unknown) => {
        tickFailures.failed(err);
        // This instance's producer was fenced by a newer one with the same instance id: nothing it does can commit
        // again, so stop as a crashed consumer would. Anything else (a broker outage longer than kafkajs's retries
        // also arrives as non-retriable) is tried again on the next tick.
        if (isFenced(err) && !this.stopping) this.fail(err as Error);
      });
    }, 250);
  }

  /** Graceful stop: finish the batch, commit, leave the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.ticker) clearInterval(this.ticker);
    await this.exclusive(async () => {
      if (this.engine && this.engine.generation === this.generation) await this.commit({ wait: true });
      await this.publishing;
    }).catch((err) => this.log.error({ err }, 'final commit failed'));
    await this.consumer.disconnect().catch((err) => this.log.warn({ err }, 'consumer disconnect failed'));
    await this.reader.stop();
    await this.admin.disconnect().catch((err) => this.log.warn({ err }, 'admin disconnect failed'));
    await this.producer.disconnect().catch((err) => this.log.warn({ err }, 'producer disconnect failed'));
    this.readyFlag = false;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * How many members share the group, as a gauge and, above one, a warning:
   * per-key results (incidents, drift alerts, drift windows) are exact with
   * any number of members, but env-level rollups (promotion windows, MTTR
   * snapshots, rate rules) are computed over the partitions one member owns
   * (README: Known limits) — an operator scaling out must see that, not find
   * it in a dashboard. Best effort: a failed look-up is only logged.
   */
  private async reportGroupMembers(generation: number): Promise<void> {
    try {
      const { groups } = await this.admin.describeGroups([this.opts.config.kafka.groupId]);
      const members = groups[0]?.members.length ?? 0;
      if (generation !== this.generation || members === 0) return;
      this.opts.metrics?.groupMembers(members);
      if (members > 1) {
        this.log.warn(
          { members, generation },
          'several members in the consumer group: incidents, drift alerts and drift windows stay exact, but env-level rollups (promotion windows, MTTR snapshots, rate rules) are each member\'s share',
        );
      }
    } catch (err) {
      this.log.debug({ err }, 'could not describe the consumer group');
    }
  }

  private async onBatch({ batch, isStale, heartbeat }: EachBatchPayload): Promise<void> {
    if (this.stopping) return;
    if (this.publishError !== null) {
      const err = this.publishError;
      this.publishError = null;
      throw err;
    }
    const engine = await this.ensureEngine();
    const now = this.now();
    const key = tp(batch.topic, batch.partition);
    engine.watermarks.touch(key, now);
    let pushed = 0;
    const expectedType = this.topicTypes.get(batch.topic);
    for (const message of batch.messages) {
      if (isStale() || this.stopping) break;
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
    await this.settleIdle(engine);
    engine.pipeline.advanceTo(engine.watermarks.frontier(now));
    this.opts.metrics?.lag(batch.topic, batch.partition, Number(batch.offsetLag()));
    await heartbeat();
    await engine.pipeline.waitForCapacity(100_000);
    if (engine.alertsWaiting > 0 || now - this.lastCommit >= this.commitIntervalMs) await this.commit();
  }

  private async onTick(): Promise<void> {
    if (this.stopping || this.generation === 0) return;
    // A member that joined but has read no record yet (e.g. restarted into a quiet period) restores its state
    // here rather than on its first batch: its timers (grace ends, source expiry, escalations) must fire and
    // it must report ready without waiting for input.
    const engine = this.engine && this.engine.generation === this.generation ? this.engine : await this.ensureEngine();
    await this.settleIdle(engine);
    engine.pipeline.advanceTo(engine.watermarks.frontier(this.now()));
    this.opts.metrics?.observeEngine(engine.pipeline, engine.tracker.pendingCount, engine.watermarks.watermark(this.now()), this.now());
    this.opts.metrics?.storePending(this.opts.writer?.pendingRows ?? 0);
    // Idle advances release records too: commit them (offsets, state, outputs) without waiting for the next batch.
    const uncommitted = engine.outbox.length > 0 || engine.progressed;
    if (engine.alertsWaiting > 0 || (uncommitted && this.now() - this.lastCommit >= this.commitIntervalMs)) await this.commit();
  }

  /** A fresh engine for the current assignment, restored from the changelog. */
  private async ensureEngine(): Promise<Engine> {
    if (this.engine && this.engine.generation === this.generation) return this.engine;
    // The producer runs one transaction at a time, and the restore must see the last commit.
    await this.publishing;
    const generation = this.generation;
    const started = this.now();
    const owned = [...new Set(Object.values(this.assignment).flat())].sort((a, b) => a - b);
    const engine = createLiveEngine(
      {
        config: this.opts.config,
        alerts: this.opts.alerts,
        writer: this.opts.writer,
        idleTimeoutMs: this.idleTimeoutMs,
        decoder: this.opts.decoder,
        alertEncoder: this.opts.alertEncoder,
        metrics: this.opts.metrics,
        onFact: this.opts.onFact,
        now: this.now,
      },
      generation,
    );
    const partitions = [...new Set([0, ...owned])];
    // Prove the reader has everything committed so far (a crashed predecessor's open transaction is aborted by now: our producer fenced it).
    const nonce = randomUUID();
    try {
      await inTransaction(await this.transactionalProducer(), (tx) =>
        tx.send({
          topic: this.opts.changelogTopic,
          messages: partitions.map((p) => ({ key: `${MARKER_PREFIX}${this.opts.instanceId}`, partition: p, value: nonce })),
        }),
      );
    } catch (err) {
      this.transactionFailed(err);
      throw err;
    }
    await this.reader.waitForMarker(nonce, partitions, 60_000);
    const keyed: Array<[string, unknown]> = [];
    const startOffsets = new Map<string, string>();
    /** Committed frontiers of the owned partitions (see StoredProgress); undefined once one predates them. */
    let frontiers: number[] | undefined = [];
    for (const p of owned) {
      const restored = readPartitionEntries(this.reader.entries(p));
      for (const [k, state] of restored.keyed) {
        keyed.push([k, state]);
        engine.keyPartition.set(k, p);
      }
      for (const progress of restored.progress) {
        if (!this.inputTopics.includes(progress.topic)) continue;
        engine.tracker.restore(progress);
        startOffsets.set(tp(progress.topic, progress.partition), progress.safeOffset);
        if (progress.frontier === undefined) frontiers = undefined;
        else frontiers?.push(progress.frontier ?? Number.NEGATIVE_INFINITY);
      }
    }
    const wholeText = this.reader.get(0, WHOLE_PREFIX + this.opts.instanceId);
    const whole = wholeText ? (JSON.parse(wholeText) as WholeCheckpoint) : undefined;
    restoreTopology(engine.pipeline.topology, { keyed: keyed as Array<[string, Record<string, unknown>]>, whole: whole?.processors ?? {} });
    const ownedTps = this.inputTopics.flatMap((t) => (this.assignment[t] ?? []).map((p) => tp(t, p)));
    engine.watermarks.assign(ownedTps, this.now());
    this.positions.restore(startOffsets);
    if (frontiers !== undefined) {
      // Continue event time where the commits left it (the lowest frontier of the owned partitions: records
      // that come again are not older than their own committer's). The per-partition watermarks are not
      // restored: they counted records consumed but not committed, which come again and must not find event
      // time already past them. They are rebuilt from the records read from now on.
      if (frontiers.length > 0) {
        const frontier = Math.min(...frontiers);
        engine.pipeline.advanceTo(frontier);
        engine.watermarks.resume(frontier);
      }
    } else {
      // A checkpoint without frontiers (older version): its watermarks, as then.
      if (whole) engine.watermarks.restore(whole.watermarks.filter(([k]) => ownedTps.includes(k)), this.now());
      engine.pipeline.advanceTo(engine.watermarks.frontier(this.now()));
    }
    this.engine = engine;
    this.lastCommit = this.now();
    this.readyFlag = true;
    this.log.info({ generation, partitions: owned, keys: keyed.length, ms: this.now() - started }, 'state restored');
    return engine;
  }

  /**
   * Partitions past the idle timeout count as idle only once the broker
   * confirms they hold nothing past the consumed position (PartitionWatermarks).
   * Without an answer, the timeout alone decides (event time must not stall).
   */
  private async settleIdle(engine: Engine): Promise<void> {
    const candidates = engine.watermarks.idleCandidates(this.now());
    if (candidates.length === 0) return;
    try {
      const { waiting, empty } = await this.positions.check(this.admin, candidates);
      for (const k of waiting) engine.watermarks.setBacklog(k, true);
      for (const k of empty) engine.watermarks.confirmIdle(k);
    } catch (err) {
      this.log.warn({ err }, 'could not read end offsets; partitions idle for the timeout are taken to be empty');
      for (const k of candidates) engine.watermarks.confirmIdle(k);
    }
  }

  /**
   * Checkpoints what has been processed: a snapshot taken now (state, commit
   * positions, outputs so far), then — while processing goes on — the store
   * flushed first and outputs + state + offsets in one transaction.
   * Overlapping the store flush and the transaction with processing hides
   * their cost (a third of the engine's time when done inline, and with
   * alerts flowing every batch waited for the previous commit).
   *
   * One commit is published at a time. Asked for while one is in flight, the
   * next starts as soon as it ends (`wait`: the caller waits for that too,
   * e.g. on shutdown). Memory stays bounded meanwhile by the store's backpressure.
   */
  private async commit(options: { wait?: boolean } = {}): Promise<void> {
    if (this.publishing) {
      if (!options.wait) {
        this.commitWanted = true;
        return;
      }
      await this.publishing;
    }
    this.commitWanted = false;
    const engine = this.engine;
    if (!engine || engine.generation !== this.generation) return;
    const prepared = prepareCommit(engine, this.opts.instanceId, this.now());
    this.lastCommit = this.now();
    const target = { writer: this.opts.writer, changelogTopic: this.opts.changelogTopic, groupId: this.opts.config.kafka.groupId };
    const run: Promise<void> = this.transactionalProducer()
      .then((producer) => publishCommit({ ...target, producer }, prepared))
      .then(() => this.opts.metrics?.committed(prepared.byTopic, this.now() - prepared.started))
      .catch((err: unknown) => {
        this.transactionFailed(err);
        // Kafka now holds less than the in-memory state: drop the engine (rebuilt from the changelog) and fail the
        // next batch with the error, so the consumer restarts from the committed offsets as an inline failure did.
        this.publishError = err;
        if (this.engine === engine) {
          this.engine = null;
          this.generation++;
          this.readyFlag = false; // not ready again until the state is rebuilt (next tick or batch)
        }
        this.log.error({ err }, 'commit failed; state will be rebuilt from the changelog');
      })
      .finally(() => {
        if (this.publishing === run) this.publishing = null;
        // Asked for meanwhile (alerts waiting, the interval passed): go on at once, between batches.
        if (this.commitWanted && !this.stopping) void this.exclusive(() => this.commit()).catch((err) => this.log.error({ err }, 'commit failed'));
      });
    this.publishing = run;
    if (options.wait) await run;
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
