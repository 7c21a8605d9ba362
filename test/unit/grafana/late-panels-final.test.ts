/**
 * The late-event panels of Operational Metrics (Late events, Late and
 * dead-lettered records) let FINAL merge only the events that have a row
 * marked late — `(env, artifact, occurred_at, event_id) IN (… WHERE late = 1)`,
 * the whole sorting key, so every row of such an event is merged — instead of
 * every event of the range. An event stored again may carry another flag (a
 * restart or a second replay sees another watermark): the row inserted last
 * decides, as FINAL alone decided. Checked against the panels' former SQL.
 */
import { describe, expect, it } from 'vitest';
import { replayedStore } from '../../helpers/replayed-store.js';
import { expandGrafanaSql } from './grafana-macros.js';
import { panelContext, panelTargets, runPanel } from './panel-runner.js';
import { replayScenario } from './scenario.js';

const scenario = replayedStore(replayScenario);

/** The panel's SQL as it was before the IN on late keys: FINAL over every event of the range. */
function formerSql(title: string): string {
  const t = panelTargets.find((x) => x.key === `driftwatch-operations/${title}/A`)!;
  const former = t.target.rawSql!.replace(
    / AND \(env, artifact, occurred_at, event_id\) IN \(SELECT env, artifact, occurred_at, event_id FROM driftwatch\.\w+ WHERE late = 1 AND \$__timeFilter\(occurred_at\)\)/g,
    '',
  );
  expect(former, title).not.toBe(t.target.rawSql);
  return expandGrafanaSql(former, panelContext(t.dashboard, t.panel));
}

/** Two rows of one hydration event at 12:30 on prod/api, stored in this order, the second ten minutes later (a re-insert). */
const storedTwice = async (id: string, lateFirst: 0 | 1, lateThen: 0 | 1) => {
  for (const [late, ingestedAt] of [[lateFirst, '12:30:02'], [lateThen, '12:40:02']] as const) {
    await scenario.store.command(
      `INSERT INTO driftwatch.hydration_events (event_id, occurred_at, env, artifact, rule_id, instance, input_digest, output_digest, duration_ms, status, late, ingested_at)
       VALUES ('${id}', toDateTime64('2026-11-27 12:30:00', 3, 'UTC'), 'prod', 'api', 'r-x', 'api-hyd-9', 'sha256:in', 'sha256:out', 5, 'ok', ${late},
               toDateTime64('2026-11-27 ${ingestedAt}', 3, 'UTC'))`,
    );
  }
};

const lateHydrations = (rows: Array<Record<string, unknown>>) =>
  rows.filter((r) => r.source === 'late hydration').reduce((n, r) => n + Number(r.records), 0);

describe('late-event panels merge only the events with a late row', () => {
  it('count what FINAL over every event counted, the last row of a re-stored event deciding', async () => {
    const before = (await runPanel(scenario.store, 'driftwatch-operations', 'Late events'))[0]!.late_events as number;
    const beforeSeries = lateHydrations(await runPanel(scenario.store, 'driftwatch-operations', 'Late and dead-lettered records'));

    // No merge may make the two rows one before the panels read them (FINAL's work is what is under test).
    await scenario.store.command('SYSTEM STOP MERGES driftwatch.hydration_events');
    await storedTwice('late-then-on-time', 1, 0); // stored late, then again on time: not late
    await storedTwice('on-time-then-late', 0, 1); // the other way round: late
    await storedTwice('late-twice', 1, 1); // late in both: one late event
    const [{ n }] = await scenario.store.query<{ n: number }>("SELECT count() AS n FROM driftwatch.hydration_events WHERE rule_id = 'r-x'");
    expect(Number(n)).toBe(6); // not merged yet

    const late = await runPanel(scenario.store, 'driftwatch-operations', 'Late events');
    expect(late).toEqual([{ late_events: before + 2 }]);
    expect(late).toEqual(await scenario.store.query(formerSql('Late events')));

    const series = await runPanel(scenario.store, 'driftwatch-operations', 'Late and dead-lettered records');
    expect(lateHydrations(series)).toBe(beforeSeries + 2);
    expect(series).toEqual(await scenario.store.query(formerSql('Late and dead-lettered records')));
    await scenario.store.command('SYSTEM START MERGES driftwatch.hydration_events');
  });
});
