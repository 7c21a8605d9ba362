/** Generates a scenario into a temp NDJSON file and replays it (no store), for the demo tests. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayFile, type ReplaySummary } from '../../../engine/replay.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { silentLogger } from '../../../lib/logger.js';
import { ScenarioGenerator, type GeneratedRecord } from '../../../engine/demo/scenario-generator.js';
import type { ScenarioInput } from '../../../engine/demo/scenario-options.js';
import type { Incident } from '../../../processors/facts.js';

export function drain(gen: ScenarioGenerator): GeneratedRecord[] {
  return [...gen];
}

export interface GeneratedReplay {
  gen: ScenarioGenerator;
  records: GeneratedRecord[];
  summary: ReplaySummary;
  /** Final incidents from incidents.ndjson, times back in epoch ms. */
  incidents: Incident[];
}

export async function generateAndReplay(input: ScenarioInput): Promise<GeneratedReplay> {
  const gen = new ScenarioGenerator(input);
  const records = drain(gen);
  const dir = mkdtempSync(join(tmpdir(), 'dw-demo-test-'));
  const file = join(dir, 'events.ndjson');
  writeFileSync(file, records.map((r) => r.value).join('\n') + '\n');
  const summary = await replayFile({
    input: file,
    outDir: dir,
    processing: { ...defaultProcessingOptions, ...gen.options.engine },
    alerts: defaultAlertsConfig(),
    logger: silentLogger,
    store: false,
  });
  const incidents = readFileSync(join(dir, 'incidents.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      return {
        ...r,
        startedAt: Date.parse(r.startedAt as string),
        detectedAt: Date.parse(r.detectedAt as string),
        resolvedAt: r.resolvedAt === null ? null : Date.parse(r.resolvedAt as string),
      } as Incident;
    });
  return { gen, records, summary, incidents };
}
