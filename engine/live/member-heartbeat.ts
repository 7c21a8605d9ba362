/**
 * The group member's heartbeat: how often it beats, and what this instance
 * does when a beat says a rebalance has begun.
 */
import type { LiveContext } from './live-context.js';

/** The consumer's heartbeat interval: a tenth of the session timeout, at least 1 s. */
export function heartbeatIntervalMs(sessionTimeoutMs: number): number {
  return Math.max(1_000, Math.floor(sessionTimeoutMs / 10));
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
export async function heartbeat(ctx: LiveContext, beat: () => Promise<void>, locked: boolean): Promise<void> {
  try {
    await beat();
  } catch (err) {
    if (isRebalancing(err)) {
      const leave = async (): Promise<void> => {
        await ctx.commits.settled();
        ctx.state.inGroup = false;
        ctx.state.outOfGroupFor = 'rebalance';
      };
      await (locked ? leave() : ctx.lock.exclusive(leave));
    }
    throw err;
  }
}

/** What kafkajs takes for a rebalance that has begun (its errors.js `isRebalancing`, which it does not export). */
function isRebalancing(err: unknown): boolean {
  const type = (err as { type?: unknown } | null)?.type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION';
}
