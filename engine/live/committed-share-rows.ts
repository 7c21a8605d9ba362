/**
 * The env-level rows of a commit (held-share-rows.ts) travel in the commit
 * itself and reach the store after it has committed.
 *
 * Stored before the commit, as they were, they outlived a commit that then
 * did not commit — a rebalance beginning during that insert (the membership
 * check after it aborted the transaction), or while a store outage that
 * caught it was waited out, or a commit request the broker refused — and the
 * work was done again from the last commit: the window counted in this
 * instance's row and again in the new owner's, an alert row with no alert
 * event. Their sorting keys cannot absorb that: `instance_id` differs when
 * another member redoes the work, and this instance, restored without the
 * moved keys, may never write that window again.
 *
 * So `prepareCommit` puts them into the commit's changelog record
 * `s/<instanceId>` (partition 0, beside the instance's whole state; over a
 * send's bound it is written in pieces, as any state record is:
 * state-chunks.ts), which commits or aborts with its outputs and offsets,
 * and `publishCommit` hands them to the store writer once the transaction
 * has committed. The record stays until the next commit of the engine
 * replaces it (its own rows, or a tombstone) — and that commit waits
 * for the store flush that covers them, as for every row written before it.
 * A crash or a store that failed in between leaves them to the restore,
 * which hands them to the writer again: the same rows as the store got them
 * (mapped once, kept as rows), so under the same sorting keys
 * ReplacingMergeTree keeps one, and the gate rollup's maxMap the same count.
 * The owner of partition 0 does that for a departed instance's records too
 * (restore-engine.ts), as it runs on its share (retiring-shares.ts).
 *
 * The price: the rows reach the store an insert after the commit's outputs
 * reach read_committed consumers, not before. What is left is the commit's
 * own: a commit request still in flight while its partitions are restored
 * elsewhere (commit.ts) lands with its rows as with its alerts.
 */
import type { Message } from 'kafkajs';
import type { StoreRow } from '../../store/row-mappers.js';
import type { StoreWriter } from '../../store/store-writer.js';

export const SHARE_ROWS_PREFIX = 's/';

/** The instance whose commit wrote `key` (`s/<instanceId>`). */
function instanceOf(key: string): string {
  return key.slice(SHARE_ROWS_PREFIX.length);
}

export class CommittedShareRows {
  /** Keys of `s/` records in the changelog as far as this engine knows: its next commit replaces every one of them. */
  #recorded = new Set<string>();

  /**
   * The rows of the `s/` records among `entries` (the changelog's partition
   * 0, records in pieces put back together: state-chunks.ts) of the
   * instances `whose` accepts: for the store, once more. Their keys are this
   * engine's to replace from now on.
   */
  restore(entries: ReadonlyArray<[string, string]>, whose: (instanceId: string) => boolean): StoreRow[] {
    const rows: StoreRow[] = [];
    for (const [key, value] of entries) {
      if (!key.startsWith(SHARE_ROWS_PREFIX) || !whose(instanceOf(key))) continue;
      this.#recorded.add(key);
      rows.push(...(JSON.parse(value) as StoreRow[]));
    }
    return rows;
  }

  /** Instances other than `self` with `s/` records among `entries`. */
  static othersIn(entries: ReadonlyArray<[string, string]>, self: string): Set<string> {
    const ids = new Set<string>();
    for (const [key] of entries) if (key.startsWith(SHARE_ROWS_PREFIX) && instanceOf(key) !== self) ids.add(instanceOf(key));
    return ids;
  }

  /**
   * The records of a commit: its rows (held for it) in one record, whatever
   * their size (the commit cuts a large one into pieces: state-chunks.ts),
   * and a tombstone for each record this engine knew of and does not rewrite.
   */
  checkpointMessages(instanceId: string, rows: readonly StoreRow[]): Array<Message & { partition: number }> {
    const out: Array<Message & { partition: number }> = rows.length === 0 ? [] : [{ key: SHARE_ROWS_PREFIX + instanceId, partition: 0, value: JSON.stringify(rows) }];
    const written = new Set(out.map((m) => m.key as string));
    for (const key of this.#recorded) if (!written.has(key)) out.push({ key, partition: 0, value: null });
    this.#recorded = written;
    return out;
  }
}

/**
 * Hands rows of a commit that has committed to the store, without waiting:
 * the next commit's flush waits for them before it replaces their records,
 * and a failure is the writer's own (its next flush rejects, the process
 * exits; the records keep the rows for the restart).
 */
export function storeCommittedRows(writer: StoreWriter | null, rows: readonly StoreRow[]): void {
  if (writer && rows.length > 0) writer.writeNow(rows).catch(() => undefined);
}
