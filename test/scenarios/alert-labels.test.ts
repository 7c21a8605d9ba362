/**
 * The labels each rule's alerts carry are what alerts.yaml overrides may
 * match (config/alerts-validation.ts `ruleLabels`): a rule
 * emitting a label not listed there could never be overridden by it, so the
 * two must agree. Checked on the fixtures and a demo scenario, which between
 * them fire every rule.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ruleLabels } from '../../config/alerts-config.js';
import { optionsForRecords } from '../../engine/demo/scenario-options.js';
import { writeScenarioFile } from '../../bench/write-scenario.js';
import { fixturesDir, replayFixture } from '../helpers/replay-fixture.js';
import type { AlertEvent } from '../../schemas/alert-event.js';

describe('alert labels agree with what overrides may match', () => {
  it('every alert carries exactly the labels its rule declares', async () => {
    const alerts: AlertEvent[] = [];
    for (const f of readdirSync(fixturesDir).filter((n) => n.endsWith('.ndjson'))) alerts.push(...(await replayFixture(f)).alerts);
    const demo = join(mkdtempSync(join(tmpdir(), 'dw-labels-')), 'demo.ndjson');
    await writeScenarioFile(demo, optionsForRecords(20_000, 40, { seed: 3 }));
    alerts.push(...(await replayFixture(demo)).alerts);
    const seen = new Map<string, Set<string>>();
    for (const a of alerts) {
      expect(Object.keys(a.labels).sort(), `${a.rule}`).toEqual([...ruleLabels[a.rule as keyof typeof ruleLabels]].sort());
      seen.set(a.rule, new Set(Object.keys(a.labels)));
    }
    expect(seen.size).toBeGreaterThanOrEqual(5); // the check saw most rules fire
  }, 120_000);
});
