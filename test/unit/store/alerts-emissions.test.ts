/**
 * The `alerts` table keeps one row per alert emission (SPEC §6: what the
 * alert topic carried), on the real embedded engine (chDB). Its
 * ReplacingMergeTree collapses rows that share the sorting key — in
 * background merges, under OPTIMIZE … FINAL and SELECT … FINAL — which is
 * what it is for: the same emission written again (a redo after an aborted
 * commit, a second replay, the next owner of a key after a handover) must
 * stay one row. Two distinct emissions must not: keyed by (fingerprint,
 * event_time, status, severity, escalation_level) alone (0003), the second
 * instance of a fingerprint begun in the same millisecond, and two engine
 * instances' emissions of a per-env rule's alert, were lost (migration 0015).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { alertId } from '../../../processors/alerting/alert-id.js';
import { AlertingProcessor } from '../../../processors/alerting/alerting-processor.js';
import type { Fact } from '../../../processors/facts.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { tempEmbeddedStore, type Cleanups } from '../../helpers/temp-embedded-store.js';
import { StoreWriter } from '../../../store/store-writer.js';
import { snapshotEvent } from '../alerting/helpers.js';
import { alert, iso, T0 } from './fixtures.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const store = () => tempEmbeddedStore(cleanups, 'dw-alerts-');

/** Writes `facts` as the engine instance `instanceId` does (its own writer; '' / undefined: replay). */
async function write(t: ChdbTransport, facts: Fact[], instanceId?: string): Promise<void> {
  const w = new StoreWriter(t, { flushIntervalMs: 0, instanceId });
  for (const f of facts) w.write(f);
  await w.close();
}

interface StoredAlert {
  alert_id: string;
  status: string;
  instance_id: string;
  emitted_at: string;
}

/** The rows a merge leaves: OPTIMIZE … FINAL merges every part, then a plain SELECT reads what is left. */
async function afterMerge(t: ChdbTransport): Promise<StoredAlert[]> {
  await t.command('OPTIMIZE TABLE driftwatch.alerts FINAL');
  return t.query<StoredAlert>('SELECT alert_id, status, instance_id, toString(emitted_at) AS emitted_at FROM driftwatch.alerts ORDER BY instance_id, alert_id');
}

const finalCount = async (t: ChdbTransport) => Number((await t.query<{ n: string }>('SELECT count() AS n FROM driftwatch.alerts FINAL'))[0]!.n);

/** The alert facts a processor with only `rule` enabled decides from `input`, at wall clock `wall`. */
function decide(input: Fact[], rule: string, wall = 0): Fact[] {
  const config = defaultAlertsConfig();
  for (const [name, r] of Object.entries(config.rules)) r.enabled = name === rule;
  const processor = new AlertingProcessor(config, undefined, { now: () => wall });
  const out: Fact[] = [];
  for (const f of input) processor.handle(f, (d) => d.kind === 'alert' && out.push(d));
  return out;
}

/** A per-env rule's alert (mttr_breach: labels env only), with the id the engine derives for it. */
function mttrBreach(emittedAt: number): Fact {
  const parts = { fingerprint: 'fp-mttr-prod', startsAt: T0, at: T0, status: 'firing', severity: 'high', escalationLevel: 1, instantOrdinal: 0 } as const;
  const a: AlertEvent = alert(T0, {
    alertId: alertId(parts),
    fingerprint: parts.fingerprint,
    rule: 'mttr_breach',
    labels: { env: 'prod' },
    annotations: { summary: 'prod MTTR over 30m', description: 'mean recovery 41m over 1h' },
    incidentId: undefined,
    correlationId: undefined,
    emittedAt: iso(emittedAt),
  });
  return { kind: 'alert', at: T0, alert: a };
}

describe('alerts table: one row per emission', () => {
  it('keeps both instances of a fingerprint begun in the same millisecond (firing, resolved, firing at one instant)', async () => {
    // Producers stamping whole seconds: unverified, verified, unverified again at T0 — two instances with the same
    // fingerprint, starts_at, event time, status, severity and level; only their alertIds (instantOrdinal) differ.
    const sameInstant = [snapshotEvent(T0, false, 'snap-1'), snapshotEvent(T0, true, 'snap-2'), snapshotEvent(T0, false, 'snap-3')];
    const facts = decide(sameInstant, 'snapshot_not_verified');
    const ids = facts.map((f) => (f.kind === 'alert' ? f.alert.alertId : ''));
    expect(new Set(ids).size).toBe(3);

    const t = await store();
    await write(t, facts);
    expect(await finalCount(t)).toBe(3);
    const rows = await afterMerge(t);
    expect(Object.fromEntries(rows.map((r) => [r.alert_id, r.status]))).toEqual({ [ids[0]!]: 'firing', [ids[1]!]: 'resolved', [ids[2]!]: 'firing' });
  });

  it("keeps each engine instance's emission of a per-env rule's alert, under the same alertId", async () => {
    // Two members of a group, each judging mttr_breach over its share of prod, cross the threshold at the same event
    // time: the same fingerprint, starts_at, level — and alertId. Each is an event on the alert topic.
    const t = await store();
    await write(t, [mttrBreach(T0 + 5)], 'engine-a');
    await write(t, [mttrBreach(T0 + 7)], 'engine-b');
    expect(await finalCount(t)).toBe(2);
    expect((await afterMerge(t)).map((r) => r.instance_id)).toEqual(['engine-a', 'engine-b']);
  });

  it('collapses the same emission written again: a redo after an aborted commit keeps the last insert, the one the topic carries', async () => {
    const perKey = decide([snapshotEvent(T0, false, 'snap-1')], 'snapshot_not_verified', T0 + 5);
    const redo = decide([snapshotEvent(T0, false, 'snap-1')], 'snapshot_not_verified', T0 + 900);
    expect(redo.map((f) => f.kind === 'alert' && f.alert.alertId)).toEqual(perKey.map((f) => f.kind === 'alert' && f.alert.alertId));

    const t = await store();
    await write(t, [...perKey, mttrBreach(T0 + 5)], 'engine-a');
    await write(t, [...redo, mttrBreach(T0 + 900)], 'engine-a'); // the same member, after its transaction aborted
    expect(await finalCount(t)).toBe(2);
    const rows = await afterMerge(t);
    expect(rows.map((r) => [r.instance_id, r.emitted_at])).toEqual([
      ['', '2026-11-27 12:00:00.900'], // the per-key rule's alert: decided by the key's owner alone, no instance
      ['engine-a', '2026-11-27 12:00:00.900'], // mttr_breach: engine-a's share
    ]);
  });

  it("collapses a per-key rule's emission redone by the key's next owner after a handover", async () => {
    const first = decide([snapshotEvent(T0, false, 'snap-1')], 'snapshot_not_verified', T0 + 5);
    const handedOver = decide([snapshotEvent(T0, false, 'snap-1')], 'snapshot_not_verified', T0 + 900);
    const t = await store();
    await write(t, first, 'engine-a'); // stored, then engine-a's transaction is abandoned in a rebalance
    await write(t, handedOver, 'engine-b'); // the new owner, restored from the changelog, decides it again
    expect(await finalCount(t)).toBe(1);
    expect(await afterMerge(t)).toMatchObject([{ instance_id: '', emitted_at: '2026-11-27 12:00:00.900' }]);
  });
});
