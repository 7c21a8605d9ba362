/**
 * Creates and verifies driftwatch's topics through the kafkajs admin client.
 *
 * Idempotent: existing topics are verified, never altered; only missing ones
 * are created. Every check runs BEFORE anything is created, so a broken
 * cluster (e.g. inputs with different partition counts) is reported without
 * adding more topics to it. Creating concurrently with another instance is
 * fine: "already exists" counts as exists, and the result is re-verified.
 */
import kafkajs, { type Admin } from 'kafkajs';
import { ConfigError, DriftwatchError, KafkaError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { whileAwaitingNewTopics } from './kafkajs-log-level.js';
import { checkCoPartitioning, topicWarnings, type ExistingTopic } from './topic-checks.js';
import type { TopicDefinition, TopicId, TopicRole } from './topic-definitions.js';

export interface TopicReport {
  name: string;
  id: TopicId;
  role: TopicRole;
  status: 'created' | 'exists';
  partitions: number;
  replication: number;
  /** How an existing topic differs from its definition (left as it is). Empty = ok. */
  warnings: string[];
}

export interface EnsureTopicsOptions {
  /** false = verify only: missing topics are an error (start-up check of `driftwatch run`). Default true. */
  create?: boolean;
  logger?: Logger;
}

/** Reads partition count, replication and the defined configs of every listed topic that exists. */
export async function describeTopics(admin: Admin, definitions: readonly TopicDefinition[]): Promise<Map<string, ExistingTopic>> {
  const names = new Set(await admin.listTopics());
  const present = definitions.filter((d) => names.has(d.name));
  const result = new Map<string, ExistingTopic>();
  if (present.length === 0) return result;
  const { topics } = await admin.fetchTopicMetadata({ topics: present.map((d) => d.name) });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((d) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name: d.name, configNames: Object.keys(d.configs) })),
  });
  for (const t of topics) {
    const replicas = t.partitions.map((p) => p.replicas.length);
    const resource = described.resources.find((r) => r.resourceName === t.name);
    const configs: Record<string, string> = {};
    for (const e of resource?.configEntries ?? []) configs[e.configName] = e.configValue;
    result.set(t.name, { partitions: t.partitions.length, replication: replicas.length ? Math.min(...replicas) : 0, configs });
  }
  return result;
}

/** Error types kafkajs reports per topic on CreateTopics; some are configuration mistakes. */
function creationFailure(definition: TopicDefinition, err: unknown): DriftwatchError {
  const errors = err instanceof kafkajs.KafkaJSAggregateError ? err.errors : [err];
  const types = errors.map((e) => (e as { type?: string }).type).filter((t): t is string => typeof t === 'string');
  const reason = errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
  const what = `creating ${definition.name} (${definition.partitions} partitions, replication ${definition.replication})`;
  if (types.includes('INVALID_REPLICATION_FACTOR')) {
    return new ConfigError('DRIFTWATCH_REPLICATION', `${what} failed: ${reason}; it must not exceed the number of brokers`, { cause: err });
  }
  if (types.includes('INVALID_PARTITIONS')) {
    return new ConfigError('DRIFTWATCH_PARTITIONS', `${what} failed: ${reason}`, { cause: err });
  }
  return new KafkaError(`${what} failed: ${reason}`, { cause: err, canRetry: !types.includes('POLICY_VIOLATION') });
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries?: Array<{ name: string; value: string }>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * createTopics, then waits until every partition has a leader. kafkajs' own
 * `waitForLeaders` gives up when a KRaft broker has not yet published the new
 * topic's metadata (UNKNOWN_TOPIC_OR_PARTITION right after creation), so the
 * wait is done here, retrying that error until `timeoutMs`.
 * Returns true when kafkajs created at least one topic (false: all existed).
 */
export async function createTopicsAndWait(admin: Admin, topics: TopicSpec[], timeoutMs = 30_000): Promise<boolean> {
  const created = await admin.createTopics({ waitForLeaders: false, topics });
  // The retried "not there yet" answers below are expected: logged at debug, not as warnings (kafkajs-log-level.ts).
  return whileAwaitingNewTopics(() => waitForLeaders(admin, topics, timeoutMs, created));
}

async function waitForLeaders(admin: Admin, topics: TopicSpec[], timeoutMs: number, created: boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
      const ready = topics.every((t) => {
        const m = meta.find((x) => x.name === t.topic);
        return m !== undefined && m.partitions.length >= t.numPartitions && m.partitions.every((p) => p.leader >= 0);
      });
      if (ready) return created;
    } catch (err) {
      const type = (err as { type?: string }).type;
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw err;
    }
    if (Date.now() > deadline) throw new KafkaError(`topics ${topics.map((t) => t.topic).join(', ')} have no partition leaders after ${timeoutMs} ms`, { canRetry: true });
    await sleep(100);
  }
}

/** Creates one topic; true = created by us, false = someone else created it first. */
async function createTopic(admin: Admin, d: TopicDefinition): Promise<boolean> {
  try {
    return await createTopicsAndWait(admin, [
      {
        topic: d.name,
        numPartitions: d.partitions,
        replicationFactor: d.replication,
        configEntries: Object.entries(d.configs).map(([name, value]) => ({ name, value })),
      },
    ]);
  } catch (err) {
    throw creationFailure(d, err);
  }
}

/**
 * Makes sure every defined topic exists with a compatible layout and returns
 * one report per definition, in definition order.
 * Throws ConfigError / KafkaError (see topic-checks.ts) when it cannot be used.
 */
export async function ensureTopics(
  admin: Admin,
  definitions: readonly TopicDefinition[],
  options: EnsureTopicsOptions = {},
): Promise<TopicReport[]> {
  const create = options.create ?? true;
  const before = await describeTopics(admin, definitions);
  checkCoPartitioning(definitions, before);
  for (const d of definitions) {
    const t = before.get(d.name);
    if (t) topicWarnings(d, t); // throws for a changelog that is not compacted
  }
  const missing = definitions.filter((d) => !before.has(d.name));
  if (!create && missing.length > 0) {
    throw new KafkaError(`missing topics: ${missing.map((d) => d.name).join(', ')}; create them with \`driftwatch topics create\``);
  }
  const created = new Set<string>();
  for (const d of missing) {
    if (await createTopic(admin, d)) {
      created.add(d.name);
      options.logger?.info({ topic: d.name, partitions: d.partitions, replication: d.replication, configs: d.configs }, 'topic created');
    }
  }
  // Re-verify what is there now: a concurrent creator may have used other settings.
  const after = missing.length === created.size ? before : await describeTopics(admin, definitions);
  if (after !== before) checkCoPartitioning(definitions, after);
  return definitions.map((d) => {
    if (created.has(d.name)) {
      return { name: d.name, id: d.id, role: d.role, status: 'created', partitions: d.partitions, replication: d.replication, warnings: [] };
    }
    const t = after.get(d.name);
    if (!t) throw new KafkaError(`topic ${d.name} was reported as existing but cannot be described; try again`, { canRetry: true });
    return { name: d.name, id: d.id, role: d.role, status: 'exists', partitions: t.partitions, replication: t.replication, warnings: topicWarnings(d, t) };
  });
}

/** One line per topic: `<name>  created (6 partitions)` / `exists (6 partitions, ok)` / `exists (6 partitions; <warnings>)`. */
export function formatTopicReport(report: TopicReport): string {
  const layout = `${report.partitions} partitions`;
  if (report.status === 'created') return `${report.name}  created (${layout}, replication ${report.replication})`;
  const verdict = report.warnings.length === 0 ? 'ok' : `differs: ${report.warnings.join('; ')}`;
  return `${report.name}  exists (${layout}, ${verdict})`;
}
