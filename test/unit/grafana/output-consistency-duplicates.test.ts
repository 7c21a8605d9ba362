/**
 * The queries that judge a hydration rule's outputs per input and 5-minute
 * window (the two Output consistency panels, sql/queries/nondeterministic-
 * rules.sql) tell one output from several by min = max of the digests, or
 * the length of their distinct array, instead of uniqExact beside it. Here
 * every hydration event is stored a second time (as a second replay into the
 * same store does, before any merge) and their rows stay what they were, and
 * what the former uniqExact over FINAL gave. They keep FINAL: an event stored
 * again with other content counts by its last row, as after a merge — without
 * FINAL a row it replaced showed a second output until a merge dropped it.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { replayedStore } from '../../helpers/replayed-store.js';
import { bindQueryParams } from '../queries/query-params.js';
import { runPanel } from './panel-runner.js';
import { replayScenario } from './scenario.js';

const scenario = replayedStore(replayScenario);

const nondeterministicRules = bindQueryParams(
  readFileSync(new URL('../../../sql/queries/nondeterministic-rules.sql', import.meta.url), 'utf8').trim().replace(/;$/, ''),
  { from: '2026-11-27 00:00:00', to: '2026-11-28 00:00:00' },
);

/** Every answer under test, in one object. */
async function answers() {
  return {
    consistency: await runPanel(scenario.store, 'driftwatch-hydration', 'Output consistency'),
    byRule: await runPanel(scenario.store, 'driftwatch-hydration', 'Rules by output consistency'),
    rules: await scenario.store.query(nondeterministicRules),
  };
}

/** The panels' former formulation: distinct outputs by uniqExact, over FINAL. */
const formerByRule = `
  SELECT rule_id, count() AS input_windows, countIf(outputs > 1) AS inconsistent, countIf(outputs = 1) / count() AS consistency
  FROM (SELECT rule_id, uniqExact(output_digest) AS outputs FROM driftwatch.hydration_events FINAL WHERE status = 'ok'
        GROUP BY env, artifact, rule_id, input_digest, toStartOfFiveMinutes(occurred_at))
  GROUP BY rule_id ORDER BY consistency, rule_id`;

describe('output consistency: one output per input and window', () => {
  it('gives the same rows with every hydration event stored twice, and what uniqExact over FINAL gave', async () => {
    const once = await answers();
    // r-merge gave two outputs for one input in 2 of its 3 windows (dashboard-queries.test.ts).
    expect(once.byRule.find((r) => r.rule_id === 'r-merge')).toMatchObject({ input_windows: 3, inconsistent: 2 });
    expect(once.rules.length).toBeGreaterThan(0);
    expect(once.byRule).toEqual(await scenario.store.query(formerByRule));

    const [{ n: stored }] = await scenario.store.query<{ n: number }>('SELECT count() AS n FROM driftwatch.hydration_events');
    await scenario.store.command('INSERT INTO driftwatch.hydration_events SELECT * FROM driftwatch.hydration_events SETTINGS insert_deduplicate = 0');
    // Not merged yet: each event is two rows until a merge or FINAL makes it one.
    const [{ n: now }] = await scenario.store.query<{ n: number }>('SELECT count() AS n FROM driftwatch.hydration_events');
    expect(Number(now)).toBe(2 * Number(stored));

    expect(await answers()).toEqual(once);
  });

  it('takes an event re-stored with other content by its last row, as FINAL does, merged or not', async () => {
    // One event id at one instant stored twice with different content: a producer that reused an id, late past the
    // dedup horizon, or a corrected file replayed into the same store. ReplacingMergeTree keeps the row inserted last
    // (FINAL, and every merge): one output for r-y's input, and r-z's event is an error, not an ok hydration.
    await scenario.store.command('SYSTEM STOP MERGES driftwatch.hydration_events');
    const store = (id: string, rule: string, output: string, status: string) =>
      scenario.store.command(
        `INSERT INTO driftwatch.hydration_events (event_id, occurred_at, env, artifact, rule_id, instance, input_digest, output_digest, duration_ms, status)
         VALUES ('${id}', toDateTime64('2026-11-27 12:31:00', 3, 'UTC'), 'prod', 'api', '${rule}', 'api-hyd-9', 'sha256:in', '${output}', 5, '${status}')`,
      );
    await store('reused-y', 'r-y', 'sha256:out-a', 'ok');
    await store('reused-y', 'r-y', 'sha256:out-b', 'ok');
    await store('reused-z', 'r-z', 'sha256:out-a', 'ok');
    await store('reused-z', 'r-z', 'sha256:out-a', 'error');
    const ours = async () => {
      const { byRule, rules } = await answers();
      return { byRule: byRule.filter((r) => r.rule_id === 'r-y' || r.rule_id === 'r-z'), rules: rules.filter((r) => r.rule_id === 'r-y' || r.rule_id === 'r-z') };
    };
    const unmerged = await ours();
    expect(unmerged.byRule).toEqual([{ rule_id: 'r-y', input_windows: 1, inconsistent: 0, consistency: 1 }]);
    expect(unmerged.byRule).toEqual((await scenario.store.query(formerByRule)).filter((r) => r.rule_id === 'r-y' || r.rule_id === 'r-z'));
    expect(unmerged.rules).toEqual([]);
    await scenario.store.command('SYSTEM START MERGES driftwatch.hydration_events');
    await scenario.store.command('OPTIMIZE TABLE driftwatch.hydration_events FINAL');
    expect(await ours()).toEqual(unmerged);
  });
});
