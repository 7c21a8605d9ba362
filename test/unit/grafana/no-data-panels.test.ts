/**
 * A stat panel must not read healthy when there is nothing to judge: a range
 * with no rows (a week before the scenario) or a store with none at all (a
 * fresh deployment, a replay's store before it ran). GREEN, 0 errors in green,
 * 100 % or 0 lag there read "all is well" where nothing was measured: such a
 * panel shows no value (null, or no row) instead, and System status its NO
 * DATA value. A value that is true without rows stays (Active promotions: 0
 * in flight, in neutral blue). Counts that are only true when the engine saw
 * input in the range (0 late events, 0 rollbacks) show 0 when it did and no
 * value when it did not, so the scenario range checks that side too.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../../store/open-store.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import type { StoreTransport } from '../../../store/transport.js';
import { expandGrafanaSql } from './grafana-macros.js';
import { panelContext, panelTargets } from './panel-runner.js';
import { replayedStore } from '../../helpers/replayed-store.js';
import { replayScenario, scenarioFrom, seedEngineMetrics } from './scenario.js';

/** System status's value for "nothing to judge in the range" (mapped to NO DATA in a neutral colour). */
const NO_DATA = -1;

/** Stat and gauge panels whose value is true with no rows, and why. */
const trueWithoutRows: Record<string, string> = {
  'driftwatch-overview/Active promotions/A': '0 in flight is true on an empty store, and shown in neutral blue',
};

const statTargets = panelTargets.filter((t) => ['stat', 'gauge', 'bargauge'].includes(t.panel.type));

/** The columns the panel shows: its reduceOptions.fields regex, or every column. */
function shownColumns(t: (typeof statTargets)[number], row: Record<string, unknown>): string[] {
  const fields = (t.panel as { options?: { reduceOptions?: { fields?: string } } }).options?.reduceOptions?.fields ?? '';
  const m = /^\/(.*)\/$/.exec(fields);
  return Object.keys(row).filter((c) => (m ? new RegExp(m[1]!).test(c) : true));
}

async function shown(store: StoreTransport, t: (typeof statTargets)[number], from: Date, to: Date): Promise<Record<string, unknown>> {
  const rows = await store.query<Record<string, unknown>>(expandGrafanaSql(t.target.rawSql!, panelContext(t.dashboard, t.panel, 'All', to, {}, from)));
  if (rows.length === 0) return {};
  return Object.fromEntries(shownColumns(t, rows[0]!).map((c) => [c, rows[0]![c]]));
}

/** What each judging panel must show with nothing to judge: no value, or NO DATA for System status. */
function expectNothingShown(key: string, values: Record<string, unknown>): void {
  if (key === 'driftwatch-overview/System status/A') expect(values, key).toEqual({ status: NO_DATA });
  else expect(Object.values(values).filter((v) => v !== null), `${key} shows ${JSON.stringify(values)}`).toEqual([]);
}

const weekBefore = new Date(scenarioFrom.getTime() - 7 * 86_400_000);
const weekBeforeEnd = new Date(weekBefore.getTime() + 6 * 3_600_000);
const at = (hms: string) => new Date(`2026-11-27T${hms}.000Z`);

describe('stat panels on a store with no rows', () => {
  let store: ChdbTransport;
  beforeAll(async () => {
    store = await openEmbeddedStore(join(mkdtempSync(join(tmpdir(), 'dw-nodata-')), 'store'));
  });
  afterAll(async () => {
    await store?.close();
  });

  for (const t of statTargets.filter((x) => !(x.key in trueWithoutRows))) {
    it(`${t.key} shows no value`, async () => {
      expectNothingShown(t.key, await shown(store, t, scenarioFrom, at('15:00:00')));
    });
  }
});

describe('stat panels on the scenario store', () => {
  const scenario = replayedStore(replayScenario);
  let store: StoreTransport;
  beforeAll(async () => {
    store = scenario.store;
    await seedEngineMetrics(store);
  });

  const panel = (key: string) => statTargets.find((t) => t.key === key)!;

  for (const t of statTargets.filter((x) => !(x.key in trueWithoutRows))) {
    it(`${t.key} shows no value over a range a week before any row`, async () => {
      expectNothingShown(t.key, await shown(store, t, weekBefore, weekBeforeEnd));
    });
  }

  it('System status is GREEN, not NO DATA, where the engine saw input and every KPI holds', async () => {
    const status = panel('driftwatch-overview/System status/A');
    // 10:00–10:01: p-1 (prod) started and succeeded, a promotion KPI measured and met.
    expect(await shown(store, status, at('10:00:00'), at('10:01:00'))).toEqual({ status: 0 });
    // 10:00:45–10:01:30: two hydrations of prod and no promotion: no KPI measured, but the engine watched prod and found
    // nothing wrong.
    expect(await shown(store, status, at('10:00:45'), at('10:01:30'))).toEqual({ status: 0 });
    // 09:00–09:59: engine metrics but no input of any environment: nothing judged.
    expect(await shown(store, status, at('09:00:00'), at('09:59:00'))).toEqual({ status: NO_DATA });
  });

  it('Uptime counts from the first report when the range starts before it; no value when no instance ever reported', async () => {
    const uptime = panel('driftwatch-overview/Uptime (engine availability)/A');
    // The seeded engine wrote its first point at 09:00:00 and one a minute after: 08:00–10:00 is 60 of 60 minutes up,
    // not 60 of 120 (the engine did not exist, or its points have expired: unknown, not down).
    expect(await shown(store, uptime, at('08:00:00'), at('10:00:00'))).toEqual({ availability: 1 });
    expect(await shown(store, uptime, at('07:00:00'), at('08:00:00'))).toEqual({ availability: null });
    // After the last point (15:00) the engine reported before the range: down, 0.
    expect(await shown(store, uptime, at('16:00:00'), at('17:00:00'))).toEqual({ availability: 0 });
  });

  it('counts are 0, a true value, where the engine saw input in the range and found nothing', async () => {
    const values = (keys: string[], from: string, to: string) => Promise.all(keys.map((k) => shown(store, panel(k), at(from), at(to))));
    // 10:00:45–10:01:30: two hydrations of prod (lagging-replica), no promotion event.
    expect(
      await values(
        [
          'driftwatch-drift/Incidents detected/A',
          'driftwatch-overview/Open incidents/A',
          'driftwatch-overview/Alerts fired/A',
          'driftwatch-hydration/Determinism incidents/A',
          'driftwatch-operations/Late events/A',
          'driftwatch-promotions/Rollbacks/A',
        ],
        '10:00:45',
        '10:01:30',
      ),
    ).toEqual([{ incidents: 0 }, { open_incidents: 0 }, { alerts_fired: 0 }, { determinism_incidents: 0 }, { late_events: 0 }, { rollbacks: null }]);
    // 10:00–10:01: p-1 started and succeeded: 0 rollbacks is true there.
    expect(
      await values(['driftwatch-promotions/Rollbacks/A', 'driftwatch-promotions/Promotions ended/A'], '10:00:00', '10:01:00'),
    ).toEqual([{ rollbacks: 0 }, { succeeded: 1, failed: 0, rolled_back: 0 }]);
  });
});
