/**
 * A registry outage, on real sockets: the decoder points at a port where
 * nothing listens yet (connection refused), retries with backoff, and the
 * record decodes once a TCP proxy to the real registry opens on that port —
 * no dead letter. The test waits on real time (short backoff), as an
 * integration test may; the schedule itself is unit-tested on virtual time.
 */
import { afterEach, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { decodeRecord, type DecodeResult } from '../../../processors/decode.js';
import { createRegistryClient } from '../../../schemas/registry/registry-client.js';
import { createRegistryDecoder } from '../../../schemas/registry/registry-decoder.js';
import { RegistryAdmin } from '../../../schemas/registry/registry-admin.js';
import { driftwatchSubjects, registerSubject } from '../../../schemas/registry/register-schemas.js';
import { silentLogger } from '../../../lib/logger.js';
import { freePort } from '../../../lib/free-port.js';
import { deleteSubjects, describeRegistry, uniqueTopics } from './registry-env.js';

/** Forwards every connection on 127.0.0.1:`port` to `target`; `rewrite` may change what the client sends. */
async function startProxy(port: number, target: URL, rewrite?: (chunk: Buffer) => Buffer): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 80), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    if (rewrite) client.on('data', (chunk: Buffer) => upstream.write(rewrite(chunk)));
    else client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, sockets };
}

const until = async (cond: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describeRegistry('schema registry outage (real sockets)', (url) => {
  let proxy: { server: Server; sockets: Set<Socket> } | null = null;
  const subjects: string[] = [];
  afterEach(async () => {
    if (proxy) {
      for (const s of proxy.sockets) s.destroy();
      await new Promise<void>((resolve) => proxy!.server.close(() => resolve()));
      proxy = null;
    }
    await deleteSubjects(url, subjects.splice(0));
  });

  /** A hydration event in the wire format, its schema registered under a subject of this test. */
  async function registeredHydration(): Promise<{ event: Record<string, unknown>; bytes: Buffer }> {
    const spec = driftwatchSubjects(uniqueTopics())[1]!; // hydration-event
    subjects.push(spec.subject);
    const { id } = await registerSubject(new RegistryAdmin(url), spec);
    const event = {
      type: 'hydration', eventId: 'h-1', occurredAt: '2026-11-27T10:00:00.000Z', env: 'prod', artifact: 'api',
      ruleId: 'r', instance: 'i-1', inputDigest: 'sha256:a', outputDigest: 'sha256:b', durationMs: 4, status: 'ok',
    };
    return { event, bytes: await createRegistryClient(url).encode(id, event) };
  }

  it('waits while the registry is unreachable and decodes the record once it answers', async () => {
    const { event, bytes } = await registeredHydration();

    const real = new URL(url);
    const port = await freePort();
    const unreachable = `http://127.0.0.1:${port}${real.pathname}`;
    const decoder = createRegistryDecoder({
      registry: createRegistryClient(unreachable),
      logger: silentLogger,
      retry: { initialDelayMs: 50, maxDelayMs: 200 },
    });
    let settled: DecodeResult | null = null;
    const pending = Promise.resolve(decodeRecord({ value: bytes }, decoder)).then((r) => (settled = r));

    // Refused, and refused again after a backoff wait (each attempt also includes the library's own quick retries).
    await until(() => decoder.waitingForRegistry && decoder.stats.retries >= 1);
    expect(settled).toBeNull();

    proxy = await startProxy(port, real);
    const result = await pending;
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.envelope.event).toEqual(event);
    expect(decoder.stats.outages).toBe(1);
    expect(decoder.stats.retries).toBeGreaterThanOrEqual(1);
    expect(decoder.waitingForRegistry).toBe(false);
  });

  it('waits, rather than dead-lettering, while SCHEMA_REGISTRY_URL is not the API root, and decodes once it is', async () => {
    // Apicurio answers a path outside /apis/ccompat/v7 with a 404 of its own web layer, not a registry "schema not
    // found": the record is not at fault, and dead-lettering it would commit its offset (a good event lost).
    const { event, bytes } = await registeredHydration();
    const real = new URL(url);
    const port = await freePort();
    // A proxy to the registry's host that forwards request paths as they come (the API root missing: Apicurio's own
    // 404) until the operator's fix, from which on it puts the root in front of every request line.
    let fixed = false;
    const apiRoot = real.pathname.replace(/\/$/, '');
    proxy = await startProxy(port, real, (chunk) =>
      fixed ? Buffer.from(chunk.toString('latin1').replace(/^([A-Z]+) \//, `$1 ${apiRoot}/`), 'latin1') : chunk,
    );
    const decoder = createRegistryDecoder({
      registry: createRegistryClient(`http://127.0.0.1:${port}`), // SCHEMA_REGISTRY_URL without /apis/ccompat/v7
      logger: silentLogger,
      retry: { initialDelayMs: 50, maxDelayMs: 200 },
    });
    let settled: DecodeResult | null = null;
    const pending = Promise.resolve(decodeRecord({ value: bytes }, decoder)).then((r) => (settled = r));
    await until(() => decoder.waitingForRegistry && decoder.stats.retries >= 1);
    expect(settled).toBeNull();
    fixed = true;
    const result = await pending;
    expect(result.ok ? result.envelope.event : result.deadLetter.reason).toEqual(event);
  });
});
