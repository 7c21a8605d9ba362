import { describe, it, expect } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { decodeJsonRecord, decodeRecord, decodeRecords, type DecodeResult } from '../../../processors/decode.js';
import { createRegistryDecoder } from '../../../schemas/registry/registry-decoder.js';
import type { AvroRegistry } from '../../../schemas/registry/registry-client.js';
import { toWireFormat } from '../../../schemas/registry/wire-format.js';
import { T0, hydration, promotion } from '../ingest/events.js';

/** Optional fields of the promotion schema: Avro always carries them, null when absent. */
const PROMOTION_OPTIONAL = ['correlationId', 'version', 'digest', 'fromEnv', 'gate', 'snapshot', 'rollbackTo', 'actor', 'reason'];

/** What avsc hands back: an instance of a generated record class, optional fields null. */
class PromotionEventRecord {
  constructor(fields: Record<string, unknown>) {
    for (const f of PROMOTION_OPTIONAL) (this as Record<string, unknown>)[f] = null;
    Object.assign(this, fields);
  }
}

const responseError = (status: number, message: string) => Object.assign(new Error(`Confluent_Schema_Registry - ${message}`), { status });

/**
 * A stand-in registry: the ids in `known` (1) "decode" a JSON body into a PromotionEventRecord.
 * `down` makes every call fail like a refused connection.
 */
function fakeRegistry() {
  const state: { down: boolean; decodes: number; refusal?: Error; known: Set<number> } = { down: false, decodes: 0, known: new Set([1]) };
  const registry = {
    async decode(buffer: Buffer) {
      state.decodes++;
      if (state.down) throw responseError(400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:8081');
      if (state.refusal) throw state.refusal;
      const id = buffer.readUInt32BE(1);
      if (!state.known.has(id)) throw responseError(404, `No content with ID '${id}' was found.`);
      const body = buffer.subarray(5).toString('utf8');
      if (body === '') throw new Error('truncated buffer');
      return new PromotionEventRecord(JSON.parse(body));
    },
    encode: async () => Buffer.alloc(0),
    getRegistryIdBySchema: async () => 1,
  } as unknown as AvroRegistry;
  return { registry, state };
}

/** Virtual time for the outage backoff. */
function instantRetry() {
  const waits: number[] = [];
  return { waits, retry: { sleep: async (ms: number) => void waits.push(ms), now: () => waits.reduce((a, b) => a + b, 0), random: () => 0.5 } };
}

const avro = (event: Record<string, unknown>, id = 1) => toWireFormat(id, Buffer.from(JSON.stringify(event)));

function envelopeOf(r: DecodeResult) {
  if (!r.ok) throw new Error(`expected an envelope, got dead letter: ${r.deadLetter.reason}`);
  return r.envelope;
}
function reasonOf(r: DecodeResult) {
  if (r.ok) throw new Error('expected a dead letter');
  return r.deadLetter.reason;
}

describe('createRegistryDecoder', () => {
  it('decodes Confluent Avro into the same event as its JSON twin (null optional fields dropped)', async () => {
    const { registry } = fakeRegistry();
    const decoder = createRegistryDecoder({ registry });
    const event = promotion('p-1', T0, { correlationId: 'c-9' });
    const fromAvro = envelopeOf(await decodeRecord({ value: avro(event), source: { topic: 't', partition: 0, offset: '5' } }, decoder));
    const fromJson = envelopeOf(decodeJsonRecord(JSON.stringify(event), { topic: 't', partition: 0, offset: '5' }));
    expect(fromAvro).toEqual(fromJson);
    expect(Object.keys(fromAvro.event)).not.toContain('gate');
    expect(fromAvro.event).toEqual(event);
    expect(decoder.stats).toMatchObject({ avro: 1, json: 0 });
  });

  it('decodes JSON records synchronously, without the registry', () => {
    const { registry, state } = fakeRegistry();
    const decoder = createRegistryDecoder({ registry });
    const result = decodeRecord({ value: Buffer.from(JSON.stringify(hydration('h-1', T0))) }, decoder);
    expect(result).not.toBeInstanceOf(Promise);
    expect(envelopeOf(result as DecodeResult).event.eventId).toBe('h-1');
    expect(envelopeOf(decodeRecord({ value: JSON.stringify(hydration('h-2', T0)) }, decoder) as DecodeResult).event.eventId).toBe('h-2');
    expect(state.decodes).toBe(0);
    expect(decoder.stats).toMatchObject({ avro: 0, json: 2 });
  });

  it('dead-letters what cannot be decoded, with the reason', async () => {
    const { registry } = fakeRegistry();
    const decoder = createRegistryDecoder({ registry });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(hydration('h-bom', T0)))]);
    expect(reasonOf(decodeRecord({ value: bom }, decoder) as DecodeResult)).toBe(
      'invalid Avro/JSON: not JSON, and not Avro (no magic byte 0): starts with a UTF-8 byte order mark (bytes EF BB BF), which a JSON text sent over a network must not carry (RFC 8259 §8.1): serialize the event without one',
    );
    expect(reasonOf(decodeRecord({ value: Buffer.from('this is not json') }, decoder) as DecodeResult)).toMatch(
      /^invalid Avro\/JSON: not JSON, and not Avro \(no magic byte 0\): Unexpected token/,
    );
    expect(reasonOf(await decodeRecord({ value: avro(promotion('p-1', T0), 999) }, decoder))).toBe(
      "invalid Avro/JSON: schema id 999 is not in the schema registry (No content with ID '999' was found.)",
    );
    expect(reasonOf(await decodeRecord({ value: toWireFormat(1, Buffer.alloc(0)) }, decoder))).toBe('invalid Avro/JSON: schema id 1: truncated buffer');
    expect(reasonOf(await decodeRecord({ value: Buffer.from([0, 0, 1]) }, decoder))).toBe(
      'invalid Avro/JSON: starts with the Avro magic byte 0 but has 3 bytes, fewer than the 5-byte Confluent header',
    );
  });

  it('validates Avro events like JSON ones (a started promotion needs a version)', async () => {
    const { registry } = fakeRegistry();
    const decoder = createRegistryDecoder({ registry });
    const bad = { ...promotion('p-1', T0) };
    delete bad.version;
    expect(reasonOf(await decodeRecord({ value: avro(bad) }, decoder))).toBe('version: is required when phase is started');
  });

  it('waits out a registry outage instead of dead-lettering, keeping record order', async () => {
    const { registry, state } = fakeRegistry();
    const { waits, retry } = instantRetry();
    // Comes back after the third wait.
    const sleep = async (ms: number) => {
      await retry.sleep(ms);
      if (waits.length === 3) state.down = false;
    };
    const decoder = createRegistryDecoder({ registry, retry: { ...retry, sleep } });
    state.down = true;
    const records = [
      { value: avro(promotion('p-1', T0)) },
      { value: Buffer.from(JSON.stringify(hydration('h-1', T0 + 1))) },
      { value: avro(promotion('p-2', T0 + 2)) },
      { value: avro(promotion('p-3', T0 + 3), 999) },
    ];
    const results = await lastValueFrom(from(records).pipe(decodeRecords(decoder), toArray()));
    expect(results.map((r) => (r.ok ? r.envelope.event.eventId : `DLQ ${r.deadLetter.reason}`))).toEqual([
      'p-1',
      'h-1',
      'p-2',
      "DLQ invalid Avro/JSON: schema id 999 is not in the schema registry (No content with ID '999' was found.)",
    ]);
    expect(waits).toEqual([250, 500, 1000]);
    expect(decoder.stats).toMatchObject({ avro: 2, json: 1, outages: 1, retries: 3 });
    expect(decoder.waitingForRegistry).toBe(false);
  });

  // Answers that are not about the record: dead-lettering would commit a good event's offset, losing it.
  const refusals: Array<[string, Error]> = [
    ['refused credentials (401)', responseError(401, 'Unauthorized')],
    ['forbidden (403)', responseError(403, 'Forbidden')],
    // What the library makes of a 404 with a body that is not a registry error (here Apicurio without /apis/ccompat/v7).
    ['a 404 that is not the registry API', responseError(404, 'Error, status 404: [object Object]')],
  ];
  for (const [what, refusal] of refusals) {
    it(`waits out ${what} instead of dead-lettering the record, and logs what to check`, async () => {
      const { registry, state } = fakeRegistry();
      const { waits, retry } = instantRetry();
      const warnings: string[] = [];
      const logger = { child: () => logger, warn: (o: { err: string }) => void warnings.push(o.err), info: () => undefined } as never;
      // The operator fixes the configuration after the second wait.
      const sleep = async (ms: number) => {
        await retry.sleep(ms);
        if (waits.length === 2) state.refusal = undefined;
      };
      state.refusal = refusal;
      // Refused credentials are also a security audit record in live mode (engine/live/live-audit.ts): each refusal is told.
      const refused: unknown[] = [];
      const decoder = createRegistryDecoder({ registry, logger, retry: { ...retry, sleep }, onRefused: (err) => refused.push(err) });
      expect(envelopeOf(await decodeRecord({ value: avro(promotion('p-1', T0)) }, decoder)).event.eventId).toBe('p-1');
      expect(waits).toHaveLength(2);
      expect(warnings[0]).toMatch(/SCHEMA_REGISTRY_URL/);
      const status = (refusal as Error & { status: number }).status;
      expect(refused).toEqual(status === 404 ? [] : [refusal, refusal]); // the first try and the retry after the first wait
    });
  }
});

/**
 * The registry's own "not found" for a schema id is remembered for a while.
 * A counting stand-in registry (`state.decodes`: one per look-up) and a
 * virtual clock: the real registry cannot show the count, and the TTL is
 * not waited out on the wall clock (the real-registry count is in
 * test/integration/registry/unknown-schema-id.test.ts).
 */
describe('createRegistryDecoder: schema ids the registry does not know', () => {
  const unknownReason = "invalid Avro/JSON: schema id 999 is not in the schema registry (No content with ID '999' was found.)";

  function setup(unknownIds: { ttlMs?: number; maxIds?: number } = {}) {
    const { registry, state } = fakeRegistry();
    const clock = { now: 1_000_000 };
    const warnings: Array<Record<string, unknown>> = [];
    const logger = { child: () => logger, warn: (o: Record<string, unknown>) => void warnings.push(o), info: () => undefined } as never;
    const { retry } = instantRetry();
    const decoder = createRegistryDecoder({ registry, logger, retry: { ...retry, maxElapsedMs: 0 }, unknownIds: { ...unknownIds, now: () => clock.now } });
    /** Decodes one record after the other, as records that trickle in: each waits for the previous answer. */
    const decodeEach = async (values: Buffer[]) => {
      const out: string[] = [];
      for (const value of values) {
        const r = await decodeRecord({ value }, decoder);
        out.push(r.ok ? r.envelope.event.eventId : reasonOf(r));
      }
      return out;
    };
    return { decoder, state, clock, warnings, decodeEach };
  }
  const records = (n: number, id: number) => Array.from({ length: n }, (_, i) => avro(promotion(`p-${i}`, T0), id));

  it('asks the registry once for 1000 records of one unknown id, and dead-letters each with the registry\'s reason', async () => {
    const { decoder, state, warnings, decodeEach } = setup();
    const reasons = await decodeEach(records(1000, 999));
    expect(reasons).toEqual(Array(1000).fill(unknownReason));
    expect(state.decodes).toBe(1);
    expect(decoder.stats.unknownIdHits).toBe(999);
    // One warning for the id, not one per record.
    expect(warnings).toEqual([{ schemaId: 999, reason: unknownReason.replace('invalid Avro/JSON: ', ''), forgetInMs: 60_000 }]);
    // Other ids are not affected.
    expect(await decodeEach([avro(promotion('p-ok', T0))])).toEqual(['p-ok']);
  });

  it('asks again once the TTL has passed (the schema may have been registered since)', async () => {
    const { state, clock, decodeEach } = setup({ ttlMs: 60_000 });
    await decodeEach(records(3, 999));
    clock.now += 59_999;
    expect(await decodeEach(records(1, 999))).toEqual([unknownReason]);
    expect(state.decodes).toBe(1);
    clock.now += 1;
    expect(await decodeEach(records(2, 999))).toEqual([unknownReason, unknownReason]);
    expect(state.decodes).toBe(2); // asked again, then remembered anew
  });

  it('decodes an id at once when its schema was registered after the TTL', async () => {
    const { registry, state } = fakeRegistry();
    const clock = { now: 0 };
    const decoder = createRegistryDecoder({ registry, unknownIds: { ttlMs: 1_000, now: () => clock.now } });
    expect((await decodeRecord({ value: avro(promotion('p-1', T0), 7) }, decoder)).ok).toBe(false);
    state.known.add(7); // the producer's schema is registered
    expect((await decodeRecord({ value: avro(promotion('p-2', T0), 7) }, decoder)).ok).toBe(false); // still remembered
    clock.now = 1_000;
    expect(envelopeOf(await decodeRecord({ value: avro(promotion('p-3', T0), 7) }, decoder)).event.eventId).toBe('p-3');
    expect(state.decodes).toBe(2);
  });

  it('never remembers with a TTL of 0', async () => {
    const { state, warnings, decodeEach } = setup({ ttlMs: 0 });
    expect(await decodeEach(records(5, 999))).toEqual(Array(5).fill(unknownReason));
    expect(state.decodes).toBe(5);
    expect(warnings).toEqual([]);
  });

  it('remembers at most maxIds ids, forgetting the oldest answer first', async () => {
    const { state, decodeEach } = setup({ maxIds: 2 });
    await decodeEach([7, 8, 9].map((id) => avro(promotion('p', T0), id)));
    expect(state.decodes).toBe(3);
    await decodeEach([8, 9].map((id) => avro(promotion('p', T0), id)));
    expect(state.decodes).toBe(3); // 8 and 9 remembered
    await decodeEach([avro(promotion('p', T0), 7)]);
    expect(state.decodes).toBe(4); // 7 was forgotten to make room for 9
  });

  // Failures that are not the id's: never remembered, so the next record asks again (and decodes once the registry is back).
  const notTheIds: Array<[string, Error]> = [
    ['a refused connection', responseError(400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:8081')],
    ['a 503', responseError(503, 'Service Unavailable')],
    ['refused credentials (401)', responseError(401, 'Unauthorized')],
    ['forbidden (403)', responseError(403, 'Forbidden')],
    ['a 404 that is not the registry API', responseError(404, 'Error, status 404: [object Object]')],
  ];
  for (const [what, failure] of notTheIds) {
    it(`does not remember ${what}: the next record of the id asks the registry again`, async () => {
      const { state, decodeEach } = setup();
      state.refusal = failure;
      // maxElapsedMs 0: the look-up gives up at once instead of waiting (the live decoder waits as long as it takes).
      const [first] = await decodeEach([avro(promotion('p-1', T0))]);
      expect(first).toMatch(/^invalid Avro\/JSON: schema id 1: /);
      state.refusal = undefined;
      expect(await decodeEach([avro(promotion('p-2', T0))])).toEqual(['p-2']);
      expect(state.decodes).toBe(2);
    });
  }

  it('does not remember a record that fails to decode after its schema was found', async () => {
    const { state, decodeEach } = setup();
    expect(await decodeEach([toWireFormat(1, Buffer.alloc(0)), avro(promotion('p-2', T0))])).toEqual(['invalid Avro/JSON: schema id 1: truncated buffer', 'p-2']);
    expect(state.decodes).toBe(2);
  });
});
