/**
 * The reference a live run is compared with: `replayFile` over the same
 * records (same order, same processing options), and the normal forms both
 * sides are compared in — alerts without their per-emission id and
 * wall-clock emittedAt, incidents as the store holds them (same SQL on the
 * replay's store and on the engine's).
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { expect } from 'vitest';
import { replayFile } from '../../../engine/replay.js';
import { loadConfig } from '../../../config/env-config.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { silentLogger } from '../../../lib/logger.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { readNdjson } from '../../helpers/replay-fixture.js';
import { readToEnd } from '../kafka/kafka-env.js';
import { storeIncidents } from './engine-process.js';
import type { InputRecord } from './scenario-records.js';

/** An alert emission as the tests compare it: rule, status, level, times, labels. */
export function alertLine(a: AlertEvent): string {
  const labels = Object.entries(a.labels)
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${a.rule} ${a.status} ${a.severity} L${a.escalationLevel} {${labels}} ${a.startsAt}${a.endsAt ? ' → ' + a.endsAt : ''}`;
}

/** Sorted: alerts of different keys interleave differently across partitions, but the multiset must match. */
export const alertLines = (alerts: readonly AlertEvent[]): string[] => alerts.map(alertLine).sort();

/** Alert events on the alert topic, read_committed (aborted transactions never show). */
export async function committedAlerts(kafka: Kafka, topic: string): Promise<AlertEvent[]> {
  const records = await readToEnd(kafka, topic, { timeoutMs: 30_000 });
  return records.map((r) => JSON.parse(r.value ?? 'null') as AlertEvent);
}

export interface ReplayReference {
  alerts: AlertEvent[];
  /** Same columns as `storeIncidents` of the live engine. */
  incidents: Array<Record<string, unknown>>;
  /** replay's incidents.ndjson (SPEC §7.1). */
  incidentRecords: Array<Record<string, unknown>>;
  dlq: Array<{ line: number; reason: string; raw: string }>;
}

/**
 * Replays `records` (in order) with the processing options the engines get from `env`. `inspectStore` reads more of
 * replay's store (the soak compares every table) before it is removed.
 */
export async function replayReference(
  records: readonly InputRecord[],
  env: Record<string, string>,
  inspectStore?: (storeDir: string) => Promise<void>,
): Promise<ReplayReference> {
  const dir = mkdtempSync(join(tmpdir(), 'dw-live-ref-'));
  try {
    const input = join(dir, 'input.ndjson');
    writeFileSync(input, records.map((r) => r.value.replaceAll('\n', ' ')).join('\n') + '\n');
    const outDir = join(dir, 'out');
    await replayFile({ input, outDir, processing: loadConfig(env).processing, alerts: defaultAlertsConfig(), logger: silentLogger, store: true });
    await inspectStore?.(join(outDir, 'store'));
    return {
      alerts: readNdjson<AlertEvent>(join(outDir, 'alerts.ndjson')),
      incidents: await storeIncidents(join(outDir, 'store')),
      incidentRecords: readNdjson(join(outDir, 'incidents.ndjson')),
      dlq: readNdjson(join(outDir, 'dlq.ndjson')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The alerts a live run put on the alert topic are replay's of the same
 * records: none twice, none missing. `expected` guards against a vacuous
 * match: replay's count exactly, or more than `moreThan`.
 */
export async function expectReplayAlerts(
  alerts: readonly AlertEvent[],
  records: readonly InputRecord[],
  env: Record<string, string>,
  expected: { exactly: number } | { moreThan: number },
): Promise<ReplayReference> {
  const ref = await replayReference(records, env);
  if ('exactly' in expected) expect(ref.alerts.length).toBe(expected.exactly);
  else expect(ref.alerts.length).toBeGreaterThan(expected.moreThan);
  expect(new Set(alerts.map((a) => a.alertId)).size).toBe(alerts.length);
  expect(alertLines(alerts)).toEqual(alertLines(ref.alerts));
  return ref;
}

/**
 * Incidents of several stores (engines that split or handed over the work):
 * per incident the row of the latest lifecycle change.
 */
export function mergeIncidents(...stores: Array<Array<Record<string, unknown>>>): Array<Record<string, unknown>> {
  const latest = new Map<string, Record<string, unknown>>();
  const changeRank: Record<string, number> = { opened: 0, updated: 1, resolved: 2 };
  const rank = (r: Record<string, unknown>) => `${String(r.changed_at)} ${changeRank[String(r.change)] ?? 0}`;
  for (const rows of stores) {
    for (const r of rows) {
      const id = String(r.incident_id);
      const prev = latest.get(id);
      if (!prev || rank(r) > rank(prev)) latest.set(id, r);
    }
  }
  const key = (r: Record<string, unknown>) => `${String(r.env)}\u0000${String(r.artifact)}\u0000${String(r.incident_id)}`;
  return [...latest.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
