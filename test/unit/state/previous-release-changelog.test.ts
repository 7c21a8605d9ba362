/**
 * State written to the changelog by the previous release (feca424) restores
 * in this one: an upgrade of a running deployment goes on from the records
 * the old instances left. The fixture is real: records `driftwatch run` of
 * feca424 committed to a test deployment's changelog before a SIGTERM (three
 * keys with firing alerts at levels 1–4, the instance's whole state with six
 * firing per-env alerts, one commit position). Captured with
 * test/integration/live/upgrade-from-release.test.ts (DRIFTWATCH_UPGRADE_DUMP),
 * which also runs the upgrade itself against a broker.
 *
 * Restored and snapshotted again, every record comes back as it was: this
 * release reads every field the old one wrote and adds none to them (a field
 * it adds is written only when it is not its default, like an alert's
 * instantOrdinal). The restored alerts then go on where they were left: their
 * escalations and resolutions, under their own start, no first `firing`.
 * Read as a live engine reads the changelog (records written in pieces put
 * back together, engine/live/state-chunks.ts), the old records are as they were.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { buildTopology } from '../../../engine/topology.js';
import { restoreTopology, snapshotTopology, type KeyStateRecord } from '../../../engine/topology-state.js';
import { readPartitionEntries, type WholeCheckpoint } from '../../../engine/live/checkpoint.js';
import { assembledEntries, ChunkedRecords } from '../../../engine/live/state-chunks.js';
import { EventDeduplicator } from '../../../processors/dedup.js';
import { RecentEventIds } from '../../../processors/recent-event-ids.js';
import type { AlertingStateSnapshot } from '../../../processors/alerting/alerting-processor.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import type { Fact } from '../../../processors/facts.js';
import { chain, WALL } from './harness.js';
import { Changelog, startGeneration } from '../live/rebalance-harness.js';

interface ChangelogRecord {
  partition: number;
  key: string;
  value: string;
}

const records = readFileSync(join(import.meta.dirname, 'fixtures/changelog-feca424.ndjson'), 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as ChangelogRecord);
const keyed = records.filter((r) => r.key.startsWith('k/')).map((r) => [r.key.slice(2), JSON.parse(r.value) as KeyStateRecord] as const);
const whole = JSON.parse(records.find((r) => r.key.startsWith('w/'))!.value) as WholeCheckpoint;

/** A live engine's topology (recent eventIds per key beside the processors), restored from the fixture. */
function restored() {
  const dedup = new EventDeduplicator(defaultProcessingOptions, 'frontier');
  const recentIds = new RecentEventIds(16, defaultProcessingOptions.dedupHorizonMs, (id, at) => dedup.rememberId(id, at));
  const topology = buildTopology({
    processing: defaultProcessingOptions,
    alerts: defaultAlertsConfig(),
    alerting: { now: () => WALL },
    stateStores: [recentIds],
  });
  restoreTopology(topology, { keyed, whole: whole.processors });
  return { topology, dedup };
}

describe('changelog records of the previous release (feca424)', () => {
  it('restore, and snapshot again to exactly the records it wrote', () => {
    expect(keyed.map(([k]) => k)).toEqual(['dev/cart', 'staging/api', 'dev/web']);
    const { topology } = restored();
    const again = snapshotTopology(topology, keyed.map(([k]) => k));
    expect(again.keyed).toEqual([...keyed].sort(([a], [b]) => (a < b ? -1 : 1)));
    expect(again.whole).toEqual(whole.processors);
  });

  it('the dedup ids of each key come back: a retry of an event the old release processed is a duplicate', () => {
    const { dedup } = restored();
    const [eventId, at] = (keyed[0]![1]['recent-ids'] as Array<[string, number]>)[0]!;
    // Only the eventId and the event time take part in dedup.
    const retry = { event: { eventId }, at } as unknown as Parameters<EventDeduplicator['isDuplicate']>[0];
    expect(dedup.isDuplicate(retry)).toBe(true);
    expect(dedup.isDuplicate({ ...retry, event: { eventId: `${eventId}-new` } } as typeof retry)).toBe(false);
  });

  it('read as this release reads a partition (records in pieces put back together), every record is as it was written', () => {
    const chunked = new ChunkedRecords();
    for (const partition of new Set(records.map((r) => r.partition))) {
      const written = records.filter((r) => r.partition === partition).map((r): [string, string] => [r.key, r.value]);
      expect([...assembledEntries(written, chunked)]).toEqual(written);
      for (const [key] of written) expect(chunked.piecesOf(key)).toBe(0);
    }
  });

  it('restored by a live engine (restoreEngine, as `driftwatch run` does), the state is the one the old release wrote', async () => {
    const log = new Changelog();
    log.apply(records);
    const live = await startGeneration(log, 'upgraded', [0, 1]);
    expect(live.restored.keys).toBe(keyed.length);
    const again = snapshotTopology(live.engine.pipeline.topology, keyed.map(([k]) => k));
    expect(again.keyed).toEqual([...keyed].sort(([a], [b]) => (a < b ? -1 : 1)));
    expect(again.whole).toEqual(whole.processors);
  });

  it('commit positions read as written, with the frontier', () => {
    const { progress } = readPartitionEntries(records.filter((r) => r.key.startsWith('p/')).map((r) => [r.key, r.value]));
    expect(progress).toHaveLength(1);
    expect(progress[0]).toMatchObject({ partition: 0, safeOffset: '254', doneAbove: [], frontier: whole.frontier });
  });

  it('its firing alerts go on where they were: escalations and resolutions under their own start, no first firing', () => {
    const { topology } = restored();
    const saved = [...keyed.map(([, r]) => r.alerting as AlertingStateSnapshot), whole.processors.alerting as AlertingStateSnapshot].flatMap((s) => s.instances);
    expect(saved).toHaveLength(12);
    expect(topology.alerting.firingCount).toBe(12);
    const alerts: AlertEvent[] = [];
    const collect = (f: Fact) => {
      if (f.kind === 'alert') alerts.push(f.alert);
    };
    // Two days after the old release's frontier: every escalation is due, every timer of the restored state fires.
    chain(topology.processors, { kind: 'advance', at: whole.frontier! + 2 * 86_400_000 }, collect);
    chain(topology.processors, { kind: 'advance', at: Number.POSITIVE_INFINITY }, collect);
    const byFingerprint = new Map(saved.map((s) => [alerts.find((a) => a.rule === s.rule && sameLabels(a.labels, s.labels))?.fingerprint, s]));
    const restoredAlerts = alerts.filter((a) => byFingerprint.has(a.fingerprint));
    // At least the ones below the top level escalate.
    expect(restoredAlerts.length).toBeGreaterThan(0);
    for (const a of restoredAlerts) {
      const s = byFingerprint.get(a.fingerprint)!;
      expect(new Date(a.startsAt).getTime()).toBe(s.details.startsAt);
      expect(a.escalationLevel).toBeGreaterThanOrEqual(s.level);
      if (a.status === 'firing') expect(a.escalationLevel).toBeGreaterThan(s.level);
    }
  });
});

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}
