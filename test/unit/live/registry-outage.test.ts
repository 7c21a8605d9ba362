/**
 * A schema-registry outage in live mode (SPEC §4.7), on the stand-in Kafka
 * client with the runner's wall clock, its idle ticks and its backpressure
 * timer virtual. The decoder is the real registry decoder over a stand-in
 * registry that refuses connections while `down`; its backoff sleeps until
 * the test says the registry is back.
 *
 * Records held by the decoder count as consumed, so the broker says nothing
 * is left past the consumed position. They used to let every partition go
 * idle: event time moved on at wall-clock speed and, once the registry
 * answered, the held records were behind the frontier — late. And every
 * record fetched meanwhile queued in memory behind the held one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hydration, moveWallClock, NOW, startStandInRunner, type StandInRunner } from '../../helpers/stand-in-runner.js';
import type { BatchRecord } from '../../helpers/stand-in-kafka.js';
import { createRegistryDecoder } from '../../../schemas/registry/registry-decoder.js';
import type { AvroRegistry } from '../../../schemas/registry/registry-client.js';
import { toWireFormat } from '../../../schemas/registry/wire-format.js';
import type { LiveMetrics } from '../../../engine/live/live-metrics.js';
import type { AuditRecord, Fact } from '../../../processors/facts.js';
import { LiveAudit } from '../../../engine/live/live-audit.js';
import { silentLogger } from '../../../lib/logger.js';

/** A stand-in registry: schema id 1 "decodes" a JSON body; while `down`, every call fails as a refused connection. */
function outageRegistry() {
  const state = { down: true, wake: [] as Array<() => void> };
  const registry = {
    async decode(buffer: Buffer) {
      if (state.down) throw Object.assign(new Error('Error, status 400: connect ECONNREFUSED 127.0.0.1:8081'), { status: 400 });
      return JSON.parse(buffer.subarray(5).toString('utf8'));
    },
  } as unknown as AvroRegistry;
  const decoder = createRegistryDecoder({
    registry,
    // The backoff waits until the registry is back (virtual: no timer).
    retry: { sleep: () => new Promise<void>((resolve) => state.wake.push(resolve)) },
  });
  const up = () => {
    state.down = false;
    for (const wake of state.wake.splice(0)) wake();
  };
  return { decoder, up };
}

/** `record` (a JSON hydration event) as Avro in the Confluent wire format, schema id 1. */
function asAvro(record: BatchRecord): BatchRecord {
  return { key: record.key, value: toWireFormat(1, Buffer.from(record.value)) };
}

const T0 = NOW - 1000;

let h: StandInRunner;

afterEach(async () => {
  await h.runner.stop();
  vi.useRealTimers();
});

/** Moves the runner's wall clock and its idle ticks on by `ms`. */
const wallClock = (ms: number): Promise<void> => moveWallClock(h, ms);

describe('a schema-registry outage in a quiet spell', () => {
  it('holds event time while a good Avro record waits for the registry: it is processed as an event, not late', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    const { decoder, up } = outageRegistry();
    const facts: Fact[] = [];
    h = await startStandInRunner({ decoder, onFact: (f) => facts.push(f) });
    const H = h.topics.hydration;
    await h.member.batch(H, 0, 0, [hydration('json-1', T0)]);
    await h.member.batch(H, 0, 1, [asAvro(hydration('avro-1', T0 + 1000))]);
    expect(decoder.waitingForRegistry).toBe(true);
    // Two minutes of outage: far past the idle timeout (10 s) and twice the allowed lateness (2 × 30 s).
    await wallClock(120_000);
    const handled = () => facts.flatMap((f) => (f.kind === 'event' || f.kind === 'late' ? [[f.envelope.event.eventId, f.kind]] : []));
    expect(handled()).toEqual([]); // event time stayed at the last event: nothing released, no timer fired
    up();
    await wallClock(120_000); // the partition is idle for good now: event time moves on and releases both
    expect(handled()).toEqual([
      ['json-1', 'event'],
      ['avro-1', 'event'],
    ]);
    expect(h.runner.counters().late).toBe(0);
  });
});

describe('backpressure on records waiting to be decoded', () => {
  it('stops taking batches while more than 10 000 records wait for the registry, heartbeating and ticking meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    const { decoder, up } = outageRegistry();
    const paused: boolean[] = [];
    let ticks = 0;
    const metrics = new Proxy({} as LiveMetrics, {
      get: (_, name) => (name === 'paused' ? (p: boolean) => paused.push(p) : name === 'observeEngine' ? () => ticks++ : () => undefined),
    });
    // The audit trail hears the pause and its end, with the reason (engine/live/live-audit.ts).
    const audited: AuditRecord[] = [];
    const audit = new LiveAudit({
      writer: { write: (f: Fact) => void (f.kind === 'audit' && audited.push(f.record)) },
      instanceId: 'stand-in',
      runId: 'run-1',
      groupId: 'g',
      logger: silentLogger,
      minIntervalMs: 0,
    });
    const consumption = () => audited.filter((r) => r.action.startsWith('consumption.')).map((r) => [r.action, r.details.reason]);
    h = await startStandInRunner({ decoder, metrics, audit });
    const H = h.topics.hydration;
    // A held Avro record, then JSON records behind it: every one waits, in memory, to keep the order.
    await h.member.batch(H, 0, 0, [asAvro(hydration('avro-0', T0))]);
    await h.member.batch(H, 0, 1, Array.from({ length: 5_000 }, (_, i) => hydration(`j-${i}`, T0 + i)));
    let done = false;
    const third = h.member.batch(H, 0, 5_001, Array.from({ length: 5_000 }, (_, i) => hydration(`k-${i}`, T0 + i)), 100_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false); // 10 001 records wait: the next batch is not fetched
    const beats = h.member.heartbeats;
    const ticksBefore = ticks;
    await wallClock(60_000); // twice the session timeout
    expect(done).toBe(false);
    expect(h.runner.consumedRecords).toBe(10_001);
    expect(h.member.heartbeats - beats).toBeGreaterThanOrEqual(19); // every 3 s (a tenth of the session timeout)
    expect(ticks - ticksBefore).toBeGreaterThan(200); // idle ticks (metrics, commits) are not held up by the wait
    expect(paused).toEqual([true]);
    expect(consumption()).toEqual([['consumption.paused', 'registry_unavailable']]);
    up();
    await vi.advanceTimersByTimeAsync(0);
    await third;
    expect(paused).toEqual([true, false]);
    expect(consumption()).toEqual([
      ['consumption.paused', 'registry_unavailable'],
      ['consumption.resumed', 'registry_unavailable'],
    ]);
    // Paused from the first heartbeat of the wait (3 s: pauses shorter than that are not reported) to the registry's return.
    expect(audited.find((r) => r.action === 'consumption.resumed')!.details.pausedMs).toBe(60_000 - 3_000);
    expect(h.runner.counters().records).toBe(10_001);
  });

  it('takes batches without waiting while the registry answers (its records are decoded within the batch)', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    const { decoder, up } = outageRegistry();
    up();
    h = await startStandInRunner({ decoder });
    const H = h.topics.hydration;
    for (let b = 0; b < 3; b++) {
      await h.member.batch(H, 0, b * 20_000, Array.from({ length: 20_000 }, (_, i) => asAvro(hydration(`a-${b}-${i}`, T0 + i))));
    }
    expect(h.runner.consumedRecords).toBe(60_000);
    expect(h.member.heartbeats).toBe(3); // one per batch: none of them waited
  });
});
