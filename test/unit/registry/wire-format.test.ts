import { describe, it, expect } from 'vitest';
import { isConfluentWireFormat, schemaIdOf, toWireFormat } from '../../../schemas/registry/wire-format.js';
import { plainFromAvro } from '../../../schemas/registry/plain-value.js';

describe('Confluent wire format', () => {
  it('is magic byte 0 + big-endian 4-byte schema id + body', () => {
    const wire = toWireFormat(999, Buffer.from([7, 8]));
    expect([...wire]).toEqual([0, 0, 0, 3, 231, 7, 8]);
    expect(isConfluentWireFormat(wire)).toBe(true);
    expect(schemaIdOf(wire)).toBe(999);
  });

  it('never mistakes JSON (text, or bytes starting with { [ or whitespace) for Avro', () => {
    expect(isConfluentWireFormat('{"type":"index"}')).toBe(false);
    expect(isConfluentWireFormat(Buffer.from('{"type":"index"}'))).toBe(false);
    expect(isConfluentWireFormat(Buffer.from(' [1]'))).toBe(false);
    expect(isConfluentWireFormat(Buffer.alloc(0))).toBe(false);
  });

  it('reads the schema id as a signed 32-bit integer, as Confluent deserializers and the registry client do', () => {
    // Java's ByteBuffer.getInt, and the client library's readInt32BE: header bytes DE AD BE EF are id -559038737,
    // the id the registry is asked for and names in its answer (not 3735928559).
    const wire = Buffer.from([0, 0xde, 0xad, 0xbe, 0xef, 2]);
    expect(schemaIdOf(wire)).toBe(-559038737);
    expect([...toWireFormat(-559038737, Buffer.from([2]))]).toEqual([...wire]);
  });

  it('has no schema id when shorter than the 5-byte header', () => {
    expect(schemaIdOf(Buffer.from([0, 0, 1]))).toBeNull();
  });
});

describe('plainFromAvro', () => {
  class Gate {
    constructor(readonly name: string, readonly result: string, readonly extra: null) {}
  }
  class PromotionEvent {
    type = 'promotion';
    correlationId = null;
    version = '1.0.0';
    gate = new Gate('smoke', 'passed', null);
    snapshot = null;
    tags = ['a', null];
  }

  it('turns record instances into plain objects and drops null fields, at every depth', () => {
    const plain = plainFromAvro(new PromotionEvent()) as Record<string, unknown>;
    expect(plain).toEqual({ type: 'promotion', version: '1.0.0', gate: { name: 'smoke', result: 'passed' }, tags: ['a', null] });
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(plain.gate)).toBe(Object.prototype);
    expect('correlationId' in plain).toBe(false);
  });

  it('keeps scalars and bytes as they are', () => {
    expect(plainFromAvro(3)).toBe(3);
    expect(plainFromAvro(null)).toBeNull();
    const bytes = Buffer.from([1, 2]);
    expect(plainFromAvro(bytes)).toBe(bytes);
  });
});
