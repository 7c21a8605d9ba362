/**
 * What a commit writes to the state changelog, and how it is read back.
 *
 * Keys (compacted topic, partition = the input partition they belong to):
 *   k/<env>/<artifact>        per-key processor state (tombstone when empty)
 *   p/<topic>/<partition>     commit position of one input partition (safe offset + offsets already done above it)
 *                             and the event-time frontier of the engine that committed it
 *   w/<instanceId>            whole (per-env/global) processor state and watermarks of one engine instance (partition 0);
 *                             an instance no longer in the group has its record run on, then tombstoned, by the
 *                             owner of partition 0 (retiring-shares.ts)
 *   s/<instanceId>            env-level store rows of the instance's last commit, stored once it committed
 *                             (committed-share-rows.ts; partition 0); replaced by its next commit
 *   m/<instanceId>            catch-up markers (see ChangelogReader)
 *   c/<i>/<key>               piece i of record <key> (any k/, w/ or s/ key above), whose value is too large for one
 *                             message: <key> then holds a manifest (state-chunks.ts). Each prefix is its own, so a
 *                             piece never shadows a record
 */
import type { Message } from 'kafkajs';
import type { PartitionProgress } from './offset-tracker.js';

export const KEY_PREFIX = 'k/';
export const PROGRESS_PREFIX = 'p/';
export const WHOLE_PREFIX = 'w/';

export interface WholeCheckpoint {
  processors: Record<string, unknown>;
  watermarks: Array<[string, number]>;
  /**
   * The event-time frontier the state was taken at (null: none yet; absent
   * in records written before it was kept): whoever runs a departed
   * instance's share on goes on from there, never back (retiring-shares.ts).
   */
  frontier?: number | null;
}

/** A frontier as a checkpoint keeps it (JSON has no infinities) … */
export function storedFrontier(frontier: number): number | null {
  return Number.isFinite(frontier) ? frontier : null;
}

/** … and back. */
export function restoredFrontier(stored: number | null | undefined): number {
  return stored ?? Number.NEGATIVE_INFINITY;
}

export function keyStateMessage(key: string, partition: number, state: unknown | undefined): Message & { partition: number } {
  return { key: KEY_PREFIX + key, partition, value: state === undefined ? null : JSON.stringify(state) };
}

/**
 * A commit position as stored. `frontier` is the committing engine's
 * event-time frontier: every record that comes again after a restart or a
 * rebalance (at or above the safe offset, not done) was still held by its
 * orderer, so it is not older than this. Absent in checkpoints written
 * before it existed; null while the frontier was still -Infinity.
 */
export interface StoredProgress extends PartitionProgress {
  frontier?: number | null;
}

export function progressMessage(progress: PartitionProgress, frontier?: number): Message & { partition: number } {
  const stored: StoredProgress = frontier === undefined ? progress : { ...progress, frontier: storedFrontier(frontier) };
  return { key: `${PROGRESS_PREFIX}${progress.topic}/${progress.partition}`, partition: progress.partition, value: JSON.stringify(stored) };
}

export function wholeMessage(instanceId: string, whole: WholeCheckpoint): Message & { partition: number } {
  return { key: WHOLE_PREFIX + instanceId, partition: 0, value: JSON.stringify(whole) };
}

export interface RestoredPartition {
  keyed: Array<[string, unknown]>;
  progress: StoredProgress[];
}

/** Splits the latest changelog entries of one partition into key state and commit positions. */
export function readPartitionEntries(entries: ReadonlyArray<[string, string]>): RestoredPartition {
  const keyed: Array<[string, unknown]> = [];
  const progress: StoredProgress[] = [];
  for (const [k, v] of entries) {
    if (k.startsWith(KEY_PREFIX)) keyed.push([k.slice(KEY_PREFIX.length), JSON.parse(v)]);
    else if (k.startsWith(PROGRESS_PREFIX)) progress.push(JSON.parse(v) as StoredProgress);
  }
  return { keyed, progress };
}
