/**
 * Whether a graceful stop of `driftwatch run` reports a clean exit (0) or not
 * (1). Nothing is lost either way: whatever this instance consumed and did
 * not commit is read again by the next owner of its partitions, from the
 * committed offsets. The exit code tells a supervisor whether something
 * failed on the way out.
 *
 * - In the group, the stop makes a final commit: clean when it went through,
 *   or when the last one was abandoned for a rebalance (a handover, see
 *   CommitScheduler.failurePending). A failed commit drops the engine, so
 *   "the engine is still the one the commit was made for" means it went through.
 * - Out of the group, nothing is committed (the partitions may already be
 *   another member's). A commit failure still pending makes the stop unclean.
 *   Otherwise it depends on why the instance is out: in a rebalance (kafkajs
 *   rejoining) the uncommitted records are handed over like an abandoned
 *   commit's, so the stop is clean; after a crash of the consumer (or its
 *   replacement) they were left behind by a failure, so it is clean only if
 *   there were none.
 */

/** Why the instance is not a member of the group. */
export type OutOfGroupCause = 'rebalance' | 'failure';

export interface StopState {
  /** A final commit was made: the instance was in the group with an engine of the current generation. */
  finalCommit: boolean;
  /** With a final commit: the engine is still the one it was made for (a failed commit replaces it). */
  engineKept: boolean;
  /** A commit failed (not abandoned for a rebalance) and the state it dropped has not been rebuilt. */
  failurePending: boolean;
  /** Without a final commit: the current generation's engine processed records since its last commit. */
  progressed: boolean;
  /** Without a final commit: why the instance is out of the group. */
  outOfGroupFor: OutOfGroupCause;
}

export function isCleanStop(s: StopState): boolean {
  if (s.finalCommit) return s.engineKept || !s.failurePending;
  if (s.failurePending) return false;
  return !s.progressed || s.outOfGroupFor === 'rebalance';
}
