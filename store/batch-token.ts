import { createHash } from 'node:crypto';

/**
 * The dedup token of a batch: its table, row count and a SHA-256 of its
 * encoded rows, computed once per batch (≈ 1 ms per MB), not per row and not
 * per attempt. Equal batches get equal tokens, and the server drops a batch
 * whose token it has seen within the table's
 * `non_replicated_deduplication_window` — what ClickHouse does unasked by
 * block checksum, which a random token per writer had switched off.
 *
 * What that covers: every retry of a batch (including one whose first
 * attempt's outcome was unknown), and a batch derived again from the same
 * input and cut in the same place — a second replay of a file into the same
 * store (replay cuts by `batchRows` only). After a live restart the
 * re-derived batches start where the last commit flushed the writer (a
 * commit cuts every table's buffer), but seldom end in the same place: the
 * next commit and the flush timer cut on the wall clock, and the records of
 * several partitions interleave as they are fetched, so those batches
 * usually get other tokens. Alert rows (`emitted_at`; `alert_id` is derived
 * from the emission) and metric points (`at`) differ on every run; alerts are deliberately not tokened by
 * their identity alone: a run's alerts may be in a Kafka transaction that
 * aborted, and `alerts` keeps the last insert, the one the alert topic
 * carries. For all of these the ReplacingMergeTree keys remain the
 * guarantee: duplicates collapse in merges and under FINAL.
 */
export function batchToken(table: string, rows: number, payload: Buffer): string {
  return `${table}-${rows}-${createHash('sha256').update(payload).digest('base64url')}`;
}
