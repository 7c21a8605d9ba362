/**
 * A live engine's state larger than the broker takes in one message commits
 * and restores over a real broker. 5 000 envs in one promotion window make
 * the instance's per-env record 1.1 MB; written as one message, the broker
 * refused it (MESSAGE_TOO_LARGE, not retriable) and the same commit failed
 * after every restart. It now goes in pieces, all in the commit's one
 * transaction (engine/live/state-chunks.ts), and a new engine restored
 * through the changelog reader and a marker — the calls `driftwatch run`
 * makes — has the same state and closes the windows as the first would.
 */
import { it, expect } from 'vitest';
import { ChangelogReader } from '../../../engine/live/changelog-reader.js';
import { prepareCommit, publishCommit } from '../../../engine/live/commit.js';
import { TransactionalProducer } from '../../../engine/live/transactional-producer.js';
import { snapshotTopology } from '../../../engine/topology-state.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { createLogger } from '../../../lib/logger.js';
import { createTopics, deleteTopics, describeKafka, testKafka, uniqueName } from '../kafka/kafka-env.js';
import { Changelog, T, advance, push, startGeneration } from '../../unit/live/rebalance-harness.js';
import { startedInEnv } from '../../helpers/large-state-events.js';

const ENVS = 5_000;

describeKafka('live state changelog: a state larger than one message', (brokers) => {
  it(`${ENVS} envs in one window (a 1.1 MB per-env record): the commit goes through, and a new engine restores the same state`, async () => {
    const kafka = testKafka(brokers, 'driftwatch-large-state-test');
    const topic = uniqueName('changelog');
    await createTopics(kafka, [{ topic, partitions: 2, configs: { 'cleanup.policy': 'compact' } }]);
    const logger = createLogger({ level: 'warn' });
    const admin = kafka.admin();
    await admin.connect();
    const producer = new TransactionalProducer(kafka, uniqueName('large-state-tx'), logger);
    await producer.connect();
    const reader = new ChangelogReader(kafka, admin, topic, uniqueName('large-state'), logger);
    try {
      await reader.start();
      const a = await startGeneration(new Changelog(), 'A', [0]);
      for (let i = 0; i < ENVS; i++) push(a, T.promotion, 0, i, startedInEnv(i));
      advance(a, '10:04:00');
      const prepared = prepareCommit(a.engine, 'A', Date.now());
      // The changelog is what is under test: no input topics here to commit offsets of.
      await publishCommit({ producer, writer: null, changelogTopic: topic, groupId: uniqueName('large-state-group'), notMember: () => undefined }, { ...prepared, offsets: new Map() });

      const b = await startGeneration(new Changelog(), 'A', [0], 2, defaultAlertsConfig(), { broker: { reader, producer, changelogTopic: topic } });
      const keys = Array.from({ length: ENVS }, (_, i) => `env-${i}/app`);
      const restored = snapshotTopology(b.engine.pipeline.topology, keys);
      expect(restored.whole).toEqual(snapshotTopology(a.engine.pipeline.topology).whole);
      expect(restored.keyed.filter(([, state]) => state !== undefined)).toHaveLength(ENVS);
      advance(b, '10:06:00');
      expect(b.facts.filter((f) => f.kind === 'promotion-window')).toHaveLength(ENVS);
    } finally {
      // Both, whatever becomes of either (the reader's stop deletes its group: before the admin goes).
      await Promise.allSettled([reader.stop(), producer.disconnect()]);
      await admin.disconnect();
      await deleteTopics(kafka, [topic]);
    }
  }, 180_000);
});
