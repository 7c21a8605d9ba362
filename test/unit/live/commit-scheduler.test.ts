/**
 * The commit scheduler's decisions, on a stand-in Kafka client (a mock, said
 * so: what is tested is what the scheduler does with a transaction's
 * outcome, which the live integration tests show against the real broker):
 * one commit in flight and the follow-up asked for meanwhile; a commit that
 * lost its group membership is abandoned — never begun, or aborted before
 * its commit — and read again from the committed offsets, on the same
 * producer; fencing is kept for the next batch; another Kafka failure rewinds.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CommitScheduler } from '../../../engine/live/commit-scheduler.js';
import { advanceEngine, createLiveEngine, type Engine } from '../../../engine/live/live-engine.js';
import { TransactionalProducer } from '../../../engine/live/transactional-producer.js';
import { loadConfig } from '../../../config/env-config.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { CommitAbandonedError, StoreError } from '../../../lib/errors.js';
import { StoreWriter } from '../../../store/store-writer.js';
import type { StoreTransport } from '../../../store/transport.js';
import { LIVE_STORE_RETRY } from '../../../engine/live/start-live.js';
import { silentLogger } from '../../../lib/logger.js';
import { StandInKafka, kafkaProtocolError } from '../../helpers/stand-in-kafka.js';

const config = loadConfig({});

const kafkaError = (type: string) => kafkaProtocolError(type);

function setup(options: { during?: () => Promise<void>; member?: () => boolean; writer?: StoreWriter; now?: number } = {}) {
  const standIn = new StandInKafka(1, options.during);
  const { client: kafka, stats } = standIn;
  const engine = createLiveEngine(
    { config, alerts: defaultAlertsConfig(), writer: options.writer ?? null, idleTimeoutMs: 10_000, now: () => options.now ?? 0 },
    1,
  );
  const failed: Engine[] = [];
  const fenced: unknown[] = [];
  const followUps: Array<Promise<void>> = [];
  const scheduler: CommitScheduler = new CommitScheduler({
    producer: new TransactionalProducer(kafka, 'driftwatch-g-i', silentLogger),
    writer: options.writer ?? null,
    changelogTopic: 'changelog',
    groupId: 'g',
    instanceId: 'i',
    log: silentLogger,
    now: () => 0,
    intervalMs: 1000,
    current: () => (failed.includes(engine) ? null : { engine, notMember: () => ((options.member?.() ?? true) ? undefined : 'a rebalance began') }),
    onFailed: (e) => void failed.push(e),
    serialise: (work) => {
      const run = work();
      followUps.push(run);
      return run;
    },
    stopping: () => false,
    onFenced: (err) => void fenced.push(err),
  });
  return { scheduler, stats, engine, failed, fenced, followUps, kafka: standIn };
}

describe('CommitScheduler', () => {
  it('publishes one commit at a time; one asked for meanwhile follows at once', async () => {
    let release: () => void = () => undefined;
    let held = true;
    const { scheduler, stats, followUps } = setup({ during: () => (held ? new Promise<void>((r) => (release = r)) : Promise.resolve()) });
    await scheduler.commit();
    await scheduler.commit(); // in flight: only noted
    expect(stats.begun).toBe(1);
    held = false;
    release();
    await scheduler.settled();
    await Promise.all(followUps); // the follow-up started, in the background
    await scheduler.settled();
    expect(followUps).toHaveLength(1);
    expect(stats).toMatchObject({ begun: 2, committed: 2, aborted: 0 });
    expect(scheduler.failurePending).toBe(false);
  });

  it('out of the group before it begins: no transaction, the engine dropped, a rewind on the next restore, the same producer after', async () => {
    let member = false;
    const { scheduler, stats, engine, failed } = setup({ member: () => member });
    await scheduler.commit({ wait: true });
    expect(stats).toMatchObject({ begun: 0, committed: 0, aborted: 0 });
    expect(failed).toEqual([engine]);
    expect(scheduler.failurePending).toBe(false); // a handover, not a failure: a stop now is clean
    expect(scheduler.takeError()).toBeNull();
    expect(scheduler.takeRewind()).toBe(true);
    expect(scheduler.takeRewind()).toBe(false);
    member = true;
    failed.length = 0;
    await scheduler.commit({ wait: true });
    expect(stats).toMatchObject({ producers: 1, begun: 1, committed: 1 });
  });

  it('membership lost while the transaction is built: it aborts instead of committing, the records are read again, the producer stays', async () => {
    let member = true;
    let rebalanceOnce = true;
    const during = async () => {
      if (rebalanceOnce) member = false;
    };
    const { scheduler, stats, failed } = setup({ member: () => member, during });
    await scheduler.commit({ wait: true });
    expect(stats).toMatchObject({ begun: 1, committed: 0, aborted: 1 });
    expect(failed).toHaveLength(1);
    expect(scheduler.takeRewind()).toBe(true);
    expect(scheduler.takeError()).toBeNull();
    // A clean abort: the next transaction (a rebuilt engine's) runs on the same producer, not a new one.
    rebalanceOnce = false;
    member = true;
    failed.length = 0;
    await scheduler.commit({ wait: true });
    expect(stats).toMatchObject({ producers: 1, begun: 2, committed: 1, aborted: 1 });
  });

  it('fencing is kept for the next batch to throw; another Kafka failure rewinds', async () => {
    const fenced = kafkaError('PRODUCER_FENCED');
    const a = setup({ during: () => Promise.reject(fenced) });
    await a.scheduler.commit({ wait: true });
    expect(a.fenced).toEqual([fenced]); // at once: the runner stops, saying a twin took the transactional id
    expect(a.scheduler.takeRewind()).toBe(false);
    expect(a.scheduler.takeError()).toBe(fenced);
    expect(a.scheduler.takeError()).toBeNull();

    const b = setup({ during: () => Promise.reject(kafkaError('NOT_COORDINATOR')) });
    await b.scheduler.commit({ wait: true });
    expect(b.scheduler.failurePending).toBe(true);
    expect(b.scheduler.takeError()).toBeNull();
    expect(b.scheduler.takeRewind()).toBe(true);
    expect(b.failed).toHaveLength(1);
    expect(b.fenced).toEqual([]);
  });

  it('an abandoned commit is an error of its own kind, retryable', () => {
    const err = new CommitAbandonedError('x');
    expect(err.code).toBe('DW_COMMIT_ABANDONED');
    expect(err.canRetry).toBe(true);
  });

  describe('env-level rows wait for the commit that covers them (held-share-rows.ts)', () => {
    const started = readFileSync(new URL('fixtures/window-closed-before-rebalance.ndjson', import.meta.url), 'utf8').trim();
    /**
     * A store that notes each insert's table and each alert row's rule, with how many transactions had committed by
     * then; `onInsert` is told of each insert's table as it begins (a rebalance or an outage beginning right then).
     */
    function notingStore(stats: () => { committed: number }, onInsert: (table: string) => void = () => undefined) {
      const inserts: Array<{ table: string; committedBefore: number }> = [];
      const alerts: Array<{ rule: string; committedBefore: number }> = [];
      const transport = {
        kind: 'server',
        insert: async (target: string, lines: string[] | string | Buffer) => {
          const table = target.slice(target.indexOf('.') + 1);
          onInsert(table);
          inserts.push({ table, committedBefore: stats().committed });
          if (table !== 'alerts') return;
          const text = Array.isArray(lines) ? lines.join('\n') : lines.toString();
          for (const line of text.split('\n').filter(Boolean)) alerts.push({ rule: (JSON.parse(line) as { rule: string }).rule, committedBefore: stats().committed });
        },
      } as unknown as StoreTransport;
      return { inserts, alerts, writer: new StoreWriter(transport, { flushIntervalMs: 0 }) };
    }
    /**
     * A live engine on a noting store, handed `input`, and its commit — abandoned if membership is lost while its
     * transaction is built (`abandoned`), or as the store inserts into `rebalanceAt`; `refused`: the broker refuses
     * the commit request. `held`: how many rows were held for it.
     */
    async function commitAfter(input: (engine: Engine) => void, options: { abandoned?: boolean; rebalanceAt?: string; refused?: Error }) {
      let member = true;
      let stats = { committed: 0 };
      const store = notingStore(
        () => stats,
        (table) => void (table === options.rebalanceAt && (member = false)),
      );
      const s = setup({ writer: store.writer, now: NOW, member: () => member, during: async () => void (options.abandoned && (member = false)) });
      stats = s.stats;
      s.kafka.refuseCommit = options.refused ?? null;
      input(s.engine);
      const held = s.engine.heldRows.size;
      await s.scheduler.commit({ wait: true });
      await store.writer.flush();
      return { s, store, held };
    }
    /** wr-01 (prod starts a promotion at 10:00) processed, and event time past its 5-minute window: the window closes. */
    function closeWindow(engine: Engine) {
      engine.tracker.consumed(config.kafka.topics.promotion, 0, '0');
      engine.pipeline.push({ value: Buffer.from(started), key: Buffer.from('prod/cart'), source: { topic: config.kafka.topics.promotion, partition: 0, offset: '0' }, expectedType: 'promotion' });
      advanceEngine(engine, Date.parse('2026-11-27T10:06:00.000Z'));
    }
    const NOW = Date.parse('2026-11-27T13:00:00.000Z');

    it('a commit abandoned while its transaction is built stores none of them; per-key rows are stored all the same', async () => {
      const { s, store, held } = await commitAfter(closeWindow, { abandoned: true });
      expect(held).toBe(1);
      expect(s.stats).toMatchObject({ begun: 1, committed: 0, aborted: 1 });
      expect(s.failed).toEqual([s.engine]); // dropped, its held rows with it: the redo writes them
      expect(store.inserts.map((i) => i.table).sort()).toEqual(['audit_log', 'promotion_events']);
    });

    it('a commit that goes through stores them once its transaction has committed', async () => {
      const { s, store } = await commitAfter(closeWindow, {});
      expect(s.stats).toMatchObject({ begun: 1, committed: 1 });
      // The per-key rows before the commit; the window's rows after it (they are in its changelog record until then).
      expect(store.inserts.filter((i) => i.committedBefore === 0).map((i) => i.table).sort()).toEqual(['audit_log', 'promotion_events']);
      expect(store.inserts.filter((i) => i.committedBefore === 1).map((i) => i.table)).toEqual(['promotion_windows']);
      expect(s.engine.heldRows.size).toBe(0);
    });

    it('a rebalance beginning while the window rows are inserted: they are stored only if the commit went through', async () => {
      // Before, they were inserted inside the transaction, which then found the membership lost and aborted: the
      // window counted in this instance's row stayed in the store while the partition's new owner counted it again.
      const { s, store } = await commitAfter(closeWindow, { rebalanceAt: 'promotion_windows' });
      const windows = store.inserts.filter((i) => i.table === 'promotion_windows');
      if (s.stats.committed === 0) expect(windows).toEqual([]);
      else expect(windows).toEqual([{ table: 'promotion_windows', committedBefore: 1 }]);
    });

    it('the store down as the window rows are inserted, and a rebalance while that is waited out: stored only if the commit went through', async () => {
      // Before, the transaction was deferred with the rows sent; the writer retried them until the store came back,
      // and the commit, finding the membership lost by then, was abandoned with the rows in the store.
      let member = true;
      let down = false;
      let wentDown = false;
      let recover: () => void = () => undefined;
      const recovered = new Promise<void>((r) => (recover = r));
      const inserts: Array<{ table: string; committedBefore: number }> = [];
      let stats = { committed: 0 };
      const transport = {
        kind: 'server',
        insert: async (target: string) => {
          const table = target.slice(target.indexOf('.') + 1);
          if (table === 'promotion_windows' && !wentDown) down = wentDown = true;
          if (down) throw new StoreError('ClickHouse at http://ch:8123 (CLICKHOUSE_URL) is unreachable during insert: ECONNREFUSED', { canRetry: true });
          inserts.push({ table, committedBefore: stats.committed });
        },
      } as unknown as StoreTransport;
      // The store comes back, and by then a rebalance has begun.
      const sleep = async () => {
        if (!down) return;
        member = false;
        down = false;
        recover();
        await recovered;
      };
      const writer = new StoreWriter(transport, { ...LIVE_STORE_RETRY, flushIntervalMs: 0, sleep });
      const s = setup({ writer, now: NOW, member: () => member });
      stats = s.stats;
      closeWindow(s.engine);
      await s.scheduler.commit({ wait: true });
      await writer.flush();
      const windows = inserts.filter((i) => i.table === 'promotion_windows');
      if (s.stats.committed === 0) expect(windows).toEqual([]);
      else expect(windows).toEqual([{ table: 'promotion_windows', committedBefore: 1 }]);
    });

    it('a commit request the broker refuses stores none of them (the work is redone from the last commit)', async () => {
      const { s, store } = await commitAfter(closeWindow, { refused: kafkaError('NOT_COORDINATOR') });
      expect(s.stats).toMatchObject({ begun: 1, committed: 0, aborted: 1 });
      expect(s.scheduler.takeRewind()).toBe(true);
      expect(store.inserts.map((i) => i.table).sort()).toEqual(['audit_log', 'promotion_events']);
    });

    describe('alert rows of per-env rules too: their alert events go out with the commit or not at all', () => {
      const promotion = (eventId: string, occurredAt: string, fields: Record<string, unknown>) =>
        JSON.stringify({ type: 'promotion', eventId, occurredAt: `2026-11-27T${occurredAt}:00.000Z`, env: 'prod', artifact: 'cart', promotionId: 'p-1', ...fields });
      /**
       * A promotion of prod/cart that took 11 minutes, and an unverified snapshot of it (snapshot_not_verified
       * fires at once: per key); event time then passes the window the promotion ended in, which
       * promotion_duration_high judges (per env: fires). Less than 5 minutes after the snapshot: no escalation.
       */
      function slowPromotion(engine: Engine) {
        const topic = config.kafka.topics.promotion;
        const events = [
          promotion('ap-1', '10:00', { phase: 'started', version: '1.0.0', digest: 'sha256:aa' }),
          promotion('ap-2', '10:11', { phase: 'succeeded', version: '1.0.0', digest: 'sha256:aa' }),
          promotion('ap-3', '10:12', { phase: 'snapshot', snapshot: { snapshotId: 's-1', verified: false } }),
        ];
        events.forEach((value, i) => {
          engine.tracker.consumed(topic, 0, String(i));
          engine.pipeline.push({ value: Buffer.from(value), key: Buffer.from('prod/cart'), source: { topic, partition: 0, offset: String(i) }, expectedType: 'promotion' });
        });
        advanceEngine(engine, Date.parse('2026-11-27T10:16:00.000Z'));
        const fired = engine.outbox.filter((o) => o.topic === config.kafka.topics.alerts).map((o) => (JSON.parse(String(o.message.value)) as { rule: string }).rule);
        expect(fired.sort()).toEqual(['promotion_duration_high', 'snapshot_not_verified']);
      }

      it('a commit abandoned while its transaction is built stores no per-env alert; a per-key alert is stored all the same', async () => {
        const { s, store } = await commitAfter(slowPromotion, { abandoned: true });
        expect(s.stats).toMatchObject({ begun: 1, committed: 0, aborted: 1 });
        // The redo decides promotion_duration_high again, in the share of whoever redoes it; snapshot_not_verified's
        // row is the one the key's new owner writes (its alertId comes of the emission).
        expect(store.alerts.map((a) => a.rule)).toEqual(['snapshot_not_verified']);
      });

      it('a commit that goes through stores the per-env alert once its transaction has committed', async () => {
        const { s, store } = await commitAfter(slowPromotion, {});
        expect(s.stats).toMatchObject({ begun: 1, committed: 1 });
        expect(store.alerts).toEqual([
          { rule: 'snapshot_not_verified', committedBefore: 0 },
          { rule: 'promotion_duration_high', committedBefore: 1 },
        ]);
        expect(s.engine.heldRows.size).toBe(0);
      });
    });
  });

  describe('through a store outage (the live writer retries it without limit)', () => {
    /**
     * A store that is down while `down`; the writer's backoff waits until
     * `recover()`; `held`: the next insert waits for `release()` first.
     */
    function outage() {
      const state = { down: false, inserted: 0 };
      let recover: () => void = () => undefined;
      const recovered = new Promise<void>((r) => (recover = r));
      let release: () => void = () => undefined;
      let held: Promise<void> | null = null;
      const transport = {
        kind: 'server',
        insert: async () => {
          if (held) await held;
          if (state.down) throw new StoreError('ClickHouse at http://ch:8123 (CLICKHOUSE_URL) is unreachable during insert: ECONNREFUSED', { canRetry: true });
          state.inserted++;
        },
      } as unknown as StoreTransport;
      const writer = new StoreWriter(transport, { ...LIVE_STORE_RETRY, flushIntervalMs: 0, sleep: () => recovered });
      return {
        state,
        writer,
        hold: () => (held = new Promise<void>((r) => (release = r))),
        release: () => release(),
        recover: () => {
          state.down = false;
          recover();
        },
      };
    }
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
    };

    it('an outage beginning while the transaction waits for the store aborts it (no transaction held open to its timeout); it runs again once the rows land', async () => {
      const o = outage();
      o.hold();
      let first = true;
      // Inside the transaction's sends: the store goes down and the held insert fails.
      const during = async () => {
        if (!first) return;
        first = false;
        o.state.down = true;
        o.release();
      };
      const { scheduler, stats } = setup({ writer: o.writer, during });
      o.writer.writeMetric('m', 1, {}, 0);
      const committing = scheduler.commit({ wait: true });
      await settle();
      expect(o.writer.retrying).toBe(true);
      expect(stats).toMatchObject({ begun: 1, committed: 0, aborted: 1 }); // aborted, not left open
      await settle();
      expect(stats.begun).toBe(1); // no new transaction while the store is down
      o.recover();
      await committing;
      expect(o.state.inserted).toBe(1);
      expect(stats).toMatchObject({ producers: 1, begun: 2, committed: 1, aborted: 1 }); // same producer: a clean abort
      expect(scheduler.failurePending).toBe(false);
      expect(scheduler.takeError()).toBeNull();
      expect(scheduler.takeRewind()).toBe(false);
      expect(o.writer.failure).toBeUndefined();
    });

    it('a commit that finds the store already down begins no transaction until its rows land', async () => {
      const o = outage();
      o.state.down = true;
      const { scheduler, stats } = setup({ writer: o.writer });
      o.writer.writeMetric('m', 1, {}, 0);
      void o.writer.flush().catch(() => undefined); // sent (the flush timer's doing, live); failing
      await settle();
      expect(o.writer.retrying).toBe(true);
      const committing = scheduler.commit({ wait: true });
      await settle();
      expect(stats.begun).toBe(0);
      o.recover();
      await committing;
      expect(stats).toMatchObject({ begun: 1, committed: 1, aborted: 0 });
      expect(scheduler.failurePending).toBe(false);
    });
  });
});
