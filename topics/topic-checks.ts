/**
 * Pure checks of existing topics against their definitions, kept apart from
 * the admin I/O so every rule is unit-tested without a broker.
 *
 * What fails and what only warns:
 * - co-partitioned topics (inputs + state changelog) with different partition
 *   counts: KafkaError. Keys would map to different partition numbers per
 *   topic, so no member could own every event of a key. Config cannot fix it.
 * - co-partitioned topics that agree with each other but not with
 *   DRIFTWATCH_PARTITIONS: ConfigError naming the variable and the value to use.
 * - a state changelog that is not compacted: KafkaError (state would expire).
 * - anything else (output topic partition count, replication, retention):
 *   a warning. The topics work; an operator may have tuned them on purpose,
 *   and `topics create` never alters an existing topic.
 */
import { configOptions } from '../config/env-config.js';
import { ConfigError, KafkaError } from '../lib/errors.js';
import type { TopicDefinition } from './topic-definitions.js';

/** What the broker says about an existing topic. */
export interface ExistingTopic {
  partitions: number;
  /** Smallest replica count over its partitions. */
  replication: number;
  /** Current values of the configs the definition sets; missing = not described. */
  configs?: Readonly<Record<string, string>>;
}

const PARTITIONS_OPTION = configOptions.partitions.env;

/**
 * Throws when the existing co-partitioned topics disagree with each other or
 * with the configured partition count. Missing topics are ignored (they will
 * be created with the configured count).
 */
export function checkCoPartitioning(definitions: readonly TopicDefinition[], existing: ReadonlyMap<string, ExistingTopic>): void {
  const present = definitions
    .filter((d) => d.coPartitioned && existing.has(d.name))
    .map((d) => ({ name: d.name, wanted: d.partitions, actual: existing.get(d.name)!.partitions }));
  if (present.length === 0) return;
  checkPartitionCountsAgree(present.map((t) => ({ name: t.name, partitions: t.actual })));
  const list = present.map((t) => `${t.name} has ${t.actual}`).join(', ');
  const actual = present[0]!.actual;
  const wanted = present[0]!.wanted;
  if (actual !== wanted) {
    throw new ConfigError(
      PARTITIONS_OPTION,
      `is ${wanted}, but the existing co-partitioned topics have ${actual} partitions (${list}); ` +
        `set ${PARTITIONS_OPTION}=${actual} so new topics match them, or recreate the existing ones with ${wanted}.`,
    );
  }
}

/**
 * Throws when co-partitioned topics disagree on their partition count: `topics
 * create` before creating anything, and `run` before joining its group (whose
 * assigner can only warn: refusing would stop every member).
 */
export function checkPartitionCountsAgree(topics: ReadonlyArray<{ name: string; partitions: number }>): void {
  if (new Set(topics.map((t) => t.partitions)).size <= 1) return;
  const list = topics.map((t) => `${t.name} has ${t.partitions}`).join(', ');
  throw new KafkaError(
    `co-partitioned topics disagree on their partition count (${list}): events of one <env>/<artifact> key would land on ` +
      `different partition numbers, so no consumer could own all of them. Give them all the same count ` +
      `(add partitions to the smaller ones with kafka-topics --alter --partitions, which moves keys: replay afterwards), or recreate them.`,
  );
}

/** `compact,delete` and `delete, compact` are the same policy. */
function policySet(value: string): string {
  return value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .sort()
    .join(',');
}

function sameConfigValue(name: string, a: string, b: string): boolean {
  return name === 'cleanup.policy' ? policySet(a) === policySet(b) : a.trim() === b.trim();
}

/**
 * Differences of one existing topic from its definition, as human-readable
 * warnings. Throws KafkaError for a changelog that is not compacted.
 */
export function topicWarnings(definition: TopicDefinition, topic: ExistingTopic): string[] {
  const warnings: string[] = [];
  if (!definition.coPartitioned && topic.partitions !== definition.partitions) {
    warnings.push(`has ${topic.partitions} partitions, configured ${definition.partitions}`);
  }
  if (topic.replication !== definition.replication) {
    warnings.push(`replication factor ${topic.replication}, configured ${definition.replication}`);
  }
  const configs = topic.configs ?? {};
  if (definition.role === 'internal' && configs['cleanup.policy'] !== undefined && !policySet(configs['cleanup.policy']).split(',').includes('compact')) {
    throw new KafkaError(
      `${definition.name} has cleanup.policy=${configs['cleanup.policy']}, but a state changelog must be compacted (cleanup.policy=compact), ` +
        `or restored state would lose keys; fix it with kafka-configs --alter --entity-type topics --entity-name ${definition.name} --add-config cleanup.policy=compact`,
    );
  }
  for (const [name, value] of Object.entries(definition.configs)) {
    const current = configs[name];
    if (current !== undefined && !sameConfigValue(name, current, value)) warnings.push(`${name}=${current}, configured ${value}`);
  }
  return warnings;
}
