/**
 * How the live runner lets go: a graceful stop (finish the batch, commit,
 * leave the group) and, after a failed start, a release of what it had
 * connected.
 */
import { DuplicateInstanceError } from '../../lib/errors.js';
import { isCleanStop } from './clean-stop.js';
import type { LiveContext } from './live-context.js';

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
export async function stopLive(ctx: LiveContext): Promise<{ clean: boolean }> {
  const { state, halting, commits, log } = ctx;
  if (state.stopping) return { clean: true };
  state.stopping = true;
  // Not ready from now on (LiveRunner.ready says so already): the flag tells the readiness listener, so the audit
  // trail records `instance.not_ready` (shutting down) when the stop begins, not after the group was left.
  state.readyFlag = false;
  if (state.ticker) clearInterval(state.ticker);
  ctx.lag.stop();
  // A restore holding the lock is given up rather than waited for: reading a long changelog to its marker could
  // outlast run's deadline, which then exited 1 with the member still in the group. Nothing was processed with it.
  ctx.reader.abandonWaits();
  let clean = true;
  await ctx.lock.exclusive(async () => {
    const current = state.currentEngine();
    // Out of the group (crashed, rejoining), its partitions are not ours to commit: work since the last commit is redone.
    // So is it after a processing failure: the engine's state may hold a fact half applied.
    const engine = state.inGroup && !halting.halted ? current : null;
    if (engine) await commits.commit({ wait: true });
    await commits.settled();
    clean = !halting.halted && isCleanStop({
      finalCommit: engine !== null,
      engineKept: engine !== null && state.engine === engine,
      failurePending: commits.failurePending,
      progressed: current?.progressed ?? false,
      outOfGroupFor: state.outOfGroupFor,
    });
    // Fenced: the cause is reported once, by whoever stops the instance (driftwatch run); the twin owns the partitions.
    if (!clean && !(halting.halted instanceof DuplicateInstanceError)) {
      const what = engine ? 'final commit failed' : halting.halted ? 'stopped after a processing failure' : 'stopped out of the group after a failure';
      log.error(`${what}: the records since the last commit will be read again by the next owner of their partitions`);
    }
  }).catch((err) => {
    clean = false;
    log.error({ err }, 'final commit failed');
  });
  // The ticker wrote the dead-letter summary: what it had not written yet (the last batch's too) goes now.
  ctx.deadLetters.report(true);
  await state.consumer.disconnect().catch((err) => log.warn({ err }, 'consumer disconnect failed'));
  await ctx.reader.stop();
  await ctx.admin.disconnect().catch((err) => log.warn({ err }, 'admin disconnect failed'));
  await ctx.producer.disconnect().catch((err) => log.warn({ err }, 'producer disconnect failed'));
  state.readyFlag = false;
  return { clean };
}

/**
 * After a failed `start`: lets go of what it connected (producer, admin,
 * changelog reader, consumer). Nothing was processed, so nothing is
 * committed. Without this their sockets kept a failed `driftwatch run`
 * alive, doing nothing, after it had reported the failure.
 */
export async function releaseLive(ctx: LiveContext): Promise<void> {
  const { state } = ctx;
  state.stopping = true;
  if (state.ticker) clearInterval(state.ticker);
  ctx.lag.stop();
  await state.consumer.disconnect().catch(() => undefined);
  await ctx.reader.stop().catch(() => undefined);
  await ctx.admin.disconnect().catch(() => undefined);
  await ctx.producer.disconnect().catch(() => undefined);
}
