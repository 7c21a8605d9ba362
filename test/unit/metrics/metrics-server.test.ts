import { describe, it, expect, afterEach } from 'vitest';
import { request } from 'node:http';
import { MetricsRegistry } from '../../../engine/metrics/metrics-registry.js';
import { startConfiguredMetricsServer, startMetricsServer, type MetricsServer, type Readiness } from '../../../engine/metrics/metrics-server.js';
import { ConfigError } from '../../../lib/errors.js';
import { createLogger } from '../../../lib/logger.js';

const open: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(isReady?: () => Readiness): Promise<{ server: MetricsServer; registry: MetricsRegistry }> {
  const registry = new MetricsRegistry();
  registry.counter({ name: 'dw_events_in_total', help: 'In.', labelNames: ['topic'] }).inc({ topic: 'p' }, 3);
  const server = await startMetricsServer({ registry, port: 0, host: '127.0.0.1', ...(isReady ? { isReady } : {}) });
  open.push(server);
  return { server, registry };
}

describe('metrics server', () => {
  it('binds a random port when asked for 0 and serves /metrics in the Prometheus text format', async () => {
    const { server } = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const res = await fetch(`${server.url}/metrics?x=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toBe('# HELP dw_events_in_total In.\n# TYPE dw_events_in_total counter\ndw_events_in_total{topic="p"} 3\n');
  });

  it('answers /healthz while alive and /readyz from isReady', async () => {
    let state: Readiness = { ready: false, reason: 'restoring state: 2 of 6 partitions' };
    const { server } = await start(() => state);
    const health = await fetch(`${server.url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const notReady = await fetch(`${server.url}/readyz`);
    expect([notReady.status, await notReady.text()]).toEqual([503, 'restoring state: 2 of 6 partitions\n']);
    state = true;
    const ready = await fetch(`${server.url}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([200, 'ready\n']);
  });

  it('reports not ready when isReady throws, and is ready without an isReady', async () => {
    const { server } = await start(() => {
      throw new Error('no assignment yet');
    });
    const res = await fetch(`${server.url}/readyz`);
    expect([res.status, await res.text()]).toEqual([503, 'readiness check failed: no assignment yet\n']);
    const { server: plain } = await start();
    expect((await fetch(`${plain.url}/readyz`)).status).toBe(200);
  });

  it('answers 404 for other paths, 405 for other methods, and HEAD without a body', async () => {
    const { server } = await start();
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    const head = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('close() returns promptly even with a keep-alive connection open', async () => {
    const { server } = await start();
    const agentRes = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/healthz`, { headers: { connection: 'keep-alive' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    expect(agentRes).toBe(200);
    await server.close();
    await server.close(); // idempotent
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('fails with a ConfigError naming DRIFTWATCH_METRICS_PORT when the port is taken', async () => {
    const { server } = await start();
    const err = await startMetricsServer({ registry: new MetricsRegistry(), port: server.port, host: '127.0.0.1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      `DRIFTWATCH_METRICS_PORT: port ${server.port} is already in use; choose another port, or 0 to disable the metrics endpoint`,
    );
  });

  it('bound to all interfaces (no host), says so and gives a URL of this host, not the IPv6 loopback [::1]', async () => {
    const lines: Array<{ msg: string; url: string; interfaces?: string }> = [];
    const logger = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l) as (typeof lines)[number]) } });
    const server = await startMetricsServer({ registry: new MetricsRegistry(), port: 0, logger });
    open.push(server);
    expect(server.url).toBe(`http://localhost:${server.port}`);
    expect(lines).toMatchObject([{ msg: 'metrics endpoint listening on all interfaces (/metrics, /healthz, /readyz)', url: server.url, interfaces: 'all' }]);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('treats a configured port of 0 as disabled', async () => {
    expect(await startConfiguredMetricsServer(0, { registry: new MetricsRegistry() })).toBeNull();
  });
});
