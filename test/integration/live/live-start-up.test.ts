/**
 * `driftwatch run` at start-up. Against a reachable broker whose input topics do not
 * exist (nobody ran `driftwatch topics create`): it must fail fast with exit
 * 1 and say the topics are missing. It used to report the failure as "is the
 * broker reachable?" and then stay alive, doing nothing, for ever — the
 * producer, admin client and changelog reader it had connected kept the
 * process up — and a SIGTERM then ended it with exit 0, a clean stop to its
 * supervisor.
 */
import { it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteTopics, describeKafka, testKafka } from '../kafka/kafka-env.js';
import { isolatedDeployment } from '../../../topics/isolated-deployment.js';
import { assertBuilt, EngineProcess } from './engine-process.js';
import { freePort } from '../../../lib/free-port.js';

describeKafka('driftwatch run without usable topics', (brokers) => {
  it('exits 1 on its own, naming the missing topics and how to create them', async () => {
    assertBuilt();
    const { env } = isolatedDeployment('dwtest', 'missing-topics', brokers, 1);
    const dataDir = mkdtempSync(join(tmpdir(), 'dw-missing-topics-'));
    const engine = EngineProcess.start('missing-topics', { ...env, DRIFTWATCH_DATA_DIR: dataDir, DRIFTWATCH_METRICS_PORT: '0', DRIFTWATCH_INSTANCE_ID: 'missing-topics' });
    try {
      const exit = await Promise.race([engine.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 90_000))]);
      expect(exit).toEqual({ code: 1, signal: null });
      const said = engine.logs.map((l) => String(l.msg ?? '')).join('\n');
      expect(said).toMatch(/a topic is missing: run `driftwatch topics create`/);
      expect(said).not.toMatch(/is the broker reachable/);
    } finally {
      await engine.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('exits 1 before joining when its input topics are not co-partitioned', async () => {
    // Created by hand, not by `topics create` (which refuses): promotions on 2 partitions, everything else on 1.
    assertBuilt();
    const { env, topics } = isolatedDeployment('dwtest', 'not-copartitioned', brokers, 1);
    const kafka = testKafka(brokers);
    const admin = kafka.admin();
    await admin.connect();
    const names = Object.values(topics);
    await admin.createTopics({ waitForLeaders: true, topics: names.map((topic) => ({ topic, numPartitions: topic === topics.promotion ? 2 : 1, replicationFactor: 1 })) });
    await admin.disconnect();
    const dataDir = mkdtempSync(join(tmpdir(), 'dw-not-copartitioned-'));
    const engine = EngineProcess.start('not-copartitioned', { ...env, DRIFTWATCH_DATA_DIR: dataDir, DRIFTWATCH_METRICS_PORT: '0', DRIFTWATCH_INSTANCE_ID: 'not-copartitioned' });
    try {
      const exit = await Promise.race([engine.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 90_000))]);
      expect(exit).toEqual({ code: 1, signal: null });
      expect(engine.logs.map((l) => String(l.msg ?? '')).join('\n')).toMatch(/co-partitioned topics disagree on their partition count \(.*has 2/);
      expect(engine.logs.some((l) => l.msg === 'state restored')).toBe(false);
    } finally {
      await engine.kill();
      rmSync(dataDir, { recursive: true, force: true });
      await deleteTopics(kafka, names);
    }
  }, 120_000);

  it('answers /healthz while it waits for its store at start-up, and /readyz says what it waits for', async () => {
    // A liveness probe that found no /healthz while the store was unreachable would restart the instance: the very
    // crash loop that waiting for the store avoids. (Nothing listens on port 1.)
    assertBuilt();
    const { env } = isolatedDeployment('dwtest', 'store-wait', brokers, 1);
    const port = await freePort();
    const engine = EngineProcess.start('store-wait', { ...env, CLICKHOUSE_URL: 'http://127.0.0.1:1', DRIFTWATCH_METRICS_PORT: String(port), DRIFTWATCH_INSTANCE_ID: 'store-wait' });
    try {
      await engine.waitForLog((l) => String(l.msg ?? '').startsWith('cannot open the store at start-up'), 60_000);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toMatch(/opening the store/);
    } finally {
      await engine.kill();
    }
  }, 120_000);
});
