import { describe, it, expect } from 'vitest';
import { loadConfig } from '../../../config/env-config.js';
import { inputTopicNames, topicDefinitions } from '../../../topics/topic-definitions.js';
import { ConfigError } from '../../../lib/errors.js';

const DAY = 86_400_000;

describe('topicDefinitions', () => {
  it('lists the SPEC §2 topics with the default layout and retention', () => {
    const defs = topicDefinitions(loadConfig({}).kafka);
    expect(defs.map((d) => [d.name, d.role, d.partitions, d.replication, d.coPartitioned, d.configs])).toEqual([
      ['driftwatch.promotion.v1', 'input', 6, 1, true, { 'cleanup.policy': 'delete', 'retention.ms': String(7 * DAY) }],
      ['driftwatch.hydration.v1', 'input', 6, 1, true, { 'cleanup.policy': 'delete', 'retention.ms': String(7 * DAY) }],
      ['driftwatch.index.v1', 'input', 6, 1, true, { 'cleanup.policy': 'delete', 'retention.ms': String(7 * DAY) }],
      ['driftwatch.alerts.v1', 'output', 6, 1, false, { 'cleanup.policy': 'delete', 'retention.ms': String(7 * DAY) }],
      ['driftwatch.dlq.v1', 'output', 6, 1, false, { 'cleanup.policy': 'delete', 'retention.ms': String(14 * DAY) }],
      ['driftwatch.internal.state-changelog', 'internal', 6, 1, true, { 'cleanup.policy': 'compact' }],
    ]);
    expect(inputTopicNames(loadConfig({}).kafka)).toEqual(['driftwatch.promotion.v1', 'driftwatch.hydration.v1', 'driftwatch.index.v1']);
  });

  it('follows the configured names, partitions, replication and retention', () => {
    const kafka = loadConfig({
      DRIFTWATCH_TOPIC_PROMOTION: 'p',
      DRIFTWATCH_TOPIC_STATE_CHANGELOG: 'driftwatch.internal.team-a.state',
      DRIFTWATCH_PARTITIONS: '12',
      DRIFTWATCH_REPLICATION: '3',
      DRIFTWATCH_RETENTION_INPUT: '2d',
      DRIFTWATCH_RETENTION_ALERTS: '30d',
      DRIFTWATCH_RETENTION_DLQ: '12h',
    }).kafka;
    expect(kafka.retention).toEqual({ inputMs: 2 * DAY, alertsMs: 30 * DAY, dlqMs: DAY / 2 });
    const byId = Object.fromEntries(topicDefinitions(kafka).map((d) => [d.id, d]));
    expect(byId.promotion).toMatchObject({ name: 'p', partitions: 12, replication: 3 });
    // With 3 replicas, acks=all survives one broker loss only with min.insync.replicas=2.
    expect(byId.promotion!.configs).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': String(2 * DAY), 'min.insync.replicas': '2' });
    expect(byId.alerts!.configs['retention.ms']).toBe(String(30 * DAY));
    expect(byId.dlq!.configs['retention.ms']).toBe(String(DAY / 2));
    expect(byId['state-changelog']).toMatchObject({ name: 'driftwatch.internal.team-a.state', configs: { 'cleanup.policy': 'compact', 'min.insync.replicas': '2' } });
  });

  it('rejects bad retention and changelog names naming the variable', () => {
    expect(() => loadConfig({ DRIFTWATCH_RETENTION_DLQ: '0s' })).toThrow('DRIFTWATCH_RETENTION_DLQ: expected a duration above zero');
    expect(() => loadConfig({ DRIFTWATCH_RETENTION_INPUT: 'a week' })).toThrow(/^DRIFTWATCH_RETENTION_INPUT: expected a duration/);
    expect(() => loadConfig({ DRIFTWATCH_TOPIC_STATE_CHANGELOG: 'state-changelog' })).toThrow(
      'DRIFTWATCH_TOPIC_STATE_CHANGELOG: expected a topic name starting with "driftwatch.internal."',
    );
  });

  it('refuses two roles on one topic and configured names under the internal prefix', () => {
    const clash = loadConfig({ DRIFTWATCH_TOPIC_DLQ: 'driftwatch.alerts.v1' }).kafka;
    expect(() => topicDefinitions(clash)).toThrow(ConfigError);
    expect(() => topicDefinitions(clash)).toThrow('DRIFTWATCH_TOPIC_DLQ: "driftwatch.alerts.v1" is already the topic of DRIFTWATCH_TOPIC_ALERTS');
    const internal = loadConfig({ DRIFTWATCH_TOPIC_INDEX: 'driftwatch.internal.index' }).kafka;
    expect(() => topicDefinitions(internal)).toThrow(/^DRIFTWATCH_TOPIC_INDEX: "driftwatch.internal.index" starts with "driftwatch.internal."/);
  });
});
