import { describe, it, expect } from 'vitest';
import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';
import { loadConfig } from '../../../config/env-config.js';
import { topicDefinitions } from '../../../topics/topic-definitions.js';
import { ensureTopics, formatTopicReport } from '../../../topics/topic-admin.js';
import { ConfigError, KafkaError } from '../../../lib/errors.js';

interface FakeTopic {
  partitions: number;
  replication: number;
  configs: Record<string, string>;
}

/** Just enough of the kafkajs Admin for ensureTopics; `raceOn` simulates another instance creating a topic first. */
function fakeAdmin(topics: Map<string, FakeTopic>, opts: { raceOn?: string; failWith?: Error } = {}) {
  const created: string[] = [];
  const admin = {
    listTopics: async () => [...topics.keys()],
    fetchTopicMetadata: async ({ topics: names }: { topics: string[] }) => ({
      topics: names.map((name) => ({
        name,
        partitions: Array.from({ length: topics.get(name)!.partitions }, (_, partitionId) => ({ partitionId, leader: 1, replicas: Array(topics.get(name)!.replication).fill(1) })),
      })),
    }),
    describeConfigs: async ({ resources }: { resources: Array<{ name: string; configNames: string[] }> }) => ({
      resources: resources.map((r) => ({
        resourceName: r.name,
        configEntries: r.configNames.map((configName) => ({ configName, configValue: topics.get(r.name)!.configs[configName] ?? 'default' })),
      })),
    }),
    createTopics: async ({ topics: list }: { topics: ITopicConfig[] }) => {
      if (opts.failWith) throw opts.failWith;
      const t = list[0]!;
      const configs = Object.fromEntries((t.configEntries ?? []).map((e) => [e.name, e.value]));
      topics.set(t.topic, { partitions: t.numPartitions!, replication: t.replicationFactor!, configs });
      if (t.topic === opts.raceOn) return false;
      created.push(t.topic);
      return true;
    },
  };
  return { admin: admin as unknown as Admin, created };
}

const defs = topicDefinitions(loadConfig({ DRIFTWATCH_PARTITIONS: '3' }).kafka);

describe('ensureTopics', () => {
  it('creates every missing topic with its layout and configs, then reports them as existing', async () => {
    const topics = new Map<string, FakeTopic>();
    const { admin, created } = fakeAdmin(topics);
    const first = await ensureTopics(admin, defs);
    expect(created).toEqual(defs.map((d) => d.name));
    expect(first.map(formatTopicReport)).toEqual([
      'driftwatch.promotion.v1  created (3 partitions, replication 1)',
      'driftwatch.hydration.v1  created (3 partitions, replication 1)',
      'driftwatch.index.v1  created (3 partitions, replication 1)',
      'driftwatch.alerts.v1  created (3 partitions, replication 1)',
      'driftwatch.dlq.v1  created (3 partitions, replication 1)',
      'driftwatch.internal.state-changelog  created (3 partitions, replication 1)',
    ]);
    expect(topics.get('driftwatch.internal.state-changelog')!.configs).toEqual({ 'cleanup.policy': 'compact' });
    const second = await ensureTopics(admin, defs);
    expect(second.map((r) => [r.status, r.warnings])).toEqual(defs.map(() => ['exists', []]));
    expect(formatTopicReport(second[0]!)).toBe('driftwatch.promotion.v1  exists (3 partitions, ok)');
  });

  it('reports a topic created concurrently by someone else as existing', async () => {
    const { admin } = fakeAdmin(new Map(), { raceOn: 'driftwatch.dlq.v1' });
    const reports = await ensureTopics(admin, defs);
    expect(reports.find((r) => r.name === 'driftwatch.dlq.v1')).toMatchObject({ status: 'exists', partitions: 3, warnings: [] });
  });

  it('verifies before creating: a co-partitioning break creates nothing', async () => {
    const topics = new Map<string, FakeTopic>([
      ['driftwatch.promotion.v1', { partitions: 3, replication: 1, configs: {} }],
      ['driftwatch.index.v1', { partitions: 5, replication: 1, configs: {} }],
    ]);
    const { admin, created } = fakeAdmin(topics);
    await expect(ensureTopics(admin, defs)).rejects.toThrow(KafkaError);
    expect(created).toEqual([]);
  });

  it('reports differences of existing output topics without failing', async () => {
    const topics = new Map<string, FakeTopic>([['driftwatch.alerts.v1', { partitions: 1, replication: 1, configs: { 'cleanup.policy': 'delete', 'retention.ms': '604800000' } }]]);
    const { admin } = fakeAdmin(topics);
    const alerts = (await ensureTopics(admin, defs)).find((r) => r.id === 'alerts')!;
    expect(formatTopicReport(alerts)).toBe('driftwatch.alerts.v1  exists (1 partitions, differs: has 1 partitions, configured 3)');
  });

  it('in verify-only mode, names the missing topics and how to create them', async () => {
    const { admin, created } = fakeAdmin(new Map());
    await expect(ensureTopics(admin, defs.slice(0, 2), { create: false })).rejects.toThrow(
      'missing topics: driftwatch.promotion.v1, driftwatch.hydration.v1; create them with `driftwatch topics create`',
    );
    expect(created).toEqual([]);
  });

  it('turns a replication factor above the broker count into a ConfigError', async () => {
    const protocolError = Object.assign(new Error('Replication factor: 3 larger than available brokers: 1.'), { type: 'INVALID_REPLICATION_FACTOR' });
    const { admin } = fakeAdmin(new Map(), { failWith: new kafkajs.KafkaJSAggregateError('Topic creation errors', [protocolError]) });
    const err = await ensureTopics(admin, defs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^DRIFTWATCH_REPLICATION: creating driftwatch.promotion.v1 \(3 partitions, replication 1\) failed: Replication factor: 3 larger/);
  });
});
