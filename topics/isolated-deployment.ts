/**
 * Names for a private driftwatch deployment on a shared Kafka cluster: the
 * five topics, the state changelog and the consumer group, all under
 * `<prefix>.<label>.<random>`, plus the environment that points
 * `driftwatch topics create` and `driftwatch run` at them.
 *
 * The Kafka benchmark (prefix `dwbench`) and the live-mode integration tests
 * (`dwtest`) each create one per run, so runs sharing a broker never read
 * each other's records or offsets. One definition keeps their names and
 * variables alike; each caller adds its own settings on top of `env`.
 */
import { randomUUID } from 'node:crypto';
import { INTERNAL_TOPIC_PREFIX } from './topic-definitions.js';

export interface IsolatedTopics {
  promotion: string;
  hydration: string;
  index: string;
  alerts: string;
  dlq: string;
  changelog: string;
}

export interface IsolatedDeployment {
  /** `<label>.<8 random hex digits>`, unique per call. */
  id: string;
  topics: IsolatedTopics;
  /** The three input topics. */
  inputs: string[];
  groupId: string;
  /** KAFKA_BROKERS, DRIFTWATCH_GROUP_ID, the six DRIFTWATCH_TOPIC_* variables and DRIFTWATCH_PARTITIONS. */
  env: Record<string, string>;
}

export function isolatedDeployment(prefix: string, label: string, brokers: readonly string[], partitions: number): IsolatedDeployment {
  const id = `${label}.${randomUUID().slice(0, 8)}`;
  const base = `${prefix}.${id}`;
  const topics: IsolatedTopics = {
    promotion: `${base}.promotion`,
    hydration: `${base}.hydration`,
    index: `${base}.index`,
    alerts: `${base}.alerts`,
    dlq: `${base}.dlq`,
    // Internal topics must carry the internal prefix (config rejects others).
    changelog: `${INTERNAL_TOPIC_PREFIX}${base}.state-changelog`,
  };
  const groupId = `${base}.group`;
  const env: Record<string, string> = {
    KAFKA_BROKERS: brokers.join(','),
    DRIFTWATCH_GROUP_ID: groupId,
    DRIFTWATCH_TOPIC_PROMOTION: topics.promotion,
    DRIFTWATCH_TOPIC_HYDRATION: topics.hydration,
    DRIFTWATCH_TOPIC_INDEX: topics.index,
    DRIFTWATCH_TOPIC_ALERTS: topics.alerts,
    DRIFTWATCH_TOPIC_DLQ: topics.dlq,
    DRIFTWATCH_TOPIC_STATE_CHANGELOG: topics.changelog,
    DRIFTWATCH_PARTITIONS: String(partitions),
  };
  return { id, topics, inputs: [topics.promotion, topics.hydration, topics.index], groupId, env };
}
