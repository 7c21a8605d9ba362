/**
 * One batch of the consumer into the engine: its records pushed through the
 * pipeline (those the checkpoint already holds skipped), event time moved
 * on, and a commit started when alerts wait or one is due.
 */
import type { EachBatchPayload } from 'kafkajs';
import type { RawRecord } from '../../processors/decode.js';
import { advanceEngine, type Engine } from './live-engine.js';
import { ensureEngine, givenUpForStop } from './engine-generation.js';
import { heartbeat } from './member-heartbeat.js';
import { tp } from './topic-partition.js';
import type { LiveContext } from './live-context.js';

/** Handles one batch, holding the lock; the engine that took it (its backpressure is waited for after), or null. */
export async function takeBatch(ctx: LiveContext, { batch, isStale, heartbeat: beat }: EachBatchPayload): Promise<Engine | null> {
  const { state, halting, commits } = ctx;
  if (state.stopping || halting.halted) return null;
  const failed = commits.takeError();
  if (failed !== null) throw failed;
  const engine = await ensureEngine(ctx).catch(givenUpForStop);
  if (engine === null) return null;
  const now = ctx.now();
  // No batch marks its partition active: only the events in it do (live-engine.ts, `observe`). One of dead letters
  // or duplicates only leaves the partition's event time where it was, so counting it as activity kept such a
  // partition from going idle and held every other partition's events back for as long as they came. Records
  // still waiting behind this batch keep it from idleness through its offset lag (END_BATCH_PROCESS → setBacklog).
  let pushed = 0;
  const expectedType = ctx.topicTypes.get(batch.topic);
  const partitions = ctx.partitionCounts.get(batch.topic);
  // The batch goes stale when the consumer is sent back (a seek, engine-generation.ts `rewind`): that happens before
  // this loop (ensureEngine) or after it, never in it, which runs without yielding. So it is asked once, not per
  // record (kafkajs builds a JSON key for each ask: ~2 % of the engine's time).
  const stale = isStale();
  for (const message of batch.messages) {
    if (stale || state.stopping || halting.halted) {
      // kafkajs reports the batch finished all the same: its end must not count as read (partition-backlog.ts).
      ctx.positions.leftUnread(tp(batch.topic, batch.partition));
      break;
    }
    if (!engine.tracker.take(batch.topic, batch.partition, message.offset)) continue;
    const record: RawRecord = {
      value: message.value ?? Buffer.alloc(0),
      key: message.key,
      // As they came (bytes, repeated names): only a dead letter reads them, and it must pass them on unchanged.
      headers: message.headers,
      source: { topic: batch.topic, partition: batch.partition, offset: message.offset },
      expectedType,
      partitions,
    };
    engine.pipeline.push(record);
    pushed++;
  }
  state.consumedRecords += pushed;
  if (pushed > 0) ctx.opts.metrics?.eventsIn(batch.topic, pushed);
  if (halting.halted) return null;
  await ctx.idle.settle(engine.watermarks, ctx.now());
  advanceEngine(engine, engine.watermarks.frontier(now));
  await heartbeat(ctx, beat, true);
  // A rebalance that began during the batch: the records are read again by whoever gets the partitions.
  if (state.inGroup && (engine.alertsWaiting > 0 || commits.isDue(now))) await commits.commit();
  return engine;
}
