/**
 * A schema-registry outage in live mode, against the real broker and
 * Apicurio (through a TCP proxy the test opens and closes: closed = the
 * registry is unreachable).
 *
 * Records held by the registry decoder count as consumed: the broker says
 * nothing is left past the consumed position. They keep their partition from
 * idleness (PartitionWatermarks), so event time does not move on at
 * wall-clock speed past them and they are events, not late, once the
 * registry answers. And consumption pauses (heartbeats going on) while more
 * than 10 000 records wait to be decoded, instead of fetching everything into
 * memory behind the held record.
 */
import { it, expect } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { LiveRunner } from '../../../engine/live/live-runner.js';
import type { LiveRunnerOptions } from '../../../engine/live/live-runner-options.js';
import { loadConfig } from '../../../config/env-config.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { silentLogger } from '../../../lib/logger.js';
import { freePort } from '../../../lib/free-port.js';
import { createRegistryClient } from '../../../schemas/registry/registry-client.js';
import { createRegistryDecoder } from '../../../schemas/registry/registry-decoder.js';
import { avroSchemas } from '../../../schemas/avro-schemas.js';
import type { Fact } from '../../../processors/facts.js';
import type { LiveMetrics } from '../../../engine/live/live-metrics.js';
import { describeKafka } from '../kafka/kafka-env.js';
import { liveSuite, type LiveDeployment } from './live-env.js';

const REGISTRY = process.env.SCHEMA_REGISTRY_URL!;

async function startProxy(port: number, target: URL): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 80), target.hostname);
    for (const s of [client, upstream]) { sockets.add(s); s.on('error', () => undefined); s.on('close', () => sockets.delete(s)); }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, sockets };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ev = (eventId: string) => ({
  type: 'hydration', eventId, occurredAt: new Date().toISOString(), env: 'prod', artifact: 'api',
  ruleId: 'r', instance: 'i-1', inputDigest: 'sha256:a', outputDigest: 'sha256:b', durationMs: 4, status: 'ok',
});

describeKafka('live mode through a schema-registry outage', (brokers) => {
  const { kafka, deploy } = liveSuite(brokers);

  /**
   * A runner whose registry decoder reaches Apicurio only through a proxy on
   * `port`, not open yet (`registryBack` opens it); the hydration schema
   * registered (`avro` encodes with it); a connected producer.
   */
  async function outageRunner(d: LiveDeployment, instanceId: string, options: Pick<LiveRunnerOptions, 'onFact' | 'metrics'>) {
    const good = createRegistryClient(REGISTRY);
    const { id } = await good.register(
      { type: 'AVRO' as never, schema: JSON.stringify(avroSchemas()['hydration-event']) },
      { subject: `${d.topics.hydration}-value` },
    );
    const port = await freePort();
    const real = new URL(REGISTRY);
    const decoder = createRegistryDecoder({ registry: createRegistryClient(`http://127.0.0.1:${port}${real.pathname}`), retry: { initialDelayMs: 100, maxDelayMs: 300 } });
    const config = loadConfig({ ...d.env, DRIFTWATCH_INSTANCE_ID: instanceId });
    const runner = new LiveRunner({
      kafka, config, alerts: defaultAlertsConfig(), logger: silentLogger, writer: null,
      changelogTopic: d.topics.changelog, instanceId,
      commitIntervalMs: config.live.commitIntervalMs, idleTimeoutMs: config.live.idleTimeoutMs,
      decoder, ...options,
    });
    await runner.start();
    const producer = kafka.producer();
    await producer.connect();
    let proxy: { server: Server; sockets: Set<Socket> } | null = null;
    return {
      runner, decoder, producer,
      avro: (eventId: string) => good.encode(id, ev(eventId)),
      registryBack: async () => void (proxy = await startProxy(port, real)),
      async close() {
        await producer.disconnect();
        await Promise.race([runner.stop(), sleep(15_000)]);
        if (proxy) { for (const s of proxy.sockets) s.destroy(); proxy.server.close(); }
      },
    };
  }

  it('a good Avro record held during a registry outage is processed as an event, not late', async () => {
    const d = await deploy('regoutlate', { partitions: 1, env: { DRIFTWATCH_ALLOWED_LATENESS: '1s' } });
    const facts: Fact[] = [];
    const { runner, decoder, producer, avro, registryBack, close } = await outageRunner(d, 'regout-late', { onFact: (f) => facts.push(f) });
    try {
      // A JSON event first: event time is known.
      await producer.send({ topic: d.topics.hydration, messages: [{ key: 'prod/api', value: JSON.stringify(ev('json-1')) }] });
      const deadline = Date.now() + 60_000;
      while (!facts.some((f) => f.kind === 'event') && Date.now() < deadline) await sleep(100);
      expect(facts.some((f) => f.kind === 'event')).toBe(true);
      // A good Avro event, while the registry is unreachable.
      await producer.send({ topic: d.topics.hydration, messages: [{ key: 'prod/api', value: await avro('avro-1') }] });
      await sleep(8_000); // registry down for 8 s (idle timeout 1 s, lateness 1 s)
      expect(decoder.waitingForRegistry).toBe(true);
      await registryBack();
      const until = Date.now() + 30_000;
      const avroFact = () => facts.find((f) => (f.kind === 'event' || f.kind === 'late') && f.envelope.event.eventId === 'avro-1');
      while (!avroFact() && Date.now() < until) await sleep(100);
      expect(avroFact()?.kind).toBe('event');
      expect(runner.counters().late).toBe(0);
    } finally {
      await close();
    }
  }, 120_000);

  it('a registry outage pauses consumption (bounded memory), stays in the group, and resumes when the registry answers', async () => {
    // A session timeout the outage outlasts: only heartbeats sent while consumption waits keep the member in.
    const d = await deploy('regoutmem', { partitions: 1, env: { DRIFTWATCH_SESSION_TIMEOUT: '6s', DRIFTWATCH_ALLOWED_LATENESS: '1s' } });
    let facts = 0;
    let joins = 0;
    const { runner, decoder, producer, avro, registryBack, close } = await outageRunner(d, 'regout-mem', {
      onFact: (f) => { if (f.kind === 'event' || f.kind === 'late') facts++; },
      metrics: new Proxy({} as LiveMetrics, { get: (_, name) => (name === 'assigned' ? () => joins++ : () => undefined) }),
    });
    const N = 50_000;
    try {
      await producer.send({ topic: d.topics.hydration, messages: [{ key: 'prod/api', value: await avro('avro-first') }] });
      for (let i = 0; i < N; i += 1000) {
        await producer.send({ topic: d.topics.hydration, messages: Array.from({ length: 1000 }, (_, j) => ({ key: 'prod/api', value: JSON.stringify(ev(`j-${i + j}`)) })) });
      }
      // Consumption stops once more than 10 000 records wait behind the held one (plus at most the fetch in hand).
      const deadline = Date.now() + 60_000;
      let last = -1;
      let stableSince = Date.now();
      while (Date.now() < deadline && Date.now() - stableSince < 10_000) {
        await sleep(500);
        if (runner.consumedRecords !== last) {
          last = runner.consumedRecords;
          stableSince = Date.now();
        }
      }
      expect(decoder.waitingForRegistry).toBe(true);
      expect(runner.consumedRecords).toBeGreaterThan(10_000);
      expect(runner.consumedRecords).toBeLessThan(25_000);
      expect(facts).toBe(0);
      expect(runner.ready).toBe(true);
      // The registry answers: everything is consumed and processed, by the same member (no rebalance meanwhile).
      await registryBack();
      const until = Date.now() + 60_000;
      while (facts < N + 1 && Date.now() < until) await sleep(200);
      expect(facts).toBe(N + 1);
      expect(runner.consumedRecords).toBe(N + 1);
      expect(joins).toBe(1);
    } finally {
      await close();
    }
  }, 180_000);
});
