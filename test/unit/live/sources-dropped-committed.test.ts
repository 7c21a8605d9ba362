/**
 * driftwatch_sources_dropped_total counts committed work: the sources a batch
 * dropped count once its commit succeeded. A commit that fails drops its
 * engine; the rebuilt one reads the same records again from the committed
 * offsets and drops the same sources — counted once, not twice. (The commit
 * runs on a stand-in Kafka client, as in commit-scheduler.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { CommitScheduler } from '../../../engine/live/commit-scheduler.js';
import { advanceEngine, createLiveEngine, type Engine } from '../../../engine/live/live-engine.js';
import { liveMetrics } from '../../../engine/live/live-metrics.js';
import { createDriftwatchMetrics } from '../../../engine/metrics/driftwatch-metrics.js';
import { TransactionalProducer } from '../../../engine/live/transactional-producer.js';
import { loadConfig } from '../../../config/env-config.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { silentLogger } from '../../../lib/logger.js';
import { StandInKafka, kafkaProtocolError } from '../../helpers/stand-in-kafka.js';

const config = loadConfig({ DRIFTWATCH_MAX_SOURCES_PER_KEY: '3' });
const AT = Date.parse('2026-11-27T11:01:00Z');

const index = (i: number) =>
  JSON.stringify({ type: 'index', eventId: `ix-${i}`, occurredAt: new Date(AT + i).toISOString(), env: 'staging', artifact: 'web', op: 'read', instance: `r-${i}`, servedDigest: 'sha256:w5', latencyMs: 8, status: 'ok' });

describe('driftwatch_sources_dropped_total', () => {
  it('counts the sources of committed work: a batch whose commit failed, redone by the rebuilt engine, counts once', async () => {
    const m = createDriftwatchMetrics();
    const live = liveMetrics(m);
    const dropped = () => m.registry.metrics().split('\n').filter((l) => l.startsWith('driftwatch_sources_dropped_total'));
    const standIn = new StandInKafka(1);
    const newEngine = () => createLiveEngine({ config, alerts: defaultAlertsConfig(), writer: null, idleTimeoutMs: 10_000, now: () => AT + 60_000 }, 1);
    let engine: Engine = newEngine();
    const scheduler = new CommitScheduler({
      producer: new TransactionalProducer(standIn.client, 'driftwatch-g-i', silentLogger),
      writer: null,
      changelogTopic: 'changelog',
      groupId: 'g',
      instanceId: 'i',
      metrics: live,
      log: silentLogger,
      now: () => 0,
      intervalMs: 1000,
      current: () => ({ engine, notMember: () => undefined }),
      onFailed: () => undefined,
      serialise: (work) => work(),
      stopping: () => false,
    });
    /** The batch: 5 sources for a key that keeps 3 (2 dropped), released to the processors, the metrics observed as the idle ticker does. */
    const batch = (e: Engine) => {
      const topic = config.kafka.topics.index;
      for (let i = 0; i < 5; i++) e.pipeline.push({ value: Buffer.from(index(i)), key: Buffer.from('staging/web'), source: { topic, partition: 0, offset: String(i) }, expectedType: 'index' });
      advanceEngine(e, AT + 60_000);
      live.observeEngine(e.pipeline, 0, Number.NEGATIVE_INFINITY, 0);
      expect(e.pipeline.topology.stateDrift.sourcesDropped).toBe(2);
    };
    batch(engine);
    standIn.refuseCommit = kafkaProtocolError('NOT_COORDINATOR');
    await scheduler.commit({ wait: true });
    expect(scheduler.takeRewind()).toBe(true); // the work is read again
    expect(dropped()).toEqual(['driftwatch_sources_dropped_total 0']); // not committed: not counted
    engine = newEngine(); // rebuilt from the changelog (nothing committed yet), the same records again
    batch(engine);
    await scheduler.commit({ wait: true });
    expect(dropped()).toEqual(['driftwatch_sources_dropped_total 2']);
    await scheduler.commit({ wait: true }); // nothing new: the count as of this snapshot adds nothing
    expect(dropped()).toEqual(['driftwatch_sources_dropped_total 2']);
  });
});
