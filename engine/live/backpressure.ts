/**
 * Backpressure, between batches: kafkajs fetches the next batch only once
 * `waitForCapacity` returns, so records wait in Kafka, not in the heap, while
 * the store or the decoder cannot keep up.
 */
import type { EachBatchPayload } from 'kafkajs';
import type { Engine } from './live-engine.js';
import type { LiveContext } from './live-context.js';
import { heartbeat, heartbeatIntervalMs } from './member-heartbeat.js';
import type { PauseReason } from './live-audit.js';

/** Store rows accepted and not written yet. */
const MAX_PENDING_ROWS = 100_000;
/**
 * Records consumed and not decoded yet. Only an asynchronous
 * decoder (Avro) queues records, and with the registry answering (schemas
 * cached) the queue drains within the batch; so this bounds the memory a
 * registry outage takes: the records then wait in Kafka, not in the heap.
 * One batch more may come on top (a fetch: 1 MB per partition).
 */
const MAX_UNDECODED_RECORDS = 10_000;

/**
 * Waits while the store writer has too many pending rows
 * (ClickHouse down) or too many records wait to be decoded (a schema
 * registry outage: every record fetched after a held Avro record waits
 * behind it, in memory). Heartbeats go on meanwhile, so the member stays in
 * the group for as long as the wait lasts; a rebalance (the heartbeat says
 * so), a stop, a pipeline failure or a replaced engine ends the wait: the
 * next batch is then someone else's concern or never comes.
 */
export async function waitForCapacity(ctx: LiveContext, engine: Engine, { heartbeat: beat, isStale }: EachBatchPayload): Promise<void> {
  const { state, opts, log } = ctx;
  let room = false;
  const capacity = engine.pipeline.waitForCapacity(MAX_PENDING_ROWS, MAX_UNDECODED_RECORDS).then(() => {
    room = true;
  });
  capacity.catch(() => undefined); // awaited below unless the wait ends first
  const interval = heartbeatIntervalMs(opts.config.live.sessionTimeoutMs);
  let paused: { reason: PauseReason; since: number } | undefined;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([capacity, new Promise<void>((resolve) => (timer = setTimeout(resolve, interval)))]).finally(() => clearTimeout(timer));
      if (room) return;
      if (state.stopping || ctx.halting.halted || isStale() || state.engine !== engine || !state.inGroup) return;
      if (!paused) {
        paused = { reason: pauseReason(ctx, engine), since: ctx.now() };
        const held = { undecoded: engine.pipeline.undecoded, storePendingRows: opts.writer?.pendingRows ?? 0 };
        opts.metrics?.paused(true);
        opts.audit?.consumptionPaused(paused.reason, held);
        log.warn({ ...held, reason: paused.reason }, 'consumption paused: records wait to be decoded (schema registry) or stored; heartbeats go on');
      }
      await heartbeat(ctx, beat, false);
    }
  } finally {
    if (paused) {
      opts.metrics?.paused(false);
      opts.audit?.consumptionResumed(paused.reason, ctx.now() - paused.since);
      log.info({ undecoded: engine.pipeline.undecoded }, 'consumption resumed');
    }
  }
}

/**
 * Why consumption waits: records held for the schema registry (the decoder's queue is over its bound: an Avro record
 * waits for its schema, every later one behind it), else the store — down (its writer is retrying a batch) or only
 * behind.
 */
function pauseReason(ctx: LiveContext, engine: Engine): PauseReason {
  if (engine.pipeline.undecoded > MAX_UNDECODED_RECORDS) return 'registry_unavailable';
  return ctx.opts.writer?.retrying ? 'store_unavailable' : 'store_slow';
}
