/**
 * Live engines driven by hand through a rebalance: each instance's commits
 * (prepareCommit) go into an in-memory changelog, and a new generation is
 * restored from it with restoreEngine, as `driftwatch run` does on every
 * assignment — without a broker, so event time is moved by the test. Each
 * generation's store writer records what reaches it (`Live.stored`): what a
 * store holds is that, not every fact the engine emitted.
 */
import { advanceEngine, createLiveEngine, type Engine } from '../../../engine/live/live-engine.js';
import { prepareCommit, type PreparedCommit } from '../../../engine/live/commit.js';
import { restoreEngine, type Restored } from '../../../engine/live/restore-engine.js';
import { PartitionPositions } from '../../../engine/live/partition-backlog.js';
import { loadConfig } from '../../../config/env-config.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import type { AlertsConfig } from '../../../config/alert-rules.js';
import type { DriftwatchConfig } from '../../../config/env-config.js';
import type { Fact } from '../../../processors/facts.js';
import type { ChangelogReader } from '../../../engine/live/changelog-reader.js';
import type { TransactionalProducer } from '../../../engine/live/transactional-producer.js';
import type { StoreWriter } from '../../../store/store-writer.js';

export const config = loadConfig({});
export const T = config.kafka.topics;
const inputTopics = [T.promotion, T.hydration, T.index];
const NOW = Date.parse('2026-11-27T13:00:00.000Z');

/** The compacted state changelog: the latest value of each key, per partition. */
export class Changelog {
  private readonly parts = new Map<number, Map<string, string>>();

  apply(messages: Array<{ key?: unknown; value?: unknown; partition?: number }>): void {
    for (const m of messages) {
      const p = m.partition ?? 0;
      let map = this.parts.get(p);
      if (!map) this.parts.set(p, (map = new Map()));
      if (m.value === null || m.value === undefined) map.delete(String(m.key));
      else map.set(String(m.key), String(m.value));
    }
  }

  reader(): ChangelogReader {
    return {
      waitForMarker: async () => undefined,
      entries: (p: number) => [...(this.parts.get(p) ?? new Map<string, string>()).entries()],
      get: (p: number, k: string) => this.parts.get(p)?.get(k),
    } as unknown as ChangelogReader;
  }
}

const fakeProducer = { run: async (fn: (tx: unknown) => Promise<unknown>) => fn({ send: async () => undefined }) } as unknown as TransactionalProducer;

/**
 * A store writer that keeps nothing but the facts handed to it, in that order, each with the instance whose share
 * its env-level rows are (`instanceId`'s own unless the engine names another: a departed instance's share).
 */
function recordingWriter(instanceId: string, record: (fact: Fact, instanceId: string) => void): StoreWriter {
  const write = (fact: Fact, share?: string) => record(fact, share ?? instanceId);
  return {
    write,
    // Synchronous: an async function runs up to its first await.
    writeNow: async (facts: Iterable<{ fact: Fact; instanceId?: string }>) => {
      for (const { fact, instanceId: share } of facts) write(fact, share);
    },
    writeDeadLetter: () => undefined,
    flush: async () => undefined,
    waitForCapacity: async () => undefined,
    onFailure: () => () => undefined,
    onOutage: () => () => undefined,
    pendingRows: 0,
    retrying: false,
    failure: undefined,
  } as unknown as StoreWriter;
}

/** One engine generation of one instance, and every fact it produced. */
export interface Live {
  engine: Engine;
  facts: Fact[];
  /** What its store writer was handed, in that order (logicalStore's input, with `storedBy`). */
  stored: Fact[];
  /** The instance whose row a stored fact is (env-level rows carry it as `instance_id`). */
  storedBy: (fact: Fact) => string;
  /** Its store writer (recording). */
  writer: StoreWriter;
  /** What the restore found: committed offsets of the owned partitions, shares adopted. */
  restored: Restored;
}

export interface GenerationOptions {
  /** The wall clock (fixed). */
  now?: number;
  /** Engine configuration (default: every option's default). */
  config?: DriftwatchConfig;
  /** The group's instance ids (default: `instanceId` alone); an instance with a `w/` record outside it is a departed share. */
  members?: readonly string[];
  /** Told of every fact as well (`Live.facts` holds this generation's). */
  onFact?: (fact: Fact) => void;
  /** Told of every fact the store writer is handed as well, and whose row it is (`Live.stored` holds this generation's). */
  onStored?: (fact: Fact, instanceId: string) => void;
}

/** A new generation of `instanceId`, restored from `log` for the given partitions (the same numbers in each input), with `alerts` (alerts.yaml). */
export async function startGeneration(
  log: Changelog,
  instanceId: string,
  partitions: number[],
  generation = 1,
  alerts: AlertsConfig = defaultAlertsConfig(),
  options: GenerationOptions = {},
): Promise<Live> {
  const facts: Fact[] = [];
  const now = options.now ?? NOW;
  const onFact = (f: Fact) => {
    facts.push(f);
    options.onFact?.(f);
  };
  const stored: Fact[] = [];
  const storedBy = new WeakMap<Fact, string>();
  const writer = recordingWriter(instanceId, (f, by) => {
    stored.push(f);
    storedBy.set(f, by);
    options.onStored?.(f, by);
  });
  const engine = createLiveEngine(
    { config: options.config ?? config, alerts, writer, idleTimeoutMs: 10_000, now: () => now, onFact },
    generation,
  );
  const restored = await restoreEngine(engine, {
    reader: log.reader(),
    producer: fakeProducer,
    changelogTopic: 'state-changelog',
    instanceId,
    inputTopics,
    assignment: Object.fromEntries(inputTopics.map((t) => [t, partitions])),
    positions: new PartitionPositions(),
    now: () => now,
    groupInstanceIds: async () => new Set(options.members ?? [instanceId]),
  });
  return { engine, facts, stored, storedBy: (f) => storedBy.get(f)!, writer, restored };
}

/**
 * A commit of the instance's state and positions into the changelog (its outputs are in `facts`), with the
 * env-level rows it covers stored (publishCommit stores them right before its transaction commits, which here
 * always succeeds); returns the messages it produces, by topic.
 */
export function commit(live: Live, log: Changelog, instanceId: string): PreparedCommit['byTopic'] {
  const prepared = prepareCommit(live.engine, instanceId, NOW);
  void live.writer.writeNow(prepared.held);
  log.apply(prepared.changelog as Array<{ key?: unknown; value?: unknown; partition?: number }>);
  return prepared.byTopic;
}

/** A record consumed from `topic`/`partition` at `offset` (skipped, as the runner does, when the restored checkpoint covers it). */
export function push(live: Live, topic: string, partition: number, offset: number, record: Record<string, unknown> | string): void {
  if (live.engine.tracker.shouldSkip(topic, partition, String(offset))) return;
  live.engine.tracker.consumed(topic, partition, String(offset));
  // A string: the record's value as produced (an NDJSON line), pushed byte for byte.
  const event = typeof record === 'string' ? (JSON.parse(record) as Record<string, unknown>) : record;
  live.engine.pipeline.push({
    value: Buffer.from(typeof record === 'string' ? record : JSON.stringify(event)),
    key: Buffer.from(`${event.env}/${event.artifact}`),
    source: { topic, partition, offset: String(offset) },
    expectedType: event.type as 'promotion',
  });
}

/** Event time moved by the runner (the combined watermark's frontier). */
export function advance(live: Live, hms: string): void {
  advanceEngine(live.engine, at(hms));
}

export const at = (hms: string) => Date.parse(`2026-11-27T${hms}.000Z`);
export const iso = (hms: string) => `2026-11-27T${hms}.000Z`;
