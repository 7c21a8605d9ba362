/**
 * Live engines driven by hand through a rebalance: each instance's commits
 * (prepareCommit) go into an in-memory changelog, and a new generation is
 * restored from it with restoreEngine, as `driftwatch run` does on every
 * assignment — without a broker, so event time is moved by the test. A
 * commit is the runner's own (publishCommit) on an in-memory transactional
 * producer whose committed changelog records reach the changelog (a stand-in
 * for the broker, said so; `commit`'s options make the broker refuse the
 * commit request, or the process crash right after it). Each generation's
 * store writer records what reaches it (`Live.stored`): what a store holds is
 * that, not every fact the engine emitted.
 */
import { advanceEngine, createLiveEngine, type Engine } from '../../../engine/live/live-engine.js';
import { prepareCommit, publishCommit, type PreparedCommit } from '../../../engine/live/commit.js';
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
import type { StoreRow } from '../../../store/row-mappers.js';

export const config = loadConfig({});
export const T = config.kafka.topics;
const inputTopics = [T.promotion, T.hydration, T.index];
const CHANGELOG = 'state-changelog';
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

/** What a store writer was handed: a fact, or a row mapped before (the env-level rows of a commit, committed-share-rows.ts). */
export type Stored = Fact | StoreRow;

/**
 * A store writer that keeps nothing but what is handed to it, in that order: facts, each with the instance whose
 * share its env-level rows are (`instanceId`'s own unless the engine names another: a departed instance's share),
 * and rows mapped before (their `instance_id` in them).
 */
function recordingWriter(instanceId: string, record: (stored: Stored, instanceId: string) => void): StoreWriter {
  return {
    write: (fact: Fact, share?: string) => record(fact, share ?? instanceId),
    // Synchronous: an async function runs up to its first await.
    writeNow: async (rows: Iterable<StoreRow>) => {
      for (const row of rows) record(row, String(row.row.instance_id ?? instanceId));
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
  stored: Stored[];
  /** The instance whose row a stored fact is (env-level rows carry it as `instance_id`). */
  storedBy: (stored: Stored) => string;
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
  /** Told of everything the store writer is handed as well, and whose row it is (`Live.stored` holds this generation's). */
  onStored?: (stored: Stored, instanceId: string) => void;
  /** A real changelog to restore from instead of `log` (its reader, the producer of the restore's markers, its topic). */
  broker?: { reader: ChangelogReader; producer: TransactionalProducer; changelogTopic: string };
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
  const stored: Stored[] = [];
  const storedBy = new WeakMap<Stored, string>();
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
    reader: options.broker?.reader ?? log.reader(),
    producer: options.broker?.producer ?? fakeProducer,
    changelogTopic: options.broker?.changelogTopic ?? CHANGELOG,
    instanceId,
    inputTopics,
    assignment: Object.fromEntries(inputTopics.map((t) => [t, partitions])),
    positions: new PartitionPositions(),
    now: () => now,
    groupInstanceIds: async () => new Set(options.members ?? [instanceId]),
    writer,
  });
  return { engine, facts, stored, storedBy: (f) => storedBy.get(f)!, writer, restored };
}

/** A transactional producer whose committed changelog records reach `log`; `refused`: the broker refuses the commit request. */
function changelogProducer(log: Changelog, refused?: Error): TransactionalProducer {
  type Sent = { topic: string; messages: Array<{ key?: unknown; value?: unknown; partition?: number }> };
  return {
    run: async <T>(work: (tx: unknown) => Promise<T>): Promise<T> => {
      const sent: Sent['messages'] = [];
      const tx = { send: async ({ topic, messages }: Sent) => void (topic === CHANGELOG && sent.push(...messages)), sendOffsets: async () => undefined };
      const result = await work(tx);
      if (refused) throw refused;
      log.apply(sent);
      return result;
    },
  } as unknown as TransactionalProducer;
}

/**
 * A commit of the instance's state and positions into the changelog (its outputs are in `facts`), the runner's own
 * (publishCommit), with the env-level rows it covers stored once it has committed; returns the messages it
 * produces, by topic. `crashAfterCommit`: the process crashes once the transaction has committed, before the store
 * has those rows.
 */
export async function commit(live: Live, log: Changelog, instanceId: string, options: { crashAfterCommit?: boolean } = {}): Promise<PreparedCommit['byTopic']> {
  const prepared = prepareCommit(live.engine, instanceId, NOW);
  const writer = options.crashAfterCommit ? ({ ...(live.writer as object), writeNow: async () => undefined } as unknown as StoreWriter) : live.writer;
  await publishCommit({ producer: changelogProducer(log), writer, changelogTopic: CHANGELOG, groupId: 'g', notMember: () => undefined }, prepared);
  return prepared.byTopic;
}

/** A commit whose commit request the broker refuses (its coordinator moved, say): nothing of it is in the changelog. */
export async function refusedCommit(live: Live, log: Changelog, instanceId: string): Promise<void> {
  const refused = new Error('the broker refused the commit request');
  const target = { producer: changelogProducer(log, refused), writer: live.writer, changelogTopic: CHANGELOG, groupId: 'g', notMember: () => undefined };
  const failed = await publishCommit(target, prepareCommit(live.engine, instanceId, NOW)).then(
    () => null,
    (err: unknown) => err,
  );
  if (failed !== refused) throw new Error(`refusedCommit: the commit ${failed === null ? 'went through' : `failed otherwise: ${String(failed)}`}`);
}

/**
 * A record consumed from `topic`/`partition` at `offset` (skipped, as the runner does, when the restored checkpoint
 * covers it). A string: the record's value as produced (an NDJSON line), pushed byte for byte — keyed by its env and
 * artifact, or without a key when it has none (an unreadable line: a dead letter).
 */
export function push(live: Live, topic: string, partition: number, offset: number, record: Record<string, unknown> | string): void {
  if (live.engine.tracker.shouldSkip(topic, partition, String(offset))) return;
  live.engine.tracker.consumed(topic, partition, String(offset));
  const event = typeof record === 'string' ? parsed(record) : record;
  live.engine.pipeline.push({
    value: Buffer.from(typeof record === 'string' ? record : JSON.stringify(event)),
    key: event?.env === undefined ? null : Buffer.from(`${event.env}/${event.artifact}`),
    source: { topic, partition, offset: String(offset) },
    // The event's own type (as before, so a test may push any event on any input); an unreadable line: the topic's.
    expectedType: (event?.type as 'promotion' | undefined) ?? topicTypes[topic],
  });
}

const topicTypes: Record<string, 'promotion' | 'hydration' | 'index'> = { [T.promotion]: 'promotion', [T.hydration]: 'hydration', [T.index]: 'index' };

function parsed(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Event time moved by the runner (the combined watermark's frontier). */
export function advance(live: Live, hms: string): void {
  advanceEngine(live.engine, at(hms));
}

export const at = (hms: string) => Date.parse(`2026-11-27T${hms}.000Z`);
export const iso = (hms: string) => `2026-11-27T${hms}.000Z`;
