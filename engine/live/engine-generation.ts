/**
 * One engine per generation of this instance's membership: after a join (a
 * new assignment) or a failed commit (`generation` moves on), the engine in
 * hand is let go and a fresh one is restored from the changelog for the
 * partitions now owned, so in-memory state always equals the last commit
 * plus what follows it. After a failed commit the consumer also reads again
 * from the committed offsets (`rewind`).
 */
import { createLiveEngine, type Engine } from './live-engine.js';
import { restoreEngine } from './restore-engine.js';
import { groupInstanceIds } from './group-members.js';
import { refreshPartitionCounts } from './input-partitions.js';
import { assignedTps, splitTp } from './topic-partition.js';
import type { LiveContext } from './live-context.js';
import { StopRequestedError } from '../../lib/errors.js';

/** kafkajs's sentinel offset for the start of a partition's log. */
const EARLIEST_OFFSET = '-2';

/** A fresh engine for the current assignment, restored from the changelog. */
export async function ensureEngine(ctx: LiveContext): Promise<Engine> {
  const { state, commits, opts } = ctx;
  const current = state.currentEngine();
  if (current) return current;
  // The producer runs one transaction at a time, and the restore must see the last commit.
  await commits.settled();
  // The engine of an earlier generation is done with: let it go (Pipeline.dispose).
  state.engine?.pipeline.dispose();
  const generation = state.generation;
  const started = ctx.now();
  // Said before the wait: reading a long changelog to the end takes a while (and a stop meanwhile gives it up).
  ctx.log.info({ generation }, 'restoring state from the changelog');
  await refreshPartitionCounts(ctx.admin, ctx.partitionCounts, ctx.inputTopics, ctx.log);
  const engine = createLiveEngine(
    {
      logger: ctx.log,
      config: opts.config,
      alerts: opts.alerts,
      writer: opts.writer,
      idleTimeoutMs: ctx.idleTimeoutMs,
      decoder: opts.decoder,
      alertEncoder: opts.alertEncoder,
      metrics: opts.metrics,
      deadLetters: ctx.deadLetters,
      onFact: opts.onFact,
      onFailure: (err) => ctx.halting.pipelineFailed(err),
      now: ctx.now,
    },
    generation,
  );
  const { partitions, keys, startOffsets, adopted } = await restoreEngine(engine, {
    reader: ctx.reader,
    producer: ctx.producer,
    changelogTopic: opts.changelogTopic,
    instanceId: opts.instanceId,
    inputTopics: ctx.inputTopics,
    assignment: state.assignment,
    positions: ctx.positions,
    now: ctx.now,
    groupInstanceIds: () => groupInstanceIds(ctx.groupDescriber, generation, ctx.log),
    onProduced: (topic, count) => opts.metrics?.produced(topic, count),
    writer: opts.writer,
  });
  if (commits.takeRewind()) rewind(ctx, startOffsets);
  state.engine = engine;
  commits.restarted();
  state.readyFlag = true;
  ctx.log.info({ generation, partitions, keys, ms: ctx.now() - started }, 'state restored');
  if (adopted.length > 0) {
    ctx.log.warn({ generation, instances: adopted }, 'took over the per-env state of instances no longer in the group: their windows close and their alerts resolve as event time moves on');
  }
  return engine;
}

/** For a `catch` after ensureEngine: null when the restore was given up because the instance stops (ChangelogReader.abandonWaits). */
export function givenUpForStop(err: unknown): null {
  if (err instanceof StopRequestedError) return null;
  throw err;
}

/**
 * After a failed commit: every owned input partition is read again from
 * its committed position — what a consumer restart would do, without
 * leaving the group. Records consumed since are stale from here on
 * (kafkajs: `isStale()`), so the batch in hand stops at once.
 */
function rewind(ctx: LiveContext, committed: ReadonlyMap<string, string>): void {
  const owned = assignedTps(ctx.inputTopics, ctx.state.assignment);
  for (const key of owned) {
    const [topic, partition] = splitTp(key);
    // No commit yet for the partition: from the beginning, as the group's first start reads it.
    ctx.state.consumer.seek({ topic, partition, offset: committed.get(key) ?? EARLIEST_OFFSET });
  }
  ctx.positions.rewind(owned, committed);
  ctx.log.warn({ partitions: Object.fromEntries(committed) }, 'reading again from the committed offsets after a failed commit');
}
