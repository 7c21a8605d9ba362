/**
 * Registry look-ups are cached: through a counting forwarder in front of the
 * real registry (counting-forwarder.ts), a decoder that reads many Avro
 * records of several schema ids, one after the other, asks the registry for
 * each id once; an Avro alert encoder that encodes many alerts asks once at
 * start-up and never while encoding.
 */
import { afterEach, beforeAll, expect, it } from 'vitest';
import { decodeRecord } from '../../../processors/decode.js';
import { createRegistryClient } from '../../../schemas/registry/registry-client.js';
import { createRegistryDecoder } from '../../../schemas/registry/registry-decoder.js';
import { createAvroAlertEncoder } from '../../../schemas/registry/alert-encoder.js';
import { RegistryAdmin } from '../../../schemas/registry/registry-admin.js';
import { driftwatchSubjects, registerSubject } from '../../../schemas/registry/register-schemas.js';
import { silentLogger } from '../../../lib/logger.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { countingForwarder } from './counting-forwarder.js';
import { deleteSubjects, describeRegistry, uniqueTopics } from './registry-env.js';

const base = { occurredAt: '2026-11-27T10:00:00.000Z', env: 'prod', artifact: 'api' };
const events = {
  promotion: (i: number) => ({ ...base, type: 'promotion', eventId: `p-${i}`, promotionId: `p-${i}`, phase: 'failed' }),
  hydration: (i: number) => ({ ...base, type: 'hydration', eventId: `h-${i}`, ruleId: 'r', instance: 'i-1', inputDigest: 'sha256:a', outputDigest: 'sha256:b', durationMs: i, status: 'ok' }),
  index: (i: number) => ({ ...base, type: 'index', eventId: `x-${i}`, op: 'read', instance: 'i-1', servedDigest: 'sha256:a', latencyMs: i, status: 'ok' }),
};
type Kind = keyof typeof events;

describeRegistry('schema registry look-ups are cached (real registry)', (url) => {
  const topics = uniqueTopics();
  const specs = driftwatchSubjects(topics);
  const ids: Record<Kind, number> = { promotion: 0, hydration: 0, index: 0 };
  let forwarder: Awaited<ReturnType<typeof countingForwarder>> | null = null;

  beforeAll(async () => {
    const admin = new RegistryAdmin(url);
    for (const spec of specs) {
      const { id } = await registerSubject(admin, spec);
      if (spec.schemaName !== 'alert-event') ids[spec.schemaName.replace('-event', '') as Kind] = id;
    }
    return () => deleteSubjects(url, specs.map((s) => s.subject));
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => forwarder?.server.close(() => resolve()) ?? resolve());
    forwarder = null;
  });

  it('decodes 600 records of three schema ids, one at a time, asking the registry once per id', async () => {
    const writer = createRegistryClient(url); // encodes beside the forwarder: only the decoder's requests are counted
    forwarder = await countingForwarder(new URL(url));
    const decoder = createRegistryDecoder({ registry: createRegistryClient(forwarder.url), logger: silentLogger });
    const kinds: Kind[] = ['promotion', 'hydration', 'index'];
    const decoded: string[] = [];
    for (let i = 0; i < 600; i++) {
      const kind = kinds[i % 3]!;
      const r = await decodeRecord({ value: await writer.encode(ids[kind], events[kind](i)) }, decoder);
      decoded.push(r.ok ? r.envelope.event.eventId : r.deadLetter.reason);
    }
    expect(decoded).toEqual(Array.from({ length: 600 }, (_, i) => events[kinds[i % 3]!](i).eventId));
    expect(decoder.stats.avro).toBe(600);
    expect(forwarder.paths).toHaveLength(3);
    for (const kind of kinds) expect(forwarder.paths.filter((p) => new RegExp(`/schemas/ids/${ids[kind]}(\\?|$)`).test(p)), kind).toHaveLength(1);
  });

  it('an Avro alert encoder asks at start-up only, not per alert', async () => {
    forwarder = await countingForwarder(new URL(url));
    const encoder = createAvroAlertEncoder({ registry: createRegistryClient(forwarder.url), subject: `${topics.alerts}-value`, logger: silentLogger });
    await encoder.ready();
    const atStartUp = forwarder.paths.length;
    expect(atStartUp).toBeGreaterThan(0);
    for (let i = 0; i < 200; i++) {
      const alert: AlertEvent = {
        alertId: `a-${i}`, fingerprint: 'f', rule: 'drift', status: 'firing', severity: 'high', escalationLevel: 1,
        labels: { env: 'prod' }, annotations: { summary: 's', description: 'd' }, startsAt: base.occurredAt, emittedAt: base.occurredAt,
      };
      encoder.encode(alert);
    }
    expect(forwarder.paths.length).toBe(atStartUp);
  });
});
