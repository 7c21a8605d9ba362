/**
 * A schema registry stopped in the middle of a run and started again: no
 * record is lost, none is processed twice, and their order is kept.
 *
 * The registry is a private Apicurio (private-registry.ts: its own port, run
 * and data directories; the suite's shared one is never touched), really
 * stopped (SIGTERM) while the engine decodes, then started again on the same
 * data, as a production registry comes back with its schemas. The records
 * whose schema id was looked up before the stop decode from the cache
 * meanwhile; the first record of an id not looked up yet waits for the
 * registry, and every record pushed after it (Avro or JSON) waits behind it.
 * The test waits on real time (the registry's restart), as an integration
 * test may; the backoff schedule itself is unit-tested on virtual time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline } from '../../../engine/pipeline.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { silentLogger } from '../../../lib/logger.js';
import { createRegistryClient } from '../../../schemas/registry/registry-client.js';
import { createRegistryDecoder } from '../../../schemas/registry/registry-decoder.js';
import { RegistryAdmin } from '../../../schemas/registry/registry-admin.js';
import { driftwatchSubjects, registerSubject } from '../../../schemas/registry/register-schemas.js';
import type { RawRecord } from '../../../processors/decode.js';
import { uniqueTopics } from './registry-env.js';
import { PrivateRegistry, privateRegistryProblem } from './private-registry.js';

const problem = privateRegistryProblem();
if (problem && process.env.CI === 'true') throw new Error(`${problem} (CI=true: this test must run, not skip)`);
if (problem) console.warn(`[registry] skipping the registry-restart test: ${problem}`);

const T0 = Date.parse('2026-11-27T10:00:00.000Z');
const at = (i: number) => new Date(T0 + i * 1000).toISOString();
const base = (i: number) => ({ eventId: `e-${i}`, occurredAt: at(i), env: 'prod', artifact: 'api' });
const hydration = (i: number) => ({ ...base(i), type: 'hydration', ruleId: 'r', instance: 'i-1', inputDigest: 'sha256:a', outputDigest: 'sha256:a', durationMs: 4, status: 'ok' });
const index = (i: number) => ({ ...base(i), type: 'index', op: 'read', instance: 'i-1', servedDigest: 'sha256:a', latencyMs: 2, status: 'ok' });

const until = async (cond: () => boolean, what: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.skipIf(problem !== undefined)('a schema registry stopped mid-run and started again (private registry)', () => {
  let registry: PrivateRegistry;
  beforeAll(async () => {
    registry = await PrivateRegistry.start();
  }, 180_000);
  afterAll(() => registry?.remove(), 60_000);

  it('processes every record exactly once, in order, once the registry is back; none is dead-lettered', async () => {
    const admin = new RegistryAdmin(registry.url);
    const [, hydrationSpec, indexSpec] = driftwatchSubjects(uniqueTopics());
    const ids = { hydration: (await registerSubject(admin, hydrationSpec!)).id, index: (await registerSubject(admin, indexSpec!)).id };
    const writer = createRegistryClient(registry.url);
    // Records 0-99: Avro hydrations; 100-199: Avro index operations (an id the decoder has not looked up before the
    // stop), each tenth one JSON; all keyed alike, one partition.
    const records: RawRecord[] = [];
    for (let i = 0; i < 200; i++) {
      const event = i < 100 ? hydration(i) : index(i);
      const value = i % 10 === 5 ? Buffer.from(JSON.stringify(event)) : await writer.encode(i < 100 ? ids.hydration : ids.index, event);
      records.push({ value, source: { topic: 't', partition: 0, offset: String(i) } });
    }

    const decoder = createRegistryDecoder({ registry: createRegistryClient(registry.url), logger: silentLogger, retry: { initialDelayMs: 100, maxDelayMs: 500 } });
    const processed: string[] = [];
    const deadLetters: string[] = [];
    const pipeline = createPipeline({
      processing: defaultProcessingOptions,
      alerts: defaultAlertsConfig(),
      writer: null,
      decoder,
      onEnvelope: (e) => processed.push(e.event.eventId),
      onDeadLetter: (dl) => deadLetters.push(dl.reason),
    });

    // The run: the first half, decoded with the registry up (the hydration schema is cached from then on).
    for (const r of records.slice(0, 100)) pipeline.push(r);
    await until(() => processed.length === 100, 'the first 100 records decoded');
    await registry.down();
    // The second half while it is stopped: the first index record waits for the registry, everything after it too.
    for (const r of records.slice(100)) pipeline.push(r);
    await until(() => decoder.waitingForRegistry && decoder.stats.retries >= 2, 'the decoder waiting out the outage');
    expect(processed).toHaveLength(100);
    expect(pipeline.undecoded).toBe(100);
    expect(deadLetters).toEqual([]);

    await registry.up();
    await pipeline.end();
    expect(deadLetters).toEqual([]);
    expect(processed).toEqual(records.map((_, i) => `e-${i}`));
    expect(pipeline.counters).toMatchObject({ records: 200, deadLetters: 0, duplicates: 0 });
    expect(decoder.stats).toMatchObject({ avro: 180, json: 20, outages: 1 });
    expect(decoder.waitingForRegistry).toBe(false);
  }, 240_000);
});
