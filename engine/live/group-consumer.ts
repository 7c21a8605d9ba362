/**
 * The consumer-group member: made with this instance's assigner and
 * timeouts, its group events moving the membership state (live-context.ts),
 * its batches handed to the engine under the lock, and replaced by a new
 * member when it gets stuck or crashes on a Kafka error kafkajs does not
 * restart it after.
 */
import type { Consumer } from 'kafkajs';
import { coPartitionAssignerFor } from '../../topics/co-partition-assigner.js';
import { assignedTps, tp } from './topic-partition.js';
import { isFenced } from './transactional-producer.js';
import { isKafkaJsError } from '../../topics/kafka-client.js';
import { isStopRequested } from '../../lib/errors.js';
import { reportGroupMembers } from './group-members.js';
import { STUCK_CONSUMER_MS, watchForStuckStop } from './stuck-consumer.js';
import { replaceUntilRunning } from './consumer-replacement.js';
import { heartbeatIntervalMs } from './member-heartbeat.js';
import { takeBatch } from './batch-intake.js';
import { waitForCapacity } from './backpressure.js';
import type { LiveContext } from './live-context.js';

/**
 * The group member. Its events count only while it is the current one: a
 * consumer replaced after getting stuck (stuck-consumer.ts) may still
 * finish its crash later, and must neither restart nor move our state.
 */
export function createConsumer(ctx: LiveContext): Consumer {
  const { opts, state, log } = ctx;
  const { config } = opts;
  const consumer = ctx.pendingJoin.memberKafka.consumer({
    groupId: config.kafka.groupId,
    partitionAssigners: [coPartitionAssignerFor(opts.instanceId)],
    readUncommitted: false,
    maxWaitTimeInMs: 250,
    sessionTimeout: config.live.sessionTimeoutMs,
    heartbeatInterval: heartbeatIntervalMs(config.live.sessionTimeoutMs),
    // See ChangelogReader: once stopping, a crashed consumer must not come back and rejoin the group.
    retry: { restartOnFailure: async () => !state.stopping && consumer === state.consumer },
  });
  const current = () => consumer === state.consumer;
  // Every answer of the broker to the member: silent for a session timeout, the instance is not ready (broker-contact.ts).
  const answered = () => {
    if (current()) ctx.broker.answered();
  };
  consumer.on(consumer.events.FETCH, answered);
  consumer.on(consumer.events.HEARTBEAT, () => {
    if (!current()) return;
    ctx.broker.answered();
    state.membershipConfirmedAt = ctx.now();
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    if (!current()) return;
    ctx.broker.answered();
    state.membershipConfirmedAt = ctx.now();
    state.assignment = e.payload.memberAssignment as Record<string, number[]>;
    state.generation++;
    state.inGroup = true;
    ctx.positions.reset();
    state.readyFlag = false;
    opts.metrics?.assigned(state.assignment);
    opts.audit?.assigned(state.assignment, state.generation);
    // Revoked partitions' lag goes; the new ones' is read now, before anything is fetched from them.
    void ctx.lag.assign(assignedTps(ctx.inputTopics, state.assignment));
    log.info({ assignment: state.assignment, generation: state.generation }, 'joined group; state will be restored');
    void reportGroupMembers(ctx.groupDescriber, log, opts.metrics, state.generation, () => state.generation);
  });
  // Every batch (also one of transaction markers only) moves the consumed position and says whether more records wait.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (!current()) return;
    const key = tp(payload.topic, payload.partition);
    // A batch that is not what the consumer reads now (stale after a rewind, broken off) says nothing of what waits.
    if (!ctx.positions.consumed(key, payload.lastOffset, payload.firstOffset)) return;
    state.currentEngine()?.watermarks.setBacklog(key, Number(payload.offsetLag) > 0);
  });
  consumer.on(consumer.events.REBALANCING, () => {
    if (!current()) return;
    // Out already (a crash): the records it left uncommitted stay a failure's.
    if (state.inGroup) state.outOfGroupFor = 'rebalance';
    state.inGroup = false;
  });
  consumer.on(consumer.events.CRASH, (e) => {
    if (!current()) return;
    // A join given up by a stop during start-up (pending-join.ts): the start ends with it, not a failure.
    if (isStopRequested(e.payload.error)) return;
    state.readyFlag = false;
    state.inGroup = false; // kafkajs disconnects a crashed consumer: it has left the group, restarted or not
    state.outOfGroupFor = 'failure';
    // Fenced: one cause, said once, as the duplicate instance id (by driftwatch run, from `failed`); a generic line
    // before it made one cause read as two errors.
    const fencing = !e.payload.restart && !state.stopping && isFenced(e.payload.error);
    if (!fencing) log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
    opts.audit?.authFailure(e.payload.error); // a refused SASL login or ACL: a security record (live-audit.ts)
    if (e.payload.restart || state.stopping) return;
    if (fencing) return ctx.halting.fenced(e.payload.error);
    // kafkajs does not restart a consumer after a non-retriable error, and a broker restart produces one (a group
    // coordinator not found while it rejoins): a Kafka failure other than fencing is ridden out with a new group
    // member, as a failed commit is (same classification); fencing, a failed store and our own errors still end
    // the instance for its supervisor.
    if (isKafkaJsError(e.payload.error)) void replaceConsumer(ctx, 'crashed without a restart');
    else ctx.halting.fail(e.payload.error);
  });
  watchForStuckStop(consumer, {
    afterMs: opts.stuckConsumerMs,
    stopping: () => state.stopping || !current(),
    onStuck: () => void replaceConsumer(ctx, 'stopped and neither restarted nor reported a crash', { stuckAfterMs: opts.stuckConsumerMs ?? STUCK_CONSUMER_MS }),
  });
  return consumer;
}

/** Connects, subscribes to the input topics (from the beginning when the group has no commit) and runs. */
export async function runConsumer(ctx: LiveContext, consumer: Consumer): Promise<void> {
  await consumer.connect();
  for (const topic of ctx.inputTopics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: true,
    partitionsConsumedConcurrently: 1,
    eachBatch: async (payload) => {
      const engine = await ctx.lock.exclusive(() => takeBatch(ctx, payload));
      // Outside the lock: idle ticks (metrics, commits of what was processed) go on while consumption waits.
      if (engine) await waitForCapacity(ctx, engine, payload);
    },
  });
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
async function replaceConsumer(ctx: LiveContext, why: string, details: Record<string, unknown> = {}): Promise<void> {
  const { state } = ctx;
  state.readyFlag = false;
  state.inGroup = false;
  state.outOfGroupFor = 'failure';
  ctx.log.error(details, `consumer ${why}; starting a new one`);
  await replaceUntilRunning({
    stopped: () => state.stopping,
    install: () => {
      const old = state.consumer;
      state.consumer = createConsumer(ctx);
      return { old, fresh: state.consumer };
    },
    run: (consumer) =>
      runConsumer(ctx, consumer).catch((err: unknown) => {
        ctx.opts.audit?.authFailure(err); // the new member's login refused: a security record (live-audit.ts)
        throw err;
      }),
    log: ctx.log,
    what: 'new consumer',
  });
}
