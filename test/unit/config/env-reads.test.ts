/**
 * README Configuration: every option is a row of the table (readme-config.test.ts pins the table to the schema).
 * This pins the schema to the code: the engine and its CLI read no environment variable the schema does not
 * have, so none is a setting the README never mentions.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configReference } from '../../../config/env-config.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// The shipped code (package.json files: dist/ of these); bench/ and test/ read their own variables.
const shipped = ['cli', 'config', 'engine', 'lib', 'processors', 'schemas', 'store', 'topics'];
// Not settings: the OS user named in audit records (store/admin-audit.ts).
const notSettings = new Set(['USER']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('environment variables the code reads', () => {
  it('are the options of the configuration schema', () => {
    const options = new Set(configReference().map((o) => o.env));
    const read = new Map<string, string>();
    for (const file of shipped.flatMap((d) => sources(join(root, d)))) {
      const code = readFileSync(file, 'utf8').replace(/^\s*(\/\/|\*).*$/gm, '');
      for (const m of code.matchAll(/\benv(?:\?)?(?:\.([A-Z][A-Z0-9_]+)|\[['"]([A-Z][A-Z0-9_]+)['"]\])/g)) read.set(m[1] ?? m[2]!, file.slice(root.length));
    }
    expect(read.size).toBeGreaterThan(0);
    const unknown = [...read].filter(([name]) => !options.has(name) && !notSettings.has(name)).map(([n, f]) => `${n} (${f})`);
    expect(unknown).toEqual([]);
  });
});
