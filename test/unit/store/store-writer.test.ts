import { describe, expect, it, vi } from 'vitest';
import { StoreError } from '../../../lib/errors.js';
import type { Fact } from '../../../processors/facts.js';
import { StoreWriter } from '../../../store/store-writer.js';
import { MAX_CONCURRENT_INSERTS } from '../../../store/insert-slots.js';
import { RowMapper } from '../../../store/row-mappers.js';
import { eventCodecs, eventColumns, eventTables, type EventTable } from '../../../store/event-rows.js';
import { decodeRowBinary } from '../../helpers/row-binary-decode.js';
import type { InsertOptions, StoreTransport } from '../../../store/transport.js';
import { hydration, incident, oneOfEachKind, T0 } from './fixtures.js';
import { capturingLogger } from '../../helpers/capturing-logger.js';
import { LIVE_STORE_RETRY } from '../../../engine/live/start-live.js';

interface InsertCall {
  table: string;
  rows: Record<string, unknown>[];
  token: string | undefined;
}

/** In-memory transport: records inserts; `failures` are thrown by the next inserts; `gate` holds inserts until released. */
class FakeTransport implements StoreTransport {
  readonly kind = 'embedded' as const;
  readonly calls: InsertCall[] = [];
  readonly attempts: InsertCall[] = [];
  failures: unknown[] = [];
  held: Array<() => void> = [];
  hold = false;

  async command(): Promise<void> {}
  async query<T>(): Promise<T[]> {
    return [];
  }
  async close(): Promise<void> {}
  async insert(table: string, lines: string[] | string | Buffer, opts?: InsertOptions): Promise<void> {
    let rows: Record<string, unknown>[];
    if (opts?.format === 'RowBinary') rows = decodeRowBinary(lines as Buffer, opts.structure!);
    else {
      const list = Array.isArray(lines) ? lines : (Buffer.isBuffer(lines) ? lines.toString('utf8') : lines).split('\n');
      rows = list.map((l) => JSON.parse(l) as Record<string, unknown>);
    }
    const call = { table, rows, token: opts?.dedupToken };
    this.attempts.push(call);
    if (this.hold) await new Promise<void>((r) => this.held.push(r));
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.calls.push(call);
  }
  release(): void {
    const held = this.held;
    this.held = [];
    for (const r of held) r();
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));
const hydrations = (n: number): Fact[] => Array.from({ length: n }, (_, i) => hydration(T0 + i, `h-${i}`));

describe('StoreWriter and lone surrogates', () => {
  it('stores a lone surrogate, whatever its origin, as U+FFFD: ClickHouse refuses the whole JSON batch holding one', async () => {
    const t = new FakeTransport();
    const w = new StoreWriter(t, { batchRows: 10, flushIntervalMs: 0 });
    w.write({ kind: 'incident', at: T0, change: 'opened', incident: incident({ artifact: 'svc-\ud800', divergentDigests: ['\udc00', '😀'] }) });
    await w.flush();
    const row = t.calls.find((c) => c.table === 'driftwatch.incidents')!.rows[0]!;
    expect([row.artifact, row.divergent_digests]).toEqual(['svc-\ufffd', ['\ufffd', '😀']]);
  });
});

describe('StoreWriter batching', () => {
  it('sends a table as soon as its buffer reaches batchRows, the rest on flush', async () => {
    const t = new FakeTransport();
    const w = new StoreWriter(t, { batchRows: 3, flushIntervalMs: 0 });
    for (const f of hydrations(7)) w.write(f);
    expect(w.pendingRows).toBe(7);
    await tick();
    expect(t.calls.map((c) => c.rows.length)).toEqual([3, 3]);
    expect(w.pendingRows).toBe(1);
    await w.flush();
    expect(t.calls.map((c) => [c.table, c.rows.length])).toEqual([
      ['driftwatch.hydration_events', 3],
      ['driftwatch.hydration_events', 3],
      ['driftwatch.hydration_events', 1],
    ]);
    expect(t.calls.flatMap((c) => c.rows.map((r) => r.event_id))).toEqual(['h-0', 'h-1', 'h-2', 'h-3', 'h-4', 'h-5', 'h-6']);
    expect(w.pendingRows).toBe(0);
    expect(w.stats()).toMatchObject({ rowsWritten: { hydration_events: 7 }, batches: 3, retries: 0 });
  });

  it("writeNow sends its rows' tables at once (rows mapped before, as they were) and resolves when they are written, leaving other tables' rows buffered", async () => {
    const t = new FakeTransport();
    const w = new StoreWriter(t, { batchRows: 1000, flushIntervalMs: 0, instanceId: 'engine-a' });
    for (const f of hydrations(2)) w.write(f);
    const window = oneOfEachKind().find((f) => f.kind === 'promotion-window')!;
    await w.writeNow(new RowMapper({ instanceId: 'departed' }).rows(window));
    expect(t.calls.map((c) => [c.table, c.rows.map((r) => r.instance_id)])).toEqual([
      ['driftwatch.promotion_windows', ['departed']],
      ['driftwatch.gate_windows', ['departed', 'departed']],
    ]);
    expect(w.pendingRows).toBe(2);
    await w.flush();
    expect(t.calls.at(-1)).toMatchObject({ table: 'driftwatch.hydration_events' });
  });

  it("sends batches of different tables side by side (at most MAX_CONCURRENT_INSERTS), each table's in order", async () => {
    // Inserts in flight right now, per table, and the most seen at once.
    const inFlight = new Map<string, number>();
    let most = 0;
    let mostOfOneTable = 0;
    class CountingTransport extends FakeTransport {
      override async insert(table: string, lines: string[] | string | Buffer, opts?: InsertOptions): Promise<void> {
        inFlight.set(table, (inFlight.get(table) ?? 0) + 1);
        most = Math.max(most, [...inFlight.values()].reduce((a, b) => a + b, 0));
        mostOfOneTable = Math.max(mostOfOneTable, ...inFlight.values());
        try {
          await super.insert(table, lines, opts);
        } finally {
          inFlight.set(table, inFlight.get(table)! - 1);
        }
      }
    }
    const t = new CountingTransport();
    t.hold = true;
    const w = new StoreWriter(t, { batchRows: 1, flushIntervalMs: 0 });
    for (const f of hydrations(3)) w.write(f); // three batches of one table
    for (const f of oneOfEachKind()) w.write(f); // and one or two of each of ten more
    await tick();
    expect(t.attempts).toHaveLength(MAX_CONCURRENT_INSERTS);
    const flushed = w.flush();
    while (t.held.length > 0) {
      t.release();
      await tick();
    }
    await flushed;
    expect(most).toBe(MAX_CONCURRENT_INSERTS);
    expect(mostOfOneTable).toBe(1);
    const hydrationRows = t.calls.filter((c) => c.table === 'driftwatch.hydration_events').map((c) => c.rows[0]!.event_id);
    expect(hydrationRows.slice(0, 3)).toEqual(['h-0', 'h-1', 'h-2']);
    expect(t.calls).toHaveLength(3 + 15); // a batch per row: oneOfEachKind makes 15 rows (see the next test)
  });

  it('keeps one buffer per table and writes every stored kind', async () => {
    const t = new FakeTransport();
    const w = new StoreWriter(t, { batchRows: 1000, flushIntervalMs: 0 });
    for (const f of oneOfEachKind()) w.write(f);
    w.writeDeadLetter({ reason: 'bad json', raw: '{', source: { line: 4 } });
    w.writeMetric('events_in', 12, { topic: 'x' }, T0);
    expect(t.calls).toHaveLength(0); // nothing is sent before a batch fills or flush()
    await w.close();
    const perTable = Object.fromEntries(t.calls.map((c) => [c.table.replace('driftwatch.', ''), c.rows.length]));
    expect(perTable).toEqual({
      promotion_events: 2, hydration_events: 1, index_events: 1, incidents: 2, alerts: 1, audit_log: 1, drift_windows: 1,
      env_windows: 1, promotion_windows: 1, gate_windows: 2, mttr_snapshots: 2, dead_letters: 1, engine_metrics: 1,
    });
    expect(() => w.write(hydration(T0))).toThrow(/closed/);
  });

  it('sends buffered rows after flushIntervalMs even when no batch fills', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const t = new FakeTransport();
      const w = new StoreWriter(t, { batchRows: 1000, flushIntervalMs: 500 });
      w.write(hydration(T0));
      w.write(hydration(T0 + 1, 'h-2'));
      await vi.advanceTimersByTimeAsync(499);
      await tick();
      expect(t.calls).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      await tick();
      expect(t.calls.map((c) => c.rows.length)).toEqual([2]);
      await w.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('StoreWriter RowBinary raw-history rows', () => {
  /** Records each insert's format and columns. */
  class FormatTransport extends FakeTransport {
    readonly formats: Array<{ table: string; format?: string; columns?: readonly string[] }> = [];
    override async insert(table: string, lines: string[] | string | Buffer, opts?: InsertOptions): Promise<void> {
      this.formats.push({ table, format: opts?.format, columns: opts?.columns });
      await super.insert(table, lines, opts);
    }
  }

  it('writes events as RowBinary in the column order of their table, everything else as objects; the values are the rows the mapper gives', async () => {
    const t = new FormatTransport();
    const w = new StoreWriter(t, { batchRows: 100, flushIntervalMs: 0 });
    const facts = oneOfEachKind();
    for (const f of facts) w.write(f);
    await w.flush();
    const expected = facts.flatMap((f) => new RowMapper().rows(f));
    for (const call of t.calls) {
      const table = call.table.replace('driftwatch.', '');
      const seen = t.formats.find((x) => x.table === call.table)!;
      const mine = expected.filter((r) => r.table === table).map((r) => r.row);
      if (eventTables.has(table)) {
        expect(seen).toMatchObject({ format: 'RowBinary', columns: eventColumns[table as EventTable] });
        // The decoded row, NULLs dropped, is the JSONEachRow object with the DEFAULTs it leaves to the table written out.
        const codecs = eventCodecs[table as EventTable];
        const withDefaults = mine.map((row) => {
          const full = { ...row };
          seen.columns!.forEach((c, i) => {
            const codec = codecs[i] as { orDefault?: unknown };
            if (!(c in full) && codec.orDefault !== undefined) full[c] = codec.orDefault;
          });
          return full;
        });
        expect(call.rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)))).toEqual(withDefaults);
      } else {
        expect(seen.format).toBeUndefined();
        expect(call.rows).toEqual(JSON.parse(JSON.stringify(mine)));
      }
    }
    expect(t.calls.map((c) => c.table).filter((x) => eventTables.has(x.replace('driftwatch.', ''))).length).toBeGreaterThan(0);
  });
});

describe('StoreWriter dedup tokens', () => {
  it('derives each batch token from its rows: two writers of the same facts send the same tokens, other rows another', async () => {
    const tokensOf = async (facts: Fact[]) => {
      const t = new FakeTransport();
      const w = new StoreWriter(t, { batchRows: 4, flushIntervalMs: 0 });
      for (const f of facts) w.write(f);
      await w.close();
      return t.calls.map((c) => c.token!);
    };
    const first = await tokensOf(hydrations(10));
    expect(first).toHaveLength(3); // 4 + 4 + 2 rows
    expect(new Set(first).size).toBe(3);
    expect(await tokensOf(hydrations(10))).toEqual(first);
    const other = await tokensOf([...hydrations(9), hydration(T0 + 99, 'h-other')]);
    expect(other.slice(0, 2)).toEqual(first.slice(0, 2));
    expect(other[2]).not.toBe(first[2]);
    expect(first[0]).toMatch(/^hydration_events-4-[\w-]{43}$/);
  });

  it('derives no token from the wall clock or the writer: every table of every fact kind, written at two times by two writers, gets the same tokens', async () => {
    vi.useFakeTimers();
    try {
      const tokensAt = async (wallClock: string) => {
        vi.setSystemTime(Date.parse(wallClock));
        const t = new FakeTransport();
        const w = new StoreWriter(t, { flushIntervalMs: 0, instanceId: 'engine-a' });
        for (const f of oneOfEachKind()) w.write(f);
        w.writeDeadLetter({ reason: 'bad', raw: '{"type":"index"}', source: { topic: 'driftwatch.index.v1', partition: 1, offset: '7' } });
        await w.close();
        return new Map(t.calls.map((c) => [c.table, c.token]));
      };
      const first = await tokensAt('2026-12-05T12:00:00Z');
      expect(first.size).toBeGreaterThanOrEqual(12);
      expect(await tokensAt('2027-01-01T00:00:00Z')).toEqual(first);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('StoreWriter retries and failure', () => {
  it('retries a transient failure with exponential backoff and the same dedup token', async () => {
    const t = new FakeTransport();
    const delays: number[] = [];
    const w = new StoreWriter(t, { batchRows: 10, flushIntervalMs: 0, initialBackoffMs: 100, maxBackoffMs: 250, sleep: async (ms) => void delays.push(ms) });
    t.failures = [new StoreError('busy', { canRetry: true }), Object.assign(new Error('Code: 252. DB::Exception: Too many parts'), {}), new StoreError('busy', { canRetry: true })];
    w.write(hydration(T0));
    await w.flush();
    expect(delays).toEqual([100, 200, 250]);
    expect(t.attempts).toHaveLength(4);
    expect(new Set(t.attempts.map((a) => a.token)).size).toBe(1);
    expect(t.calls).toHaveLength(1);
    expect(w.stats()).toMatchObject({ retries: 3, rowsWritten: { hydration_events: 1 } });
  });

  it('gives up after maxAttempts with a retryable StoreError; write and flush then fail', async () => {
    const t = new FakeTransport();
    const heard: StoreError[] = [];
    const w = new StoreWriter(t, { batchRows: 10, flushIntervalMs: 0, maxAttempts: 3, sleep: async () => {} });
    w.onFailure((e) => heard.push(e));
    t.failures = [1, 2, 3].map(() => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }));
    w.write(hydration(T0));
    const err = await w.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).canRetry).toBe(true);
    expect((err as Error).message).toMatch(/writing 1 rows to driftwatch\.hydration_events failed after 3 attempt\(s\).*ECONNREFUSED/);
    expect(t.attempts).toHaveLength(3);
    expect(heard).toEqual([err]);
    expect(() => w.write(hydration(T0))).toThrow(err as Error);
  });

  it('does not retry a failure that cannot pass (bad SQL, unknown table)', async () => {
    const t = new FakeTransport();
    const w = new StoreWriter(t, { batchRows: 10, flushIntervalMs: 0, sleep: async () => {} });
    t.failures = [new Error('Code: 60. DB::Exception: Unknown table expression identifier')];
    w.write(hydration(T0));
    const err = (await w.flush().catch((e: unknown) => e)) as StoreError;
    expect(err.canRetry).toBe(false);
    expect(t.attempts).toHaveLength(1);
  });
});

describe('StoreWriter backpressure', () => {
  it('counts in-flight rows as pending and waitForCapacity resolves as batches land', async () => {
    const t = new FakeTransport();
    t.hold = true;
    const w = new StoreWriter(t, { batchRows: 2, flushIntervalMs: 0 });
    for (const f of hydrations(5)) w.write(f);
    await tick();
    expect(t.attempts).toHaveLength(1); // a table's batches one at a time
    expect(w.pendingRows).toBe(5);

    let below3 = false;
    let empty = false;
    const wait3 = w.waitForCapacity(3).then(() => (below3 = true));
    const wait0 = w.waitForCapacity(0).then(() => (empty = true));
    await tick();
    expect([below3, empty]).toEqual([false, false]);
    t.release(); // batch 1 lands: 3 pending
    await tick();
    expect([below3, empty, w.pendingRows]).toEqual([true, false, 3]);
    t.release(); // batch 2 lands: the last row is buffered, below batchRows…
    await tick();
    expect(t.attempts.map((a) => a.rows.length)).toEqual([2, 2, 1]); // …so waitForCapacity(0) sent it early
    expect(empty).toBe(false);
    t.release();
    await wait3;
    await wait0;
    expect(w.pendingRows).toBe(0);
    expect(t.calls.map((c) => c.rows.length)).toEqual([2, 2, 1]);
  });
});

describe('StoreWriter through a server outage (live mode: LIVE_STORE_RETRY, retryable failures without limit)', () => {
  const unreachable = () =>
    new StoreError('ClickHouse at http://ch:8123 (CLICKHOUSE_URL) is unreachable during insert: connect ECONNREFUSED', { canRetry: true });

  /** A transport down from `from` to `to` on the virtual clock `clock.now`, which only the writer's sleep moves. */
  class OutageTransport extends FakeTransport {
    constructor(
      private readonly clock: { now: number },
      private readonly from: number,
      private readonly to: number,
      private readonly failure: () => unknown = unreachable,
    ) {
      super();
    }
    override async insert(table: string, lines: string[] | string | Buffer, opts?: InsertOptions): Promise<void> {
      if (this.clock.now >= this.from && this.clock.now < this.to) {
        this.attempts.push({ table, rows: [], token: opts?.dedupToken });
        throw this.failure();
      }
      return super.insert(table, lines, opts);
    }
  }

  it('waits out a 60 s outage of retryable errors: the producer is held back, every row lands once, one warn and one info line', async () => {
    const clock = { now: 0 };
    const t = new OutageTransport(clock, 0, 60_000);
    const lines: Array<{ msg?: string; level?: number; failedForMs?: number }> = [];
    const delays: number[] = [];
    let retriesHeard = 0;
    const w = new StoreWriter(t, {
      ...LIVE_STORE_RETRY,
      batchRows: 10,
      flushIntervalMs: 0,
      random: () => 0.5,
      logger: capturingLogger(lines),
      now: () => clock.now,
      onRetry: () => retriesHeard++,
      sleep: async (ms) => {
        delays.push(ms);
        clock.now += ms;
        await tick();
      },
    });
    // What live mode audits (engine/live/live-audit.ts): the outage's beginning and its end, each heard once.
    const heard: Array<Record<string, unknown>> = [];
    w.onOutage((o) => heard.push({ began: true, table: o.table, error: o.error.message }));
    w.onOutageEnd((o) => heard.push({ began: false, ...o }));
    const cap = 25;
    const total = 200;
    let produced = 0;
    let mostPending = 0;
    const facts = hydrations(total);
    for (const f of facts) {
      await w.waitForCapacity(cap); // the live runner's backpressure (pipeline.waitForCapacity)
      mostPending = Math.max(mostPending, w.pendingRows);
      if (clock.now < 60_000) expect(t.calls).toHaveLength(0);
      w.write(f);
      produced++;
    }
    await w.flush();
    expect(w.failure).toBeUndefined();
    expect(clock.now).toBeGreaterThanOrEqual(60_000); // the whole outage was waited out
    expect(mostPending).toBeLessThanOrEqual(cap + 1); // bounded while down: the producer waited instead
    const ids = t.calls.flatMap((c) => c.rows.map((r) => r.event_id));
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    // Capped (30 s), jittered (random 0.5: three quarters of the exponential delay), exponential before the cap.
    expect(delays.slice(0, 3)).toEqual([150, 300, 600]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(30_000);
    expect(retriesHeard).toBe(w.stats().retries);
    expect(retriesHeard).toBeGreaterThan(5);
    const warns = lines.filter((l) => l.level === 40);
    const infos = lines.filter((l) => l.level === 30);
    expect(warns.map((l) => l.msg)).toEqual([expect.stringMatching(/store insert failed; retrying with backoff until it works again/)]);
    expect(infos.map((l) => l.msg)).toEqual(['store inserts work again']);
    expect(infos[0]!.failedForMs).toBeGreaterThanOrEqual(60_000);
    expect(lines.filter((l) => (l.level ?? 0) >= 50)).toEqual([]); // no error line per attempt
    expect(w.retrying).toBe(false);
    expect(heard).toEqual([
      { began: true, table: 'hydration_events', error: expect.stringMatching(/is unreachable during insert/) },
      { began: false, failedForMs: infos[0]!.failedForMs, retries: expect.any(Number) },
    ]);
  });

  it('retries without limit, so a retry carries the same dedup token however long it takes', async () => {
    const clock = { now: 0 };
    const t = new OutageTransport(clock, 0, 10 * 60_000);
    const w = new StoreWriter(t, { ...LIVE_STORE_RETRY, batchRows: 10, flushIntervalMs: 0, sleep: async (ms) => void (clock.now += ms) });
    w.write(hydration(T0));
    await w.flush();
    expect(t.calls).toHaveLength(1);
    expect(t.attempts.length).toBeGreaterThan(20);
    expect(new Set(t.attempts.map((a) => a.token)).size).toBe(1);
  });

  it('still fails at once on an error that cannot pass (rejected login), with its message', async () => {
    const clock = { now: 0 };
    const denied = () =>
      new StoreError('CLICKHOUSE_USER/CLICKHOUSE_PASSWORD rejected by http://ch:8123: Code: 516. Authentication failed', { canRetry: false });
    const t = new OutageTransport(clock, 0, 60_000, denied);
    const heard: StoreError[] = [];
    const w = new StoreWriter(t, { ...LIVE_STORE_RETRY, batchRows: 10, flushIntervalMs: 0, sleep: async (ms) => void (clock.now += ms) });
    w.onFailure((e) => heard.push(e));
    w.write(hydration(T0));
    const err = (await w.flush().catch((e: unknown) => e)) as StoreError;
    expect(err).toBeInstanceOf(StoreError);
    expect(err.canRetry).toBe(false);
    expect(err.message).toMatch(/failed after 1 attempt\(s\): CLICKHOUSE_USER\/CLICKHOUSE_PASSWORD rejected/);
    expect(t.attempts).toHaveLength(1);
    expect(heard).toEqual([err]);
    await expect(w.waitForCapacity(0)).rejects.toBe(err); // backpressure does not hide the failure
    expect(() => w.write(hydration(T0))).toThrow(err);
  });

  it('giveUpRetrying ends a backoff wait at once and fails the writer (a shutdown in an outage)', async () => {
    const t = new OutageTransport({ now: 0 }, 0, Number.POSITIVE_INFINITY);
    // A sleep that never ends by itself: only giveUpRetrying can end the wait.
    const w = new StoreWriter(t, { ...LIVE_STORE_RETRY, batchRows: 10, flushIntervalMs: 0, sleep: () => new Promise<void>(() => undefined) });
    const outages: number[] = [];
    w.onOutage(() => outages.push(1));
    w.write(hydration(T0));
    const flushed = w.flush().catch((e: unknown) => e);
    await tick();
    expect(w.retrying).toBe(true);
    expect(outages).toHaveLength(1);
    w.giveUpRetrying('shutting down');
    const err = (await flushed) as StoreError;
    expect(err.message).toMatch(/failed after 1 attempt\(s\) \(retries stopped: shutting down\): .*unreachable/);
    expect(err.canRetry).toBe(true);
    expect(t.attempts).toHaveLength(1);
  });
});
