/**
 * Four times a second, whatever the input does: idle partitions must not
 * stall event time, so the watermark is ticked, timers fire, the engine's
 * gauges are read and what idle advances released is committed — without
 * waiting for the next batch. The dead-letter summary is written from here
 * too.
 */
import { RepeatedFailureLog } from '../../lib/repeated-failure-log.js';
import { advanceEngine } from './live-engine.js';
import { isFenced } from './transactional-producer.js';
import { ensureEngine, givenUpForStop } from './engine-generation.js';
import type { LiveContext } from './live-context.js';

const TICK_MS = 250;

/** Starts the ticker; shutdown clears it (live-shutdown.ts). */
export function startIdleTicker(ctx: LiveContext): NodeJS.Timeout {
  const tickFailures = new RepeatedFailureLog(ctx.log, 'idle tick');
  let tickQueued = false;
  return setInterval(() => {
    ctx.deadLetters.report(); // outside the lock: it only reads counts (and must not wait behind a held batch)
    ctx.broker.check(); // outside the lock too: a batch held through a broker outage must not hide it
    // One tick waiting behind a batch is enough: a batch held by backpressure through a store outage would
    // otherwise queue four a second for as long as the outage lasts.
    if (tickQueued) return;
    tickQueued = true;
    const tick = ctx.lock.exclusive(() => onTick(ctx));
    void tick.finally(() => (tickQueued = false)).catch(() => undefined);
    void tick.then(() => tickFailures.succeeded(), (err: unknown) => {
      // This instance's producer was fenced by a newer one with the same instance id: nothing it does can commit
      // again, so stop as a crashed consumer would — said once, as the duplicate instance id, not first as a
      // failed tick too. Anything else (a broker outage longer than kafkajs's retries also arrives as
      // non-retriable) is logged and tried again on the next tick.
      if (isFenced(err) && !ctx.state.stopping) return ctx.halting.fenced(err);
      tickFailures.failed(err);
    });
  }, TICK_MS);
}

async function onTick(ctx: LiveContext): Promise<void> {
  const { state, opts, commits, now } = ctx;
  if (state.stopping || ctx.halting.halted || state.generation === 0 || !state.inGroup) return;
  // A member that joined but has read no record yet (e.g. restarted into a quiet period) restores its state
  // here rather than on its first batch: its timers (grace ends, source expiry, escalations) must fire and
  // it must report ready without waiting for input.
  const engine = state.currentEngine() ?? (await ensureEngine(ctx).catch(givenUpForStop));
  if (engine === null) return;
  await ctx.idle.settle(engine.watermarks, now());
  advanceEngine(engine, engine.watermarks.frontier(now()));
  opts.metrics?.observeEngine(engine.pipeline, engine.tracker.pendingCount, engine.watermarks.watermark(now()), now());
  opts.metrics?.storePending(opts.writer?.pendingRows ?? 0);
  opts.metrics?.departedShares(engine.retiring.instanceIds.length);
  // Idle advances release records too, and close windows: commit them (offsets, state, outputs, the env-level rows
  // held for their commit) without waiting for the next batch.
  const uncommitted = engine.outbox.length > 0 || engine.progressed || engine.retiring.changed || engine.heldRows.size > 0;
  if (engine.alertsWaiting > 0 || (uncommitted && commits.isDue(now()))) await commits.commit();
}
