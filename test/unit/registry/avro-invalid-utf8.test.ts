/**
 * An Avro string whose bytes are not valid UTF-8. avsc decodes it with
 * U+FFFD in place of the bad bytes, so without a check the event would be
 * processed under a name nobody sent (a phantom instance or key); the JSON
 * path dead-letters the same bytes (processors/decode.ts textOf).
 * The registry is a stand-in around real avsc types (what the library
 * decodes with); test/integration/registry/ does it against a real one.
 */
import { describe, it, expect } from 'vitest';
import avro from 'avsc';
import { decodeRecord, type DecodeResult } from '../../../processors/decode.js';
import { createRegistryDecoder } from '../../../schemas/registry/registry-decoder.js';
import type { AvroRegistry } from '../../../schemas/registry/registry-client.js';
import { avroSchemas } from '../../../schemas/avro-schemas.js';
import { toWireFormat } from '../../../schemas/registry/wire-format.js';
import { invalidUtf8Path } from '../../../schemas/registry/avro-utf8.js';
import { T0, hydration, indexOp, promotion } from '../ingest/events.js';

const ids: Record<string, number> = { 'promotion-event': 1, 'hydration-event': 2, 'index-event': 3 };

/** Decodes as @kafkajs/confluent-schema-registry does: the writer schema's avsc type, by the id in the header. */
function avscRegistry(): { registry: AvroRegistry; encode: (name: string, event: Record<string, unknown>) => Buffer } {
  const types = new Map<number, avro.Type>();
  for (const [name, id] of Object.entries(ids)) types.set(id, avro.Type.forSchema(avroSchemas()[name] as avro.Schema));
  const typeOf = (id: number) => {
    const type = types.get(id);
    if (type === undefined) throw Object.assign(new Error(`No content with ID '${id}' was found.`), { status: 404 });
    return type;
  };
  const registry = {
    decode: async (buffer: Buffer) => typeOf(buffer.readUInt32BE(1)).fromBuffer(buffer.subarray(5)),
    getSchema: async (id: number) => typeOf(id),
    getRegistryIdBySchema: async () => 1,
  } as unknown as AvroRegistry;
  const encode = (name: string, event: Record<string, unknown>) => {
    const id = ids[name]!;
    const type = typeOf(id);
    // avsc wants every field, null for the absent optional ones.
    const full = Object.fromEntries((type as avro.types.RecordType).fields.map((f) => [f.name, event[f.name] ?? null]));
    return toWireFormat(id, type.toBuffer(full));
  };
  return { registry, encode };
}

/** The record with the first occurrence of `text` (ASCII) overwritten by `bytes` of the same length. */
function patched(record: Buffer, text: string, bytes: number[]): Buffer {
  const at = record.indexOf(Buffer.from(text, 'latin1'));
  if (at < 0 || bytes.length !== text.length) throw new Error(`cannot patch ${text}`);
  const out = Buffer.from(record);
  out.set(bytes, at);
  return out;
}

const deadLetterOf = (r: DecodeResult) => {
  if (r.ok) throw new Error(`expected a dead letter, got an event with ${JSON.stringify(r.envelope.event)}`);
  return r.deadLetter;
};

describe('Avro strings that are not valid UTF-8', () => {
  it('dead-letter the record, naming the field, instead of processing a name with U+FFFD', async () => {
    const { registry, encode } = avscRegistry();
    const decoder = createRegistryDecoder({ registry });
    // idx-0 → "idx" + 0xFF + "0": a lone byte that no UTF-8 sequence starts with.
    const badInstance = patched(encode('index-event', indexOp('i-1', T0)), 'idx-0', [0x69, 0x64, 0x78, 0xff, 0x30]);
    const dl = deadLetterOf(await decodeRecord({ value: badInstance, key: 'prod/search-index' }, decoder));
    expect(dl.reason).toBe('invalid Avro/JSON: schema id 3: field instance: its bytes are not valid UTF-8 (an Avro string must be); not processed with a replacement character');
    expect(dl.category).toBe('invalid_encoding');
    expect(dl.raw).toBe(badInstance);

    // The key's artifact, truncated mid-sequence (0xC3 starts a two-byte sequence, "-" cannot continue it).
    const badArtifact = patched(encode('hydration-event', hydration('h-1', T0, { artifact: 'shop-api' })), 'shop-api', [0x73, 0x68, 0x6f, 0x70, 0xc3, 0x61, 0x70, 0x69]);
    expect(deadLetterOf(await decodeRecord({ value: badArtifact }, decoder)).reason).toBe(
      'invalid Avro/JSON: schema id 2: field artifact: its bytes are not valid UTF-8 (an Avro string must be); not processed with a replacement character',
    );

    // An optional field (a union branch) is checked too.
    const badCorrelation = patched(encode('promotion-event', promotion('p-1', T0, { correlationId: 'corr-1' })), 'corr-1', [0x63, 0x6f, 0x72, 0x72, 0xed, 0xa0]);
    expect(deadLetterOf(await decodeRecord({ value: badCorrelation }, decoder)).reason).toBe(
      'invalid Avro/JSON: schema id 1: field correlationId: its bytes are not valid UTF-8 (an Avro string must be); not processed with a replacement character',
    );
  });

  it('still process a string that really holds U+FFFD (valid UTF-8), and valid multi-byte names', async () => {
    const { registry, encode } = avscRegistry();
    const decoder = createRegistryDecoder({ registry });
    for (const instance of ['idx-\uFFFD', 'idx-é-😀']) {
      const result = await decodeRecord({ value: encode('index-event', indexOp('i-1', T0, { instance })) }, decoder);
      if (!result.ok) throw new Error(`dead-lettered: ${result.deadLetter.reason}`);
      expect((result.envelope.event as { instance: string }).instance).toBe(instance);
    }
    expect(decoder.stats.avro).toBe(2);
  });
});

describe('invalidUtf8Path', () => {
  // Every kind of value the walk steps over before the string it stops at.
  const type = avro.Type.forSchema({
    type: 'record',
    name: 'Outer',
    fields: [
      { name: 'n', type: 'long' },
      { name: 'd', type: 'double' },
      { name: 'blob', type: 'bytes' },
      { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['a', 'b'] } },
      { name: 'tags', type: { type: 'array', items: 'string' } },
      { name: 'labels', type: { type: 'map', values: ['null', 'string'] } },
      { name: 'gate', type: ['null', { type: 'record', name: 'Gate', fields: [{ name: 'name', type: 'string' }] }] },
    ],
  });
  const value = { n: -123456789, d: 1.5, blob: Buffer.from([0xff, 0xfe]), kind: 'b', tags: ['é', 'tag-1'], labels: { team: 'ops', 'k-é': 'val-1' }, gate: { name: 'gate-1' } };
  const body = type.toBuffer(value);
  const bad = (text: string) => patched(body, text, [...Buffer.from(text.slice(0, -1), 'latin1'), 0xff]);

  it('names the string whose bytes are not UTF-8: an array item, a map value or key, a nested field', () => {
    expect(invalidUtf8Path(type, body)).toBeUndefined(); // invalid bytes in `blob` are bytes, not text
    expect(invalidUtf8Path(type, bad('tag-1'))).toBe('tags[1]');
    expect(invalidUtf8Path(type, bad('val-1'))).toBe('labels["k-é"]');
    expect(invalidUtf8Path(type, bad('team'))).toBe('labels (a map key)');
    expect(invalidUtf8Path(type, bad('gate-1'))).toBe('gate.name');
  });

  it('quotes at most the first 40 characters of a map key in the path (the path is the reason, and a key may be most of the record)', () => {
    const longKey = 'k'.repeat(700_000);
    const body = type.toBuffer({ ...value, labels: { [longKey]: 'val-1' } });
    const path = invalidUtf8Path(type, patched(body, 'val-1', [...Buffer.from('val-', 'latin1'), 0xff]));
    expect(path).toBe(`labels["${'k'.repeat(40)}"…]`);
  });
});
