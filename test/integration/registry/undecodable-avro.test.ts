/**
 * Records that claim the Confluent wire format but cannot be processed, each
 * decoded through the real registry (SCHEMA_REGISTRY_URL) with the real Avro
 * library: every one is dead-lettered with a reason that says what is wrong,
 * at once (no outage is waited out, nothing is retried), and the good record
 * after them still decodes. The unit tests (test/unit/registry) cover the
 * same with a stand-in registry; this shows the words of the real one.
 */
import { beforeAll, expect, it } from 'vitest';
import { decodeRecord, type DecodeResult, type RawRecord } from '../../../processors/decode.js';
import { createRegistryClient } from '../../../schemas/registry/registry-client.js';
import { createRegistryDecoder } from '../../../schemas/registry/registry-decoder.js';
import { createAvroAlertEncoder } from '../../../schemas/registry/alert-encoder.js';
import { RegistryAdmin } from '../../../schemas/registry/registry-admin.js';
import { driftwatchSubjects, registerSubject } from '../../../schemas/registry/register-schemas.js';
import { toWireFormat } from '../../../schemas/registry/wire-format.js';
import { silentLogger } from '../../../lib/logger.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { deleteSubjects, describeRegistry, uniqueTopics } from './registry-env.js';

const hydration = {
  type: 'hydration', eventId: 'h-1', occurredAt: '2026-11-27T10:00:00.000Z', env: 'prod', artifact: 'api',
  ruleId: 'r', instance: 'i-1', inputDigest: 'sha256:a', outputDigest: 'sha256:b', durationMs: 4, status: 'ok',
};
const promotion = {
  type: 'promotion', eventId: 'p-1', occurredAt: '2026-11-27T10:00:00.000Z', env: 'prod', artifact: 'api',
  promotionId: 'p', phase: 'started', version: '1.2.3', digest: 'sha256:a',
};
const alert: AlertEvent = {
  alertId: 'a-1', fingerprint: 'f', rule: 'drift', status: 'firing', severity: 'high', escalationLevel: 1,
  labels: { env: 'prod', artifact: 'api' }, annotations: { summary: 's', description: 'd' },
  startsAt: '2026-11-27T10:00:00.000Z', emittedAt: '2026-11-27T10:00:01.000Z',
};

function dead(r: DecodeResult): { reason: string; category: string } {
  if (r.ok) throw new Error(`expected a dead letter, got event ${r.envelope.event.eventId}`);
  return { reason: r.deadLetter.reason, category: r.deadLetter.category };
}

describeRegistry('undecodable Avro records (real registry)', (url) => {
  const topics = uniqueTopics();
  const ids = { hydration: 0, promotion: 0, alert: 0 };
  let good: Buffer;

  beforeAll(async () => {
    const admin = new RegistryAdmin(url);
    const [p, h, , a] = driftwatchSubjects(topics);
    ids.promotion = (await registerSubject(admin, p!)).id;
    ids.hydration = (await registerSubject(admin, h!)).id;
    ids.alert = (await registerSubject(admin, a!)).id;
    good = await createRegistryClient(url).encode(ids.hydration, hydration);
    return () => deleteSubjects(url, [p!.subject, h!.subject, a!.subject]);
  });

  it('dead-letters each with its reason, waits out nothing, and decodes the good record after them', async () => {
    const decoder = createRegistryDecoder({ registry: createRegistryClient(url), logger: silentLogger });
    const onHydration = (value: Buffer, offset: number): RawRecord => ({
      value, expectedType: 'hydration', source: { topic: topics.hydration, partition: 0, offset: String(offset) },
    });
    const body = good.subarray(5);
    const alertBytes = await (async () => {
      const encoder = createAvroAlertEncoder({ registry: createRegistryClient(url), subject: `${topics.alerts}-value`, logger: silentLogger });
      await encoder.ready();
      return encoder.encode(alert) as Buffer;
    })();
    const cases: Array<[string, Buffer, string, string]> = [
      ['truncated Avro', good.subarray(0, good.length - 3), `invalid Avro/JSON: schema id ${ids.hydration}: truncated buffer`, 'invalid_encoding'],
      ['only the header', good.subarray(0, 5), `invalid Avro/JSON: schema id ${ids.hydration}: truncated buffer`, 'invalid_encoding'],
      ['shorter than the header', good.subarray(0, 3), 'invalid Avro/JSON: starts with the Avro magic byte 0 but has 3 bytes, fewer than the 5-byte Confluent header', 'invalid_encoding'],
      ['bytes after the record', Buffer.concat([good, Buffer.from([1, 2, 3])]), `invalid Avro/JSON: schema id ${ids.hydration}: trailing data`, 'invalid_encoding'],
      ['magic byte and a known id, then garbage', toWireFormat(ids.hydration, Buffer.from('garbage garbage garbage')),
        `invalid Avro/JSON: schema id ${ids.hydration}: invalid io.driftwatch.v1.HydrationEventType enum index: -52`, 'invalid_encoding'],
      ['magic byte, then garbage as the id', toWireFormat(2_000_000_001, Buffer.from('garbage')),
        "invalid Avro/JSON: schema id 2000000001 is not in the schema registry (No content with ID '2000000001' was found.)", 'invalid_encoding'],
      ['magic byte, then an id with its top bit set', Buffer.from([0, 0xde, 0xad, 0xbe, 0xef, 2]),
        "invalid Avro/JSON: schema id -559038737 is not in the schema registry (No content with ID '-559038737' was found.)", 'invalid_encoding'],
      ['a hydration body under the promotion schema id', toWireFormat(ids.promotion, body),
        `invalid Avro/JSON: schema id ${ids.promotion}: invalid union index: -53`, 'invalid_encoding'],
      ['an alert, with the alert schema id, on an input topic', alertBytes,
        'type: expected one of promotion, hydration, index, got nothing', 'invalid_event'],
      ['a promotion, with its own schema id, on the hydration topic', await createRegistryClient(url).encode(ids.promotion, promotion),
        `type: expected "hydration" on topic ${topics.hydration} (each input topic carries one event type), got "promotion"`, 'wrong_topic'],
    ];
    for (const [i, [what, bytes, reason, category]] of cases.entries()) {
      expect(dead(await decodeRecord(onHydration(bytes, i), decoder)), what).toEqual({ reason, category });
    }
    const after = await decodeRecord(onHydration(good, cases.length), decoder);
    expect(after.ok && after.envelope.event).toEqual(hydration);
    expect(decoder.stats.outages).toBe(0);
    expect(decoder.stats.retries).toBe(0);
    expect(decoder.waitingForRegistry).toBe(false);
  });
});
