/**
 * The queries that judge a hydration rule's outputs per input and 5-minute
 * window read hydration_events without FINAL (the two Output consistency
 * panels, sql/queries/nondeterministic-rules.sql): their answer is the set of
 * distinct output digests of each group, which an event stored again does
 * not change. Here every hydration event is stored a second time (as a second
 * replay into the same store does, before any merge) and their rows stay
 * what they were, and what the former uniqExact over FINAL gave.
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

describe('output consistency without FINAL', () => {
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
});
