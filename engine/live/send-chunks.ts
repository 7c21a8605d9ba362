/**
 * Splits what one commit produces into sends the broker accepts.
 *
 * kafkajs puts all the messages of one `send` for a partition into one
 * record batch, and the broker refuses a batch above its `message.max.bytes`
 * (≈ 1 MiB by default) with MESSAGE_TOO_LARGE, a non-retriable error: the
 * transaction aborts, the same records come again after the restart and the
 * same commit fails again. A burst of alerts, a commit touching many keys'
 * state, or a few large dead letters can pass that size, so every output of
 * a commit goes out in runs of at most `SEND_CHUNK_BYTES` (counted over all
 * partitions, so each partition's batch is smaller still), all inside the one
 * transaction.
 */
import type { Message } from 'kafkajs';

/** Upper bound of one send's messages (key + value + headers + per-record overhead); half the broker's default limit. */
export const SEND_CHUNK_BYTES = 512 * 1024;

/** Per-record framing in a v2 record batch (attributes, varints, offsets), rounded up. */
const RECORD_OVERHEAD = 32;

/** The bytes a message adds to a record batch, near enough to keep batches under a limit. */
export function messageBytes(message: Message): number {
  let n = RECORD_OVERHEAD + byteLength(message.key) + byteLength(message.value);
  const headers = message.headers;
  if (headers) {
    for (const name in headers) {
      const v = headers[name];
      n += Buffer.byteLength(name) + 8;
      if (Array.isArray(v)) for (const x of v) n += byteLength(x);
      else n += byteLength(v);
    }
  }
  return n;
}

function byteLength(v: string | Buffer | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

/** Consecutive runs of `messages`, in order, each at most `maxBytes` (a single larger message is a run of its own). */
export function chunkMessages(messages: readonly Message[], maxBytes: number = SEND_CHUNK_BYTES): Message[][] {
  return runsBySize(messages, messageBytes, maxBytes);
}

/** Consecutive runs of `items`, in order, whose `sizeOf` add up to at most `maxBytes` each (a larger item alone). */
export function runsBySize<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes: number): T[][] {
  const runs: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && bytes + size > maxBytes) {
      runs.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) runs.push(current);
  return runs;
}
