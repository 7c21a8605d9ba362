/**
 * A store (ClickHouse) outage in live mode, on the stand-in Kafka client
 * with the runner's timers virtual: the writer retries without limit
 * (LIVE_STORE_RETRY), consumption stops taking batches once more than
 * 100 000 rows are pending (engine/live/backpressure.ts) — the records wait
 * in Kafka, not in the heap — and once the store answers again every record
 * is stored, once. SPEC §5: "while the store is unavailable the engine
 * applies backpressure (pauses consumption) instead of buffering without
 * bound". The StoreWriter part alone is test/unit/store/store-writer.test.ts;
 * against the real server, test/integration/clickhouse-server.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hydration, moveWallClock, NOW, startStandInRunner, type StandInRunner } from '../../helpers/stand-in-runner.js';
import { decodeRowBinary } from '../../helpers/row-binary-decode.js';
import { LIVE_STORE_RETRY } from '../../../engine/live/start-live.js';
import { StoreError } from '../../../lib/errors.js';
import { StoreWriter } from '../../../store/store-writer.js';
import type { InsertOptions, StoreTransport } from '../../../store/transport.js';

/** An in-memory store that refuses every insert while `down` (as an unreachable server: retryable); the event ids it stored. */
class OutageStore implements StoreTransport {
  readonly kind = 'server' as const;
  down = true;
  failedInserts = 0;
  readonly stored: string[] = [];
  async command(): Promise<void> {}
  async query<T>(): Promise<T[]> {
    return [];
  }
  async close(): Promise<void> {}
  async insert(table: string, lines: string[] | string | Buffer, opts?: InsertOptions): Promise<void> {
    if (this.down) {
      this.failedInserts++;
      throw new StoreError('ClickHouse at http://ch:8123/ (CLICKHOUSE_URL) is unreachable during insert: connect ECONNREFUSED', { canRetry: true });
    }
    if (table.endsWith('.hydration_events')) {
      for (const row of decodeRowBinary(lines as Buffer, opts!.structure!)) this.stored.push(String(row.event_id));
    }
  }
}

/** An hour before the wall clock: the records are 10 ms apart, all of them in the past. */
const T0 = NOW - 3_600_000;
const BATCH = 40_000;
let h: StandInRunner;
let store: OutageStore;

afterEach(async () => {
  store.down = false; // a failed assertion must not leave the final commit waiting for the store
  await vi.advanceTimersByTimeAsync(60_000);
  await h.runner.stop();
  vi.useRealTimers();
});

describe('a store outage in live mode', () => {
  it('stops taking batches while more than 100 000 rows wait for the store, and stores every record once when it is back', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    store = new OutageStore();
    const writer = new StoreWriter(store, { ...LIVE_STORE_RETRY, flushIntervalMs: 0 });
    h = await startStandInRunner({ writer });
    const H = h.topics.hydration;
    const batch = (b: number) =>
      h.member.batch(H, 0, b * BATCH, Array.from({ length: BATCH }, (_, i) => hydration(`e-${b * BATCH + i}`, T0 + (b * BATCH + i) * 10)), 1_000_000);

    // The store is down from the start: batches are taken until the rows they gave pass the bound, then no more.
    let taken = 0;
    let held: Promise<void> | undefined;
    for (let b = 0; b < 6 && held === undefined; b++) {
      let done = false;
      const p = batch(b).then(() => void (done = true));
      await moveWallClock(h, 5_000);
      if (done) taken++;
      else held = p;
    }
    expect(held).toBeDefined();
    expect(taken).toBeLessThanOrEqual(3); // 120 000 records: the bound (100 000 pending rows) is passed by then
    const consumed = h.runner.consumedRecords;
    await moveWallClock(h, 120_000); // two minutes more of outage: far past the session timeout
    expect(h.runner.consumedRecords).toBe(consumed); // nothing more taken: the records wait in Kafka
    expect(writer.pendingRows).toBeGreaterThan(100_000);
    expect(writer.pendingRows).toBeLessThanOrEqual(consumed + 10); // the rows of what was taken (and a few of the engine's own), no more
    expect(store.failedInserts).toBeGreaterThan(5); // retried all along
    expect(store.stored).toEqual([]);
    expect(writer.failure).toBeUndefined();

    store.down = false;
    await moveWallClock(h, 60_000); // the next retry (at most LIVE_STORE_MAX_BACKOFF_MS away) lands
    await held;
    const last = taken + 1;
    await batch(last);
    await moveWallClock(h, 60_000); // the partition goes idle: event time moves on and releases the last records
    await h.runner.stop(); // the final commit flushes the writer

    // Every record up to the committed offset is stored, once; the rest (the last seconds of event time, held by the
    // watermark at the stop) is not committed and stays in Kafka for the next run. Nothing lost, nothing doubled.
    const committed = Number(h.kafka.committedOffsets.get(`${H}/0`));
    expect(committed).toBeGreaterThan(last * BATCH); // past every batch of the outage, and into the last one
    expect(store.stored).toHaveLength(committed);
    expect(new Set(store.stored)).toEqual(new Set(Array.from({ length: committed }, (_, i) => `e-${i}`)));
    expect(writer.pendingRows).toBe(0);
  });
});
