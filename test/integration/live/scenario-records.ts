/**
 * Input for the live tests, as Kafka records (key `<env>/<artifact>`, each
 * event to its type's topic), and the producer that sends them in order.
 *
 * Why a "tick" ahead of the scenario: in live mode event time is data-driven. The
 * watermark is the minimum over owned partitions of (newest event time −
 * lateness), idle partitions left out, and when every partition is idle it
 * only moves on at wall-clock speed. Replay advances to +∞ at end of input;
 * a live engine never sees an "end". One tick per partition (an `ok` index
 * event of an unmanaged key `tick/p<n>`, at the time of the test, long after
 * every scenario) moves every
 * partition's watermark past every timer the scenario can set (grace,
 * escalation, source TTL, MTTR breach), so both runs fire the same timers.
 * The ticks themselves are never released in live mode (nothing passes them)
 * and in replay they only observe an unmanaged key: no incident, no alert.
 */
import { artifactOnPartition } from '../../../topics/key-partition.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs, { type Kafka, type Message } from 'kafkajs';
import { fixturesDir } from '../../helpers/replay-fixture.js';
import { createScenario } from '../../../engine/demo/scenario-generator.js';
import type { ScenarioInput } from '../../../engine/demo/scenario-options.js';
import type { LiveTopics } from './live-env.js';

export type InputType = 'promotion' | 'hydration' | 'index';

export interface InputRecord {
  /** The message value and the NDJSON line of the replay. */
  value: string;
  /** What is produced instead of `value` when set (the same event in Avro, Confluent wire format); replay reads `value`. */
  wire?: Buffer;
  key: string | null;
  /** Topic it goes to; malformed lines go where their producer meant them. */
  type: InputType;
  /** Explicit partition (the ticks, keyed for it: topics/key-partition.ts); otherwise the key decides (murmur2, as the Java client). */
  partition?: number;
  headers?: Record<string, string>;
}

function typeOf(line: string): InputType {
  try {
    const t = (JSON.parse(line) as { type?: unknown }).type;
    if (t === 'promotion' || t === 'hydration' || t === 'index') return t;
  } catch {
    // not JSON: a malformed line, sent to the promotion topic below
  }
  return 'promotion';
}

function keyOf(line: string): string | null {
  try {
    const e = JSON.parse(line) as { env?: unknown; artifact?: unknown };
    return typeof e.env === 'string' && typeof e.artifact === 'string' ? `${e.env}/${e.artifact}` : null;
  } catch {
    return null;
  }
}

/** Lines of a fixture as records; `artifactSuffix` makes a copy with distinct keys (and eventIds). */
export function fixtureRecords(name: string, options: { artifactSuffix?: string; skipEventIds?: RegExp } = {}): InputRecord[] {
  const lines = readFileSync(join(fixturesDir, name), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const out: InputRecord[] = [];
  for (let line of lines) {
    let parsed: Record<string, unknown> | null = null;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) parsed = v as Record<string, unknown>;
    } catch {
      parsed = null;
    }
    if (parsed && options.skipEventIds && typeof parsed.eventId === 'string' && options.skipEventIds.test(parsed.eventId)) continue;
    if (parsed && options.artifactSuffix) {
      if (typeof parsed.artifact === 'string') parsed.artifact += options.artifactSuffix;
      if (typeof parsed.eventId === 'string') parsed.eventId += options.artifactSuffix;
      line = JSON.stringify(parsed);
    }
    out.push(lineRecord(line));
  }
  return out;
}

/** An NDJSON line as its producer sends it: to its type's topic, keyed `<env>/<artifact>`. */
export function lineRecord(line: string): InputRecord {
  return { value: line, key: keyOf(line), type: typeOf(line) };
}

/** A record's occurredAt (epoch ms); −Infinity for a malformed line. */
export function eventTimeOf(r: InputRecord): number {
  try {
    const t = Date.parse(String((JSON.parse(r.value) as { occurredAt?: unknown }).occurredAt));
    return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
}

/**
 * Interleaves streams (e.g. fixtures) by event time, each keeping its own
 * order (its out-of-order lines, duplicates and malformed lines stay where
 * they are relative to its other lines). Concatenating them instead would
 * make a later fixture's events late behind an earlier one's.
 */
export function mergeByEventTime(streams: ReadonlyArray<readonly InputRecord[]>): InputRecord[] {
  const heads = streams.map(() => 0);
  const out: InputRecord[] = [];
  for (;;) {
    let best = -1;
    let bestAt = Number.POSITIVE_INFINITY;
    for (let i = 0; i < streams.length; i++) {
      const r = streams[i]![heads[i]!];
      if (r === undefined) continue;
      const at = eventTimeOf(r);
      if (best === -1 || at < bestAt) {
        best = i;
        bestAt = at;
      }
    }
    if (best === -1) return out;
    out.push(streams[best]![heads[best]!++]!);
  }
}

/**
 * Three copies of every fixture (18 keys, interleaved by event time) with
 * their late lines left out: only per-key rules fire, so what several engine
 * instances produce together is what one produces (env-level rules judge each
 * instance's share: README, Known limits).
 */
export function threeCopiesOfEveryFixture(): InputRecord[] {
  const names = ['lagging-replica', 'failed-canary', 'rollback', 'rogue-version', 'messy-rogue-version', 'nondeterministic-rule'];
  return mergeByEventTime(
    names.flatMap((n, i) => ['a', 'b', 'c'].map((copy) => fixtureRecords(`${n}.ndjson`, { artifactSuffix: `-${copy}${i}`, skipEventIds: /^late-/ }))),
  );
}

/** Records of the demo's synthetic scenario (promotions, observations, injected incidents, a few duplicates and malformed lines). */
export function generatedRecords(input: ScenarioInput): InputRecord[] {
  const out: InputRecord[] = [];
  for (const r of createScenario(input)) out.push({ value: r.value, key: r.key, type: r.type });
  return out;
}

/**
 * The ticks' default time: now. It is far enough ahead of the scenarios (the
 * fixtures' 2026-11-27, the generator's 2026-01-05) and no further than an
 * engine accepts (DRIFTWATCH_MAX_FUTURE_SKEW: a tick in 2099 is dead-lettered
 * as a broken clock would be).
 */
export const tickTime = (): string => new Date().toISOString();

/** One tick per partition of the index topic (see the module comment). */
export function tickRecords(partitions: number, occurredAt = tickTime()): InputRecord[] {
  return Array.from({ length: partitions }, (_, p) => {
    // Keyed as a producer must key it, on the partition murmur2 of the key gives (else it is dead-lettered, wrong_partition).
    const artifact = artifactOnPartition('tick', `p${p}`, p, partitions);
    const event = { type: 'index', eventId: `tick-${occurredAt}-p${p}`, occurredAt, env: 'tick', artifact, op: 'read', instance: 'tick', servedDigest: 'sha256:tick', latencyMs: 1, status: 'ok' };
    return { value: JSON.stringify(event), key: `tick/${artifact}`, type: 'index' as const, partition: p };
  });
}

/** Per `<topic>#<partition>`, how many tick records it holds (never committed past in live mode). */
export function heldTicks(topics: LiveTopics, ticks: readonly InputRecord[]): Map<string, number> {
  const held = new Map<string, number>();
  for (const t of ticks) {
    const k = `${topics[t.type]}#${t.partition}`;
    held.set(k, (held.get(k) ?? 0) + 1);
  }
  return held;
}

/**
 * Sends records in the given order, `chunk` at a time, each chunk as one
 * request across the three topics: consumption then sees the topics advance
 * together, as with real producers, instead of one topic after the other
 * (which would make the lagging topics' events late in live mode).
 */
export async function produceRecords(
  kafka: Kafka,
  topics: LiveTopics,
  records: readonly InputRecord[],
  options: { chunk?: number; ratePerSec?: number; idempotent?: boolean } = {},
): Promise<void> {
  const chunk = options.chunk ?? 2000;
  // Idempotent: a send retried across a broker restart lands once (the chaos soak compares with replay of each record once).
  const idempotence = options.idempotent ? { idempotent: true, maxInFlightRequests: 1 } : {};
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, ...idempotence });
  await producer.connect();
  try {
    const started = Date.now();
    for (let i = 0; i < records.length; i += chunk) {
      const byTopic = new Map<string, Message[]>();
      for (const r of records.slice(i, i + chunk)) {
        const topic = topics[r.type];
        let list = byTopic.get(topic);
        if (!list) byTopic.set(topic, (list = []));
        list.push({ key: r.key, value: r.wire ?? r.value, ...(r.partition !== undefined ? { partition: r.partition } : {}), ...(r.headers ? { headers: r.headers } : {}) });
      }
      await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      if (options.ratePerSec) {
        const due = started + ((i + chunk) / options.ratePerSec) * 1000;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      }
    }
  } finally {
    await producer.disconnect();
  }
}
