/**
 * driftwatch_consumer_lag from the broker: for every owned input partition,
 * its end offset minus this instance's position (the next offset it will
 * consume), read every interval and at each assignment.
 *
 * Computed from fetched batches (their high watermark minus their last
 * offset), the lag only moved when a batch came: while consumption was paused
 * for backpressure (store down, schema registry away), when a partition
 * received nothing after a burst, or before the first fetch of a fresh
 * instance, the gauge kept its last value — or had none — while the real lag
 * grew. Asking the broker reads the growth a stalled consumer cannot see.
 *
 * Cost: one ListOffsets request per input topic with owned partitions per
 * interval (Admin.fetchTopicOffsets), plus one OffsetFetch for the group
 * only while some owned partition has no known position yet (just assigned,
 * nothing fetched or restored): it starts at the group's committed offset, or
 * at the start of its log without one. Never per batch. Reads do not overlap:
 * one asked for while another is in flight runs once after it.
 *
 * The position moves when kafkajs finishes a batch (END_BATCH_PROCESS, see
 * partition-backlog.ts), so a batch the engine holds while consumption is
 * paused counts as lag until it is done. Series of partitions no longer owned
 * are removed when they are revoked — the moment the instance leaves the
 * group (a rebalance begins, the consumer crashes or is replaced: kafkajs's
 * eager protocol takes every partition away then, and another member may be
 * reporting them before this one joins again) — and at an assignment that
 * leaves them out; a read in flight across either reports only what is still
 * owned. Kept until this instance's next assignment instead, a partition
 * handed to another member was exported by both, and lag summed over the
 * instances counted it twice.
 *
 * A value that cannot be read is not exported: a failed read removes every
 * series, and so does a broker silent for a session timeout (`forgetAll`,
 * broker-contact.ts) — kafkajs retries a read for ≈ 2 minutes before it
 * fails, and the gauges read as current all that time. Prometheus marks the
 * series stale, `absent()` can alert on it, and the next read that succeeds
 * brings them back. A successful read is an answer of the broker (`onAnswer`).
 */
import type { Admin } from 'kafkajs';
import type { Logger } from '../../lib/logger.js';
import { RepeatedFailureLog } from '../../lib/repeated-failure-log.js';
import { splitTp } from './topic-partition.js';

export interface LagReports {
  lag(topic: string, partition: number, records: number): void;
  /** The partition is no longer owned: its series goes. */
  forgetLag(topic: string, partition: number): void;
}

export interface PartitionLagOptions {
  admin: Pick<Admin, 'fetchTopicOffsets' | 'fetchOffsets'>;
  groupId: string;
  /** Next offset to consume of a `tp` key, when known (PartitionPositions.position). */
  position: (key: string) => bigint | undefined;
  metrics: LagReports | undefined;
  log: Logger;
  intervalMs: number;
  /** The broker answered a read (broker-contact.ts). */
  onAnswer?: () => void;
}

export class PartitionLag {
  private owned = new Set<string>();
  private readonly reported = new Set<string>();
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly failures: RepeatedFailureLog;

  constructor(private readonly opts: PartitionLagOptions) {
    this.failures = new RepeatedFailureLog(opts.log, 'reading consumer lag from the broker');
  }

  /** Reads every `intervalMs` until `stop`. */
  start(): void {
    if (this.timer || this.stopped || !this.opts.metrics) return;
    this.timer = setInterval(() => void this.refresh(), this.opts.intervalMs);
    this.timer.unref(); // a metrics timer never keeps a stopping process alive
  }

  /** No more reads; one in flight that fails (the admin client disconnecting) is not logged. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The input partitions (`tp` keys) owned from now on: the others' series go, and the new ones are read at once. */
  assign(keys: readonly string[]): Promise<void> {
    this.own(keys);
    return this.refresh();
  }

  /** Every partition is revoked (out of the group): all series go, and nothing is read until the next `assign`. */
  revokeAll(): void {
    this.own([]);
  }

  /** The lag is not known any more (the broker is silent): every series goes until a read succeeds; the partitions stay owned. */
  forgetAll(): void {
    this.forget(() => true);
  }

  private own(keys: readonly string[]): void {
    this.owned = new Set(keys);
    this.forget((key) => !this.owned.has(key));
  }

  private forget(which: (key: string) => boolean): void {
    for (const key of [...this.reported]) {
      if (!which(key)) continue;
      this.reported.delete(key);
      this.opts.metrics?.forgetLag(...splitTp(key));
    }
  }

  /** Reads the lag of every owned partition now (after the read in flight, if any). Never rejects. */
  refresh(): Promise<void> {
    if (!this.opts.metrics || this.stopped) return Promise.resolve();
    if (this.queued) return this.queued;
    if (!this.inFlight) return (this.inFlight = this.read().finally(() => (this.inFlight = null)));
    // Asked for during a read (a new assignment): one more read after it, shared by whoever asks meanwhile.
    return (this.queued = this.inFlight.then(() => {
      this.queued = null;
      return this.refresh();
    }));
  }

  private async read(): Promise<void> {
    const byTopic = new Map<string, string[]>();
    for (const key of this.owned) {
      const [topic] = splitTp(key);
      let keys = byTopic.get(topic);
      if (!keys) byTopic.set(topic, (keys = []));
      keys.push(key);
    }
    if (byTopic.size === 0) return;
    try {
      const ends = new Map<string, { low: bigint; high: bigint }>();
      for (const [topic, keys] of byTopic) {
        for (const o of await this.opts.admin.fetchTopicOffsets(topic)) {
          const key = keys.find((k) => splitTp(k)[1] === o.partition);
          if (key !== undefined) ends.set(key, { low: BigInt(o.low), high: BigInt(o.high) });
        }
      }
      const committed = await this.committedWhereUnknown(byTopic);
      this.opts.onAnswer?.();
      for (const [key, end] of ends) {
        // Owned no more (an assignment came during the read): its series was removed and stays so.
        if (!this.owned.has(key)) continue;
        const known = this.opts.position(key) ?? committed.get(key) ?? end.low;
        const position = known > end.low ? known : end.low; // below the log start (retention): it reads from there
        const lag = end.high > position ? end.high - position : 0n;
        this.opts.metrics!.lag(...splitTp(key), Number(lag));
        this.reported.add(key);
      }
      this.failures.succeeded();
    } catch (err) {
      // Not known now: no series rather than the last values read as current; the next interval tries again.
      if (this.stopped) return;
      this.forgetAll();
      this.failures.failed(err);
    }
  }

  /** The group's committed offsets of the owned partitions without a known position (none asked when all are known). */
  private async committedWhereUnknown(byTopic: ReadonlyMap<string, string[]>): Promise<Map<string, bigint>> {
    const topics = [...byTopic].filter(([, keys]) => keys.some((k) => this.opts.position(k) === undefined)).map(([topic]) => topic);
    const out = new Map<string, bigint>();
    if (topics.length === 0) return out;
    for (const t of await this.opts.admin.fetchOffsets({ groupId: this.opts.groupId, topics })) {
      for (const p of t.partitions) {
        const offset = BigInt(p.offset);
        const key = byTopic.get(t.topic)?.find((k) => splitTp(k)[1] === p.partition);
        if (key !== undefined && offset >= 0n) out.set(key, offset); // −1: no commit, the consumer starts at the log start
      }
    }
    return out;
  }
}
