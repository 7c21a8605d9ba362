/**
 * A LiveRunner on the stand-in Kafka client (stand-in-kafka.ts), on a
 * virtual wall clock: the test joins it to its group, hands it batches and
 * moves the clock. Its idle ticks run on a real 250 ms interval; tests that
 * want them on virtual time too fake `setInterval` (vitest's fake timers).
 */
import { vi } from 'vitest';
import { LiveRunner } from '../../engine/live/live-runner.js';
import type { LiveRunnerOptions } from '../../engine/live/live-runner-options.js';
import { loadConfig } from '../../config/env-config.js';
import { defaultAlertsConfig } from '../../config/alerts-config.js';
import { capturingLogger } from './capturing-logger.js';
import { StandInKafka, type BatchRecord, type StandInConsumer } from './stand-in-kafka.js';

export const NOW = Date.parse('2026-11-27T13:00:00.000Z');

export interface LogLine {
  level: number;
  msg?: string;
  err?: { message?: string };
}

export interface StandInRunner {
  kafka: StandInKafka;
  runner: LiveRunner;
  /** The runner's group member: `batch` hands it records. */
  member: StandInConsumer;
  /** The runner's wall clock (ms); move it by hand. */
  clock: { now: number };
  logs: LogLine[];
  topics: ReturnType<typeof loadConfig>['kafka']['topics'];
}

/** A started runner, a member of its group with every partition of the input topics (`partitions` each). */
export async function startStandInRunner(
  options: {
    partitions?: number;
    /** Runs inside each send and sendOffsets of a transaction (StandInKafka): a rejection fails the commit. */
    during?: () => Promise<void>;
  } & Partial<Pick<LiveRunnerOptions, 'onFact' | 'idleTimeoutMs' | 'commitIntervalMs' | 'decoder' | 'metrics' | 'audit' | 'writer'>> = {},
): Promise<StandInRunner> {
  const partitions = options.partitions ?? 1;
  const config = loadConfig({});
  const kafka = new StandInKafka(partitions, options.during);
  const clock = { now: NOW };
  const logs: LogLine[] = [];
  const runner = new LiveRunner({
    kafka: kafka.client,
    config,
    alerts: defaultAlertsConfig(),
    logger: capturingLogger(logs),
    writer: options.writer ?? null,
    changelogTopic: config.kafka.internalTopics.stateChangelog,
    instanceId: 'stand-in',
    commitIntervalMs: options.commitIntervalMs ?? 1000,
    idleTimeoutMs: options.idleTimeoutMs ?? 10_000,
    onFact: options.onFact,
    decoder: options.decoder,
    metrics: options.metrics,
    audit: options.audit,
    now: () => clock.now,
  });
  await runner.start();
  const member = kafka.consumer(config.kafka.groupId);
  const topics = config.kafka.topics;
  const all = Array.from({ length: partitions }, (_, p) => p);
  member.join({ [topics.promotion]: all, [topics.hydration]: all, [topics.index]: all });
  return { kafka, runner, member, clock, logs, topics };
}

/**
 * Moves the runner's wall clock and its timers on by `ms`, a quarter second
 * at a time (the idle ticks' period): for tests that fake `setInterval`.
 * The member heartbeats meanwhile, as kafkajs does after its idle fetches
 * (a member that does not is removed by its group: engine/live/membership.ts).
 */
export async function moveWallClock(h: StandInRunner, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 250) {
    h.clock.now += 250;
    h.member.beat();
    await vi.advanceTimersByTimeAsync(250);
  }
}

/** A valid hydration event of `prod/<artifact>` at event time `at`, as a record. */
export function hydration(eventId: string, at: number, artifact = 'app'): BatchRecord {
  const event = {
    type: 'hydration',
    eventId,
    occurredAt: new Date(at).toISOString(),
    env: 'prod',
    artifact,
    ruleId: 'r',
    instance: 'i',
    inputDigest: 'sha256:aa',
    outputDigest: 'sha256:bb',
    durationMs: 1,
    status: 'ok',
  };
  return { key: `prod/${artifact}`, value: JSON.stringify(event) };
}

/** A record that cannot be decoded: a dead letter. */
export function undecodable(): BatchRecord {
  return { key: 'prod/app', value: '{"type":"hydration",' };
}
