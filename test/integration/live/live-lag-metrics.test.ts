/**
 * What /metrics says about keeping up, against the real broker.
 *
 * driftwatch_consumer_lag was set from fetched batches only: a consumer
 * paused for backpressure, a partition quiet after a burst or an instance
 * that had fetched nothing yet showed its last value, or none, while records
 * piled up. It is read from the broker's end offsets now, for every owned
 * partition, and a partition that moves to another member takes its series
 * with it. driftwatch_watermark_delay_seconds said 0 ("no delay") before the
 * first event; it is absent until there is a watermark.
 */
import { it, expect } from 'vitest';
import type { Decoder } from '../../../processors/decode.js';
import { LiveRunner } from '../../../engine/live/live-runner.js';
import { liveMetrics } from '../../../engine/live/live-metrics.js';
import { createDriftwatchMetrics } from '../../../engine/metrics/driftwatch-metrics.js';
import { startMetricsServer } from '../../../engine/metrics/metrics-server.js';
import { loadConfig } from '../../../config/env-config.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { silentLogger } from '../../../lib/logger.js';
import { describeKafka } from '../kafka/kafka-env.js';
import { liveSuite, until } from './live-env.js';
import { scrapeMetrics, type EngineProcess } from './engine-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const hydration = (eventId: string) => ({
  type: 'hydration', eventId, occurredAt: new Date().toISOString(), env: 'prod', artifact: 'api',
  ruleId: 'r', instance: 'i-1', inputDigest: 'sha256:a', outputDigest: 'sha256:b', durationMs: 4, status: 'ok',
});

/** The consumer-lag series of a scrape: `<topic>#<partition>` → records. */
function lagSeries(metrics: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, value] of metrics) {
    const m = /^driftwatch_consumer_lag\{topic="([^"]+)",partition="(\d+)"\}$/.exec(name);
    if (m) out.set(`${m[1]}#${m[2]}`, value);
  }
  return out;
}

/** The `<topic>#<partition>` keys of an assignment, sorted. */
const keysOf = (assignment: Record<string, number[]>, topics: string[]) => topics.flatMap((t) => (assignment[t] ?? []).map((p) => `${t}#${p}`)).sort();

describeKafka('live mode metrics of keeping up', (brokers) => {
  const { kafka, engines, deploy } = liveSuite(brokers);

  it('lag of every owned partition before anything is fetched, no watermark delay before the first event, and a revoked partition\'s lag goes', async () => {
    const d = await deploy('lagrevoke', { partitions: 2, env: { DRIFTWATCH_LAG_INTERVAL: '500ms' } });
    const a = await d.startEngine('lag-a');
    engines.push(a);
    await a.waitRestored();
    // Empty topics: nothing was ever fetched, and still each owned partition has its lag, 0.
    const fresh = await until('a lag series for every owned partition', async () => {
      const lag = lagSeries(await a.metrics());
      return lag.size === d.inputs.length * 2 ? lag : undefined;
    }, { engines, timeoutMs: 15_000 });
    expect([...fresh.keys()].sort()).toEqual(keysOf(a.assignments().at(-1)!, d.inputs));
    expect([...fresh.values()]).toEqual(new Array(d.inputs.length * 2).fill(0));
    // No event yet: no watermark, so no delay — not a delay of 0.
    expect([...(await a.metrics()).keys()].filter((k) => k.startsWith('driftwatch_watermark_delay_seconds'))).toEqual([]);
    // The state-drift bound's drops are served with the other counters (none here).
    expect((await a.metrics()).get('driftwatch_sources_dropped_total')).toBe(0);

    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: d.topics.hydration,
        messages: [0, 1].map((partition) => ({ partition, key: 'prod/api', value: JSON.stringify(hydration(`h-${partition}`)) })),
      });
    } finally {
      await producer.disconnect();
    }
    const delay = await until('a watermark delay once events came', async () => (await a.metrics()).get('driftwatch_watermark_delay_seconds'), { engines });
    expect(delay).toBeGreaterThanOrEqual(0);

    // A second member: each input topic's partitions are split between the two; A's lag shows its own only.
    const b = await d.startEngine('lag-b');
    engines.push(b);
    await b.waitRestored();
    const owns = async (e: EngineProcess) => {
      const assignment = e.assignments().at(-1)!;
      const expected = keysOf(assignment, d.inputs);
      const lag = [...lagSeries(await e.metrics()).keys()].sort();
      return expected.length === d.inputs.length && JSON.stringify(lag) === JSON.stringify(expected) ? lag : undefined;
    };
    const ofA = await until('A to show the lag of the partitions it kept only', () => owns(a), { engines, timeoutMs: 20_000 });
    const ofB = await until('B to show the lag of its partitions', () => owns(b), { engines, timeoutMs: 20_000 });
    expect(new Set([...ofA, ...ofB]).size).toBe(d.inputs.length * 2);
  }, 120_000);

  it('lag grows while consumption is paused (records waiting to be decoded), to the records produced since', async () => {
    const d = await deploy('lagpaused', { partitions: 1, env: { DRIFTWATCH_LAG_INTERVAL: '500ms' } });
    const config = loadConfig({ ...d.env, DRIFTWATCH_INSTANCE_ID: 'lag-paused' });
    const metrics = createDriftwatchMetrics();
    const server = await startMetricsServer({ registry: metrics.registry, port: 0, host: '127.0.0.1' });
    // A decoder that never answers (a schema registry that is down): past 10 000 records waiting, consumption pauses.
    const held: Decoder = { name: 'held', decode: () => new Promise(() => {}) };
    const runner = new LiveRunner({
      kafka, config, alerts: defaultAlertsConfig(), logger: silentLogger, writer: null,
      changelogTopic: d.topics.changelog, instanceId: 'lag-paused',
      commitIntervalMs: config.live.commitIntervalMs, idleTimeoutMs: config.live.idleTimeoutMs,
      decoder: held, metrics: liveMetrics(metrics),
    });
    await runner.start();
    const producer = kafka.producer();
    await producer.connect();
    const scrape = () => scrapeMetrics(server.url);
    try {
      for (let i = 0; i < 12_000; i += 1000) {
        await producer.send({ topic: d.topics.hydration, messages: Array.from({ length: 1000 }, (_, j) => ({ key: 'prod/api', value: JSON.stringify(hydration(`h-${i + j}`)) })) });
      }
      await until('consumption to pause', async () => ((await scrape()).get('driftwatch_consumer_paused') === 1 ? true : undefined), { timeoutMs: 60_000 });
      const promotionLag = `driftwatch_consumer_lag{topic="${d.topics.promotion}",partition="0"}`;
      expect((await scrape()).get(promotionLag)).toBe(0);

      const N = 37;
      const produced = Date.now();
      await producer.send({ topic: d.topics.promotion, messages: Array.from({ length: N }, (_, i) => ({ key: 'prod/api', value: `{"n":${i}}` })) });
      await until(`lag ${N} on the promotion partition`, async () => ((await scrape()).get(promotionLag) === N ? true : undefined), { timeoutMs: 10_000, intervalMs: 100 });
      expect(Date.now() - produced).toBeLessThan(5_000); // within an interval or so (500 ms here), not at some later batch
      // Still paused: the lag came from the broker, not from a fetch.
      expect((await scrape()).get('driftwatch_consumer_paused')).toBe(1);
      expect((await scrape()).get(`driftwatch_events_in_total{topic="${d.topics.promotion}"}`) ?? 0).toBe(0);
    } finally {
      await producer.disconnect();
      await Promise.race([runner.stop(), sleep(15_000)]);
      await server.close();
    }
  }, 120_000);
});
