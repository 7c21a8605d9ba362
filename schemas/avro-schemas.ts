/**
 * Avro schemas derived from the same definitions as the TypeScript types and
 * validators. `schemas/avro/*.avsc` are generated from here
 * (`npm run schemas:avro`) and a test fails when they disagree.
 */
import type { Schema } from './dsl.js';
import { hydrationEventSchema, indexEventSchema, promotionEventSchema } from './input-events.js';
import { alertEventSchema } from './alert-event.js';

export const AVRO_NAMESPACE = 'io.driftwatch.v1';

const sources: Record<string, Schema<unknown>> = {
  'promotion-event': promotionEventSchema,
  'hydration-event': hydrationEventSchema,
  'index-event': indexEventSchema,
  'alert-event': alertEventSchema,
};

/** File base name → Avro schema object. */
export function avroSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [file, schema] of Object.entries(sources)) out[file] = schema.toAvro(file, AVRO_NAMESPACE);
  return out;
}

/** The text of `schemas/avro/<name>.avsc` as generated. */
export function avroSchemaText(name: string): string {
  const schema = avroSchemas()[name];
  if (schema === undefined) throw new Error(`unknown Avro schema ${name}`);
  return JSON.stringify(schema, null, 2) + '\n';
}
