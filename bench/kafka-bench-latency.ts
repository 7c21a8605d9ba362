/**
 * Drift-alert latency in live mode: producers send at a steady rate with
 * event time = wall time (the demo generator's keys and sources, no jitter,
 * no injected incidents of its own), and every `injectEveryMs` one divergent
 * observation goes to a fresh key `bench/rogue-<n>`. Latency is the wall
 * time from starting to produce the divergent event to its `firing` alert
 * being readable on the alert topic by a read_committed consumer.
 *
 * The bench keys are promoted first, an hour back in event time: right
 * after a key's first desired state every digest is acceptable for the
 * convergence grace (replicas still run what they ran before), so a key
 * promoted a moment before its rogue observation would only drift 120 s
 * later, by timer.
 *
 * An event is judged once it is final: the frontier (newest event time −
 * 2 × allowed lateness, minimum over partitions) must pass it, so the
 * latency floor is about 2 × DRIFTWATCH_ALLOWED_LATENESS plus batching,
 * the store flush and the transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createScenario } from '../engine/demo/scenario-generator.js';
import { benchProducer, sendRecords, type BenchDeployment, type BenchRecord } from './kafka-bench-setup.js';

export interface LatencyOptions {
  ratePerSec: number;
  durationMs: number;
  keys: number;
  injectEveryMs: number;
  /** No injection before this (the group settles, every partition has data). */
  warmupMs: number;
}

export interface LatencyResult {
  sent: number;
  achievedRatePerSec: number;
  injected: number;
  fired: number;
  latenciesMs: number[];
}

const SOURCES_PER_KEY = 5; // the generator's default 3 replicas + 2 index instances

const artifactOf = (i: number) => `rogue-${i}`;
const head = (i: number, t: number) => ({ occurredAt: new Date(t).toISOString(), env: 'bench', artifact: artifactOf(i) });

/** The promotion of bench key i (started + succeeded at `at`). */
function promotion(i: number, at: number): BenchRecord[] {
  const promo = (phase: string, n: number) =>
    JSON.stringify({ ...head(i, at), type: 'promotion', eventId: `bench-${i}-p${n}`, promotionId: `bench-${i}`, phase, version: '1.0.0', digest: 'sha256:good' });
  return [
    { type: 'promotion', key: `bench/${artifactOf(i)}`, value: promo('started', 1) },
    { type: 'promotion', key: `bench/${artifactOf(i)}`, value: promo('succeeded', 2) },
  ];
}

/** A divergent observation of bench key i at `at`. */
function rogue(i: number, at: number): BenchRecord {
  return {
    type: 'index',
    key: `bench/${artifactOf(i)}`,
    value: JSON.stringify({ ...head(i, at), type: 'index', eventId: `bench-${i}-rogue`, op: 'read', instance: 'rogue', servedDigest: 'sha256:rogue', latencyMs: 3, status: 'ok' }),
  };
}

/** Records every firing drift alert of env `bench` with the wall time it became readable. */
async function alertWatcher(kafka: Kafka, topic: string) {
  const consumer = kafka.consumer({ groupId: `dwbench.alerts.${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  const seen = new Map<string, number>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const now = Date.now();
      const a = JSON.parse(message.value?.toString('utf8') ?? '{}') as { rule?: string; status?: string; labels?: Record<string, string> };
      if (a.rule === 'drift_detected' && a.status === 'firing' && a.labels?.env === 'bench' && a.labels.artifact && !seen.has(a.labels.artifact)) seen.set(a.labels.artifact, now);
    },
  });
  return { seen, stop: () => consumer.disconnect() };
}

export async function measureLatency(kafka: Kafka, d: BenchDeployment, o: LatencyOptions): Promise<LatencyResult> {
  const watcher = await alertWatcher(kafka, d.topics.alerts);
  const producer = await benchProducer(kafka);
  const started = Date.now() + 200;
  const scenario = createScenario({
    seed: 42,
    keys: o.keys,
    startAt: started,
    spanMs: o.durationMs + 10 * 60_000,
    observeEveryMs: Math.round((1000 * o.keys * SOURCES_PER_KEY) / o.ratePerSec),
    jitterMs: 0,
    incidentRate: 0,
    duplicateRate: 0,
    malformedRate: 0,
  });
  const sentAt = new Map<string, number>();
  let nextInjection = started + o.warmupMs;
  let injected = 0;
  let sent = 0;
  try {
    const keysNeeded = Math.ceil(o.durationMs / o.injectEveryMs) + 1;
    const promotions = Array.from({ length: keysNeeded }, (_, i) => promotion(i, started - 3_600_000)).flat();
    await sendRecords(producer, d, promotions);
    for (;;) {
      const now = Date.now();
      if (now >= started + o.durationMs) break;
      const batch: BenchRecord[] = [];
      for (let r = scenario.peek(); r !== undefined && r.sendAt <= now; r = scenario.peek()) {
        scenario.next();
        batch.push({ value: r.value, key: r.key, type: r.type });
      }
      const rogueNow: string[] = [];
      if (now >= nextInjection && now < started + o.durationMs - 2000) {
        batch.push(rogue(injected, now));
        rogueNow.push(artifactOf(injected++));
        nextInjection += o.injectEveryMs;
      }
      if (batch.length > 0) {
        for (const a of rogueNow) sentAt.set(a, now);
        await sendRecords(producer, d, batch);
        sent += batch.length;
      }
      // Every 50 ms: event time stays within 50 ms of wall time, and the producer (same machine) stays light.
      const wait = 50 - (Date.now() - now);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    // Keep event time moving while the last alerts come in.
    const tailEnd = Date.now() + 15_000;
    while (Date.now() < tailEnd && [...sentAt.keys()].some((a) => !watcher.seen.has(a))) {
      const now = Date.now();
      const batch: BenchRecord[] = [];
      for (let r = scenario.peek(); r !== undefined && r.sendAt <= now; r = scenario.peek()) {
        scenario.next();
        batch.push({ value: r.value, key: r.key, type: r.type });
      }
      if (batch.length > 0) await sendRecords(producer, d, batch);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await producer.disconnect();
    await watcher.stop();
  }
  const latenciesMs = [...sentAt].filter(([a]) => watcher.seen.has(a)).map(([a, t]) => watcher.seen.get(a)! - t);
  return { sent, achievedRatePerSec: sent / (o.durationMs / 1000), injected: sentAt.size, fired: latenciesMs.length, latenciesMs };
}
