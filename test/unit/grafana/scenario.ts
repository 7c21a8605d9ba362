/**
 * The scenario the dashboard and analyst-query tests run on: every scenario
 * fixture plus `fixtures/ops-signals.ndjson` (gates, snapshots, hydration and
 * index errors), replayed into one embedded store, plus synthetic
 * engine_metrics points (a replay writes none; live mode does).
 *
 * Fixtures reuse event ids (ev-0001 …), and the engine processes an eventId
 * once, so each fixture's ids get its name as prefix. Fixtures go in event-time
 * order so only the late events the fixtures mean to send are late.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturesDir, replayFixture, type ReplayOutput } from '../../helpers/replay-fixture.js';
import { metricRow } from '../../../store/row-mappers.js';
import type { StoreTransport } from '../../../store/transport.js';

const localFixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** [name, directory], in event-time order (10:00, 11:00, 12:00, 13:00, 14:00, 14:30). */
export const scenarioFixtures: ReadonlyArray<readonly [string, string]> = [
  ['lagging-replica', fixturesDir],
  ['messy-rogue-version', fixturesDir],
  ['failed-canary', fixturesDir],
  ['rollback', fixturesDir],
  ['nondeterministic-rule', fixturesDir],
  ['ops-signals', localFixtures],
];

/** The event-time span of the fixtures, with margin. */
export const scenarioFrom = new Date('2026-11-27T09:00:00.000Z');
export const scenarioEventTo = new Date('2026-11-27T15:00:00.000Z');

/**
 * End of the range the tests query: the event-time end, or one hour past the
 * wall clock if later, because dead letters and the intake panels are bucketed
 * by ingestion time (now).
 */
export function scenarioTo(now: number = Date.now()): Date {
  return new Date(Math.max(scenarioEventTo.getTime(), now + 3_600_000));
}

/** Concatenates the fixtures into one NDJSON file; lines that are not JSON objects with an eventId pass unchanged. */
export function writeCombinedFixture(dir: string): string {
  const lines: string[] = [];
  for (const [name, from] of scenarioFixtures) {
    for (const line of readFileSync(join(from, `${name}.ndjson`), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        lines.push(line);
        continue;
      }
      const o = parsed as Record<string, unknown>;
      if (o !== null && typeof o === 'object' && !Array.isArray(o) && typeof o.eventId === 'string') {
        lines.push(JSON.stringify({ ...o, eventId: `${name}:${o.eventId}` }));
      } else lines.push(line);
    }
  }
  const path = join(dir, 'scenario.ndjson');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

export async function replayScenario(): Promise<ReplayOutput> {
  const dir = mkdtempSync(join(tmpdir(), 'dw-grafana-'));
  return replayFixture(writeCombinedFixture(dir), { store: true });
}

/**
 * The engine metrics the dashboards read, one point per minute over the
 * scenario: the names are the contract with the engine's metrics writer.
 */
export const engineMetricSeries: ReadonlyArray<{ name: string; labels: Record<string, string>; value: (i: number) => number }> = [
  { name: 'consumer_lag', labels: { topic: 'driftwatch.promotion.v1', partition: '0' }, value: (i) => i % 40 },
  { name: 'consumer_lag', labels: { topic: 'driftwatch.index.v1', partition: '1' }, value: (i) => (i * 7) % 90 },
  { name: 'watermark_delay_seconds', labels: {}, value: (i) => 30 + (i % 10) * 0.1 },
  { name: 'process_resident_memory_bytes', labels: {}, value: () => 180_000_000 },
  { name: 'store_pending_rows', labels: {}, value: (i) => i % 25 },
  // Counters from two instances of one group: the panels show the group's total.
  { name: 'process_cpu_seconds_total', labels: { instance: 'engine-a' }, value: (i) => i * 0.25 },
  { name: 'process_cpu_seconds_total', labels: { instance: 'engine-b' }, value: (i) => i * 0.5 },
  { name: 'process_disk_read_bytes_total', labels: { instance: 'engine-a' }, value: (i) => i * 6_000 },
  { name: 'process_disk_read_bytes_total', labels: { instance: 'engine-b' }, value: (i) => i * 3_000 },
  { name: 'process_disk_write_bytes_total', labels: { instance: 'engine-a' }, value: (i) => i * 60_000 },
  { name: 'network_receive_bytes_total', labels: { instance: 'engine-a' }, value: (i) => i * 120_000 },
  { name: 'network_transmit_bytes_total', labels: { instance: 'engine-a' }, value: (i) => i * 30_000 },
  { name: 'network_transmit_bytes_total', labels: { instance: 'engine-b' }, value: (i) => i * 90_000 },
];

export async function seedEngineMetrics(store: StoreTransport): Promise<number> {
  const rows: string[] = [];
  for (let at = scenarioFrom.getTime(), i = 0; at <= scenarioEventTo.getTime(); at += 60_000, i++) {
    for (const s of engineMetricSeries) rows.push(JSON.stringify(metricRow(s.name, s.value(i), s.labels, at)));
  }
  await store.insert('driftwatch.engine_metrics', rows);
  return rows.length;
}
