/**
 * The committed .avsc files agree with the schema definitions that give the
 * TypeScript types and the runtime validation, field by field: every field in
 * order, its Avro type for the definition's kind, optional ⇔ a null union with
 * default null, required ⇔ no null and no default, enum symbols, nested
 * records, docs. The oracle below is written independently of dsl.ts toAvro
 * (avro-schemas.test.ts only checks the files against that generator's
 * output), so a mapping mistake in the generator fails here.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Schema } from '../../../schemas/dsl.js';
import { hydrationEventSchema, indexEventSchema, promotionEventSchema } from '../../../schemas/input-events.js';
import { alertEventSchema } from '../../../schemas/alert-event.js';

interface AvroField { name: string; type: unknown; default?: unknown; doc?: string }
interface AvroRecord { type: 'record'; name: string; namespace?: string; doc?: string; fields: AvroField[] }

type Definition = Schema<unknown> & { fields?: Record<string, Schema<unknown>>; name?: string };

const committed = (name: string) => JSON.parse(readFileSync(new URL(`../../../schemas/avro/${name}.avsc`, import.meta.url), 'utf8')) as AvroRecord;

/** Primitive Avro type of each leaf kind of the schema language. */
const PRIMITIVE: Record<string, string> = { string: 'string', timestamp: 'string', number: 'double', integer: 'long', boolean: 'boolean' };

/** Asserts that `avro` is the Avro type of `def` (required form); `at` names the field in failures. */
function expectTypeOf(def: Definition, avro: unknown, at: string): void {
  if (def.kind in PRIMITIVE) {
    expect(avro, at).toBe(PRIMITIVE[def.kind]);
  } else if (def.kind === 'enum') {
    expect(avro, at).toMatchObject({ type: 'enum', symbols: def.rule!.type === 'enum' ? def.rule!.values : [] });
  } else if (def.kind === 'map') {
    // The only map (alert labels) holds strings; the validator's value schema is not exposed, its check is.
    expect(avro, at).toEqual({ type: 'map', values: 'string' });
    expect(def.check({ k: 1 }, at), at).toMatch(/expected a string/);
  } else if (def.kind === 'object') {
    expectRecordOf(def, avro as AvroRecord, at);
  } else {
    throw new Error(`${at}: no oracle for kind ${def.kind}`);
  }
}

function expectRecordOf(def: Definition, avro: AvroRecord, at: string): void {
  expect(avro.type, at).toBe('record');
  expect(avro.name, at).toBe(def.name);
  expect(avro.doc, at).toBe(def.doc);
  const fields = Object.entries(def.fields!);
  expect(avro.fields.map((f) => f.name), `${at}: fields and their order`).toEqual(fields.map(([name]) => name));
  for (const [name, field] of fields) {
    const a = avro.fields.find((f) => f.name === name)!;
    const path = at ? `${at}.${name}` : name;
    expect(a.doc, `${path}: doc`).toBe(field.doc);
    if (field.isOptional) {
      // Optional: absent in JSON, null in Avro; the validator takes null as absent, so Avro's null passes it.
      expect(Array.isArray(a.type) && a.type.length === 2 && a.type[0] === 'null', `${path}: ["null", T]`).toBe(true);
      expect('default' in a && a.default === null, `${path}: default null`).toBe(true);
      expect(field.check(null, path), `${path}: validator takes null as absent`).toBeUndefined();
      expectTypeOf(field.inner as Definition, (a.type as unknown[])[1], path);
    } else {
      expect('default' in a, `${path}: a required field has no default`).toBe(false);
      expect(Array.isArray(a.type), `${path}: a required field is no union`).toBe(false);
      expect(field.check(null, path), `${path}: the validator refuses null`).toBeDefined();
      expect(field.check(undefined, path), `${path}: the validator refuses nothing`).toBeDefined();
      expectTypeOf(field as Definition, a.type, path);
    }
  }
}

describe('schemas/avro/*.avsc agree with the definitions behind the types and validators', () => {
  it.each([
    ['promotion-event', promotionEventSchema],
    ['hydration-event', hydrationEventSchema],
    ['index-event', indexEventSchema],
    ['alert-event', alertEventSchema],
  ] as const)('%s: every field, its type, optionality, default and doc', (file, def) => {
    expectRecordOf(def as unknown as Definition, committed(file), '');
  });

});
