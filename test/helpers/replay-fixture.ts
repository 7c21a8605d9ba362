/** Runs `replayFile` over a fixture into a temp dir and parses what it wrote. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replayFile, type ReplaySummary } from '../../engine/replay.js';
import { defaultProcessingOptions } from '../../config/processing-options.js';
import { defaultAlertsConfig } from '../../config/alerts-config.js';
import { silentLogger } from '../../lib/logger.js';
import type { AlertEvent } from '../../schemas/alert-event.js';
import type { AlertsConfig } from '../../config/alert-rules.js';

export const fixturesDir = fileURLToPath(new URL('../scenarios/fixtures/', import.meta.url));

export interface ReplayOutput {
  summary: ReplaySummary;
  outDir: string;
  incidents: Array<Record<string, unknown>>;
  alerts: AlertEvent[];
  dlq: Array<{ line: number; reason: string; raw: string }>;
}

export function readNdjson<T = Record<string, unknown>>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** `alerts`: the alert rules (alerts.yaml) to run with; the built-in defaults when left out. */
export async function replayFixture(input: string, options: { store?: boolean; sort?: boolean; alerts?: AlertsConfig } = {}): Promise<ReplayOutput> {
  const outDir = mkdtempSync(join(tmpdir(), 'dw-replay-'));
  const summary = await replayFile({
    input: input.includes('/') ? input : join(fixturesDir, input),
    outDir,
    processing: defaultProcessingOptions,
    alerts: options.alerts ?? defaultAlertsConfig(),
    logger: silentLogger,
    store: options.store ?? false,
    sort: options.sort ?? false,
  });
  return {
    summary,
    outDir,
    incidents: readNdjson(join(outDir, 'incidents.ndjson')),
    alerts: readNdjson<AlertEvent>(join(outDir, 'alerts.ndjson')),
    dlq: readNdjson(join(outDir, 'dlq.ndjson')),
  };
}

/** The parts of an alert a scenario pins down (ids and wall-clock emittedAt vary). */
export function alertShape(a: AlertEvent): string {
  // Per-env rules carry no artifact label: their alerts name the env alone.
  const subject = a.labels.artifact === undefined ? a.labels.env : `${a.labels.env}/${a.labels.artifact}`;
  return `${a.rule} ${a.status} ${a.severity} L${a.escalationLevel} ${subject} ${a.startsAt}${a.endsAt ? ' → ' + a.endsAt : ''}`;
}

/**
 * The alertShape lines of one firing instance that reached `level` and then resolved at `endsAt`: firing L1 … L`level`,
 * then resolved at L`level` (the lines a scenario expects of an alert left to escalate until its condition ends).
 */
export function alertCourse(rule: string, severity: string, subject: string, startsAt: string, endsAt: string, level: number): string[] {
  const firing = Array.from({ length: level }, (_, i) => `${rule} firing ${severity} L${i + 1} ${subject} ${startsAt}`);
  return [...firing, `${rule} resolved ${severity} L${level} ${subject} ${startsAt} → ${endsAt}`];
}
