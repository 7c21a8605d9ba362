import { describe, it, expect } from 'vitest';
import { loadConfig } from '../../../config/env-config.js';
import { topicDefinitions, type TopicDefinition } from '../../../topics/topic-definitions.js';
import { checkCoPartitioning, topicWarnings, type ExistingTopic } from '../../../topics/topic-checks.js';
import { ConfigError, KafkaError } from '../../../lib/errors.js';

const defs = topicDefinitions(loadConfig({ DRIFTWATCH_PARTITIONS: '4' }).kafka);
const def = (id: string): TopicDefinition => defs.find((d) => d.id === id)!;
const topic = (partitions: number, configs: Record<string, string> = {}, replication = 1): ExistingTopic => ({ partitions, replication, configs });

function thrown(fn: () => void): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('checkCoPartitioning', () => {
  it('accepts nothing existing, or existing co-partitioned topics with the configured count', () => {
    expect(() => checkCoPartitioning(defs, new Map())).not.toThrow();
    const ok = new Map([
      ['driftwatch.promotion.v1', topic(4)],
      ['driftwatch.index.v1', topic(4)],
      ['driftwatch.alerts.v1', topic(9)], // outputs are not co-partitioned
    ]);
    expect(() => checkCoPartitioning(defs, ok)).not.toThrow();
  });

  it('fails with KafkaError when existing inputs disagree with each other', () => {
    const err = thrown(() =>
      checkCoPartitioning(defs, new Map([['driftwatch.promotion.v1', topic(4)], ['driftwatch.hydration.v1', topic(3)]])),
    );
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).code).toBe('DW_KAFKA_FAILED');
    expect(err.message).toMatch(/^co-partitioned topics disagree on their partition count \(driftwatch.promotion.v1 has 4, driftwatch.hydration.v1 has 3\)/);
  });

  it('counts the state changelog as co-partitioned', () => {
    const err = thrown(() =>
      checkCoPartitioning(defs, new Map([['driftwatch.index.v1', topic(4)], ['driftwatch.internal.state-changelog', topic(6)]])),
    );
    expect(err).toBeInstanceOf(KafkaError);
  });

  it('fails with ConfigError naming DRIFTWATCH_PARTITIONS when they agree but differ from config', () => {
    const err = thrown(() =>
      checkCoPartitioning(defs, new Map([['driftwatch.promotion.v1', topic(8)], ['driftwatch.hydration.v1', topic(8)]])),
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(
      'DRIFTWATCH_PARTITIONS: is 4, but the existing co-partitioned topics have 8 partitions (driftwatch.promotion.v1 has 8, ' +
        'driftwatch.hydration.v1 has 8); set DRIFTWATCH_PARTITIONS=8 so new topics match them, or recreate the existing ones with 4.',
    );
  });
});

describe('topicWarnings', () => {
  it('is empty for a topic matching its definition (policy lists in any order)', () => {
    expect(topicWarnings(def('dlq'), topic(4, { 'cleanup.policy': 'delete', 'retention.ms': '1209600000' }))).toEqual([]);
    expect(topicWarnings({ ...def('alerts'), configs: { 'cleanup.policy': 'compact,delete' } }, topic(4, { 'cleanup.policy': 'delete, compact' }))).toEqual([]);
  });

  it('lists partition (outputs only), replication and config differences', () => {
    expect(topicWarnings(def('alerts'), topic(2, { 'cleanup.policy': 'compact', 'retention.ms': '1000' }, 3))).toEqual([
      'has 2 partitions, configured 4',
      'replication factor 3, configured 1',
      'cleanup.policy=compact, configured delete',
      'retention.ms=1000, configured 604800000',
    ]);
  });

  it('fails for a state changelog that is not compacted', () => {
    const err = thrown(() => topicWarnings(def('state-changelog'), topic(4, { 'cleanup.policy': 'delete' })));
    expect(err).toBeInstanceOf(KafkaError);
    expect(err.message).toMatch(/^driftwatch.internal.state-changelog has cleanup.policy=delete, but a state changelog must be compacted/);
    expect(topicWarnings(def('state-changelog'), topic(4, { 'cleanup.policy': 'compact,delete' }))).toEqual(['cleanup.policy=compact,delete, configured compact']);
  });
});
