/**
 * The topics driftwatch needs (SPEC §2), derived from configuration. One list
 * drives `driftwatch topics create`, the start-up checks of `driftwatch run`
 * and the integration tests, so names and settings never drift apart.
 *
 * Co-partitioning: the three inputs share one partition count and one key
 * (`<env>/<artifact>`), so partition p of each holds the same keys and one
 * group member can own all of them (see co-partition-assigner.ts). The state
 * changelog is written per input partition (state of input partition p goes
 * to changelog partition p, as in Kafka Streams), so it must have the same
 * count too — it is part of the co-partitioned set.
 */
import { configOptions, type DriftwatchConfig } from '../config/env-config.js';
import { ConfigError } from '../lib/errors.js';

/** Every internal topic (state changelogs) starts with this (SPEC §2). */
export const INTERNAL_TOPIC_PREFIX = 'driftwatch.internal.';

/**
 * Default name of the changelog of the keyed processor state (desired state,
 * sources, open incidents...), compacted. DRIFTWATCH_TOPIC_STATE_CHANGELOG
 * overrides it (one per deployment sharing a cluster; tests use random ones).
 */
export const STATE_CHANGELOG_TOPIC = `${INTERNAL_TOPIC_PREFIX}state-changelog`;

export type TopicRole = 'input' | 'output' | 'internal';

export interface TopicDefinition {
  name: string;
  role: TopicRole;
  /** What the topic is for, shown by `topics create`. */
  purpose: string;
  /** Which input/output it is: promotion, hydration, index, alerts, dlq or state-changelog. */
  id: TopicId;
  partitions: number;
  replication: number;
  /** Topic-level configs, passed as `configEntries` on creation and compared on verification. */
  configs: Readonly<Record<string, string>>;
  /** Member of the co-partitioned set: its partition count must equal every other member's. */
  coPartitioned: boolean;
}

export type TopicId = 'promotion' | 'hydration' | 'index' | 'alerts' | 'dlq' | 'state-changelog';

/** `cleanup.policy=delete` with a time bound; bytes are left unbounded (operators size disks, not us). */
function deleteRetention(retentionMs: number): Record<string, string> {
  return { 'cleanup.policy': 'delete', 'retention.ms': String(retentionMs) };
}

/**
 * With 3+ replicas, acks=all should survive one broker loss without losing
 * writes: min.insync.replicas=2 is the usual production choice. Below that the
 * broker default (1) is the only value that lets writes succeed at all.
 */
function durability(replication: number): Record<string, string> {
  return replication >= 3 ? { 'min.insync.replicas': '2' } : {};
}

/** The variable that names each configurable topic, for error messages. */
const topicOption: Record<Exclude<TopicId, 'state-changelog'>, string> = {
  promotion: configOptions.topicPromotion.env,
  hydration: configOptions.topicHydration.env,
  index: configOptions.topicIndex.env,
  alerts: configOptions.topicAlerts.env,
  dlq: configOptions.topicDlq.env,
};

/**
 * Two roles on one topic would mix alerts into inputs (or worse; live mode
 * also tells an input topic's event type by its name), and a configured name
 * under the internal prefix would collide with our changelogs. Checked by
 * `topics create`, `schemas register` (subjects are named after topics), the
 * Kafka demo and `driftwatch run`.
 */
export function checkTopicNames(topics: DriftwatchConfig['kafka']['topics']): void {
  const seen = new Map<string, string>();
  for (const [id, option] of Object.entries(topicOption) as Array<[keyof typeof topicOption, string]>) {
    const name = topics[id];
    if (name.startsWith(INTERNAL_TOPIC_PREFIX)) {
      throw new ConfigError(option, `"${name}" starts with "${INTERNAL_TOPIC_PREFIX}", which is reserved for driftwatch's internal topics; pick another name`);
    }
    const other = seen.get(name);
    if (other) throw new ConfigError(option, `"${name}" is already the topic of ${other}; every topic needs its own name`);
    seen.set(name, option);
  }
}

/** The topic list of SPEC §2 for this configuration, inputs first. Throws ConfigError on clashing names. */
export function topicDefinitions(kafka: DriftwatchConfig['kafka']): TopicDefinition[] {
  const { partitions, replication, retention, topics } = kafka;
  checkTopicNames(topics);
  const base = { partitions, replication };
  const input = (id: 'promotion' | 'hydration' | 'index', name: string, what: string): TopicDefinition => ({
    ...base,
    id,
    name,
    role: 'input',
    purpose: `${what} events, key <env>/<artifact>`,
    configs: { ...deleteRetention(retention.inputMs), ...durability(replication) },
    coPartitioned: true,
  });
  return [
    input('promotion', topics.promotion, 'promotion lifecycle'),
    input('hydration', topics.hydration, 'hydration rule'),
    input('index', topics.index, 'index operation'),
    {
      ...base,
      id: 'alerts',
      name: topics.alerts,
      role: 'output',
      // Alerts are a stream of emissions (firing, re-escalated, resolved), not
      // latest-state-per-fingerprint: compaction would drop the history that
      // alert consumers and audits read, so delete retention it is.
      purpose: 'alert events, key fingerprint',
      configs: { ...deleteRetention(retention.alertsMs), ...durability(replication) },
      coPartitioned: false,
    },
    {
      ...base,
      id: 'dlq',
      name: topics.dlq,
      role: 'output',
      purpose: 'rejected records (original bytes + dw-* headers), original key',
      configs: { ...deleteRetention(retention.dlqMs), ...durability(replication) },
      coPartitioned: false,
    },
    {
      ...base,
      id: 'state-changelog',
      name: kafka.internalTopics.stateChangelog,
      role: 'internal',
      purpose: 'processor state changelog (restored on rebalance), key = state key',
      // Compacted only: the latest value per key is the state, a tombstone
      // deletes it; time-based deletion would lose desired state of quiet keys.
      configs: { 'cleanup.policy': 'compact', ...durability(replication) },
      coPartitioned: true,
    },
  ];
}

/** The names of the co-partitioned input topics, in definition order. */
export function inputTopicNames(kafka: DriftwatchConfig['kafka']): string[] {
  return topicDefinitions(kafka)
    .filter((t) => t.role === 'input')
    .map((t) => t.name);
}
