/**
 * Whether this instance may still commit for the group generation a commit
 * was prepared for (commit.ts checks it before the transaction begins and
 * right before it commits).
 *
 * Not rejoining, crashed or replaced since (`inGroup`, the generation) — and
 * confirmed by the coordinator within the session timeout. A member that
 * sends no heartbeat for a session timeout (a changelog restore heartbeats
 * nothing; so does a batch held up, or a process starved of CPU) is removed
 * without being told, and learns it only from its next heartbeat's answer
 * (UNKNOWN_MEMBER_ID: kafkajs rejoins without a REBALANCING event). Its
 * partitions are another member's by then, restored from the changelog, and
 * kafkajs 2.2.4 sends transactional offsets without the group generation:
 * the broker would take its commit, alerts and dead letters beside the new
 * owner's, state and offsets over them. So a commit needs a confirmation
 * younger than the session timeout less a heartbeat interval (the commit
 * request's own time on the way); a healthy member heartbeats every
 * interval and is never near it. One refused is abandoned (CommitAbandonedError):
 * the state is rebuilt from the changelog, and the batch after it heartbeats
 * before it commits — confirmed, or told to rejoin.
 */
import { heartbeatIntervalMs } from './member-heartbeat.js';
import type { LiveState } from './live-context.js';

/**
 * Why this instance may no longer commit for `generation` (undefined: it may), in the operator's words: the
 * abandoned commit's warning says it, and a lapsed confirmation names the session timeout to raise when a restore
 * or a starved process outlasts it.
 */
export function membershipLapse(state: LiveState, generation: number, sessionTimeoutMs: number, now: number): string | undefined {
  if (!state.inGroup || state.generation !== generation) return 'a rebalance began';
  const lease = sessionTimeoutMs - heartbeatIntervalMs(sessionTimeoutMs);
  const silentMs = now - state.membershipConfirmedAt;
  if (silentMs < lease) return undefined;
  if (!Number.isFinite(silentMs)) return 'the coordinator has never confirmed this member';
  return `the coordinator has not confirmed this member for ${(silentMs / 1000).toFixed(1)} s, within a session timeout of ${sessionTimeoutMs / 1000} s (DRIFTWATCH_SESSION_TIMEOUT): it may have removed it (a long state restore or a process starved of CPU sends no heartbeat)`;
}
