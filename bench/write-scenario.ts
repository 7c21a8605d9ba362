/**
 * Writes a generated scenario to an NDJSON file, streaming (the generator is
 * lazy and lines go out in ~1 MB writes), so a million events never sit in
 * memory at once.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { ScenarioGenerator } from '../engine/demo/scenario-generator.js';
import type { ScenarioInput } from '../engine/demo/scenario-options.js';

export interface WrittenScenario {
  path: string;
  records: number;
  events: number;
  duplicates: number;
  malformed: number;
  bytes: number;
  keys: number;
  spanMs: number;
  ms: number;
}

export async function writeScenarioFile(path: string, input: ScenarioInput): Promise<WrittenScenario> {
  const started = performance.now();
  const gen = new ScenarioGenerator(input);
  const out = createWriteStream(path);
  let buffer = '';
  let bytes = 0;
  for (let r = gen.next(); r !== undefined; r = gen.next()) {
    buffer += r.value + '\n';
    if (buffer.length >= 1 << 20) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  bytes += Buffer.byteLength(buffer);
  out.write(buffer);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  const s = gen.stats;
  return { path, records: s.records, events: s.events, duplicates: s.duplicates, malformed: s.malformed, bytes, keys: gen.keys.length, spanMs: gen.options.spanMs, ms: performance.now() - started };
}
