import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { avroSchemas, avroSchemaText } from '../../../schemas/avro-schemas.js';
import { promotionEventSchema } from '../../../schemas/input-events.js';

describe('Avro schemas', () => {
  it('committed .avsc files equal the ones generated from the schema definitions', () => {
    for (const name of Object.keys(avroSchemas())) {
      const committed = readFileSync(new URL(`../../../schemas/avro/${name}.avsc`, import.meta.url), 'utf8');
      expect(committed, `schemas/avro/${name}.avsc is stale: run npm run schemas:avro`).toBe(avroSchemaText(name));
    }
  });

  it('maps every field of the promotion event, optional ones as nullable with default null', () => {
    const avro = avroSchemas()['promotion-event'] as { fields: Array<{ name: string; type: unknown; default?: unknown }> };
    expect(avro.fields.map((f) => f.name)).toEqual(Object.keys(promotionEventSchema.fields));
    const version = avro.fields.find((f) => f.name === 'version')!;
    expect(version.type).toEqual(['null', 'string']);
    expect(version.default).toBeNull();
    const phase = avro.fields.find((f) => f.name === 'phase')!;
    expect(phase.type).toMatchObject({ type: 'enum', symbols: ['started', 'gate', 'snapshot', 'succeeded', 'failed', 'rolled_back'] });
  });
});
