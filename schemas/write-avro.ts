/** Writes schemas/avro/*.avsc from the schema definitions (npm run schemas:avro). */
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname, sep } from 'node:path';
import { avroSchemas, avroSchemaText } from './avro-schemas.js';

// Works from schemas/ (tsx) and dist/schemas/ (compiled): the .avsc files live in the source tree.
const here = dirname(fileURLToPath(import.meta.url));
const dir = here.split(sep).includes('dist') ? join(here, '..', '..', 'schemas', 'avro') : join(here, 'avro');
mkdirSync(dir, { recursive: true });
for (const name of Object.keys(avroSchemas())) {
  writeFileSync(join(dir, `${name}.avsc`), avroSchemaText(name));
  console.log(`wrote ${join(dir, `${name}.avsc`)}`);
}
