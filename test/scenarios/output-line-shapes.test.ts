/**
 * The shape of what `replay` writes, over every scenario fixture: each line of
 * alerts.ndjson is an alert event of SPEC §6 and each line of incidents.ndjson
 * an incident of SPEC §7.1, checked with the schemas that define them (the
 * ones the `driftwatch/schemas` package gives consumers), and every timestamp
 * in them is RFC 3339 UTC with milliseconds, "like the input" — a form the
 * schemas' timestamp check alone would not insist on (it also reads offsets
 * and other fraction lengths, as producers may send them).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturesDir, replayFixture } from '../helpers/replay-fixture.js';
import { validate, type Schema } from '../../schemas/dsl.js';
import { alertEventSchema } from '../../schemas/alert-event.js';
import { incidentRecordSchema } from '../../schemas/incident-record.js';

const UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const alertTimes = ['startsAt', 'endsAt', 'emittedAt'] as const;
const incidentTimes = ['startedAt', 'detectedAt', 'resolvedAt'] as const;

/** What is wrong with one output line: its schema's message, or a timestamp not in the input's form. */
function problemsOf(line: Record<string, unknown>, schema: Schema<unknown>, times: readonly string[]): string[] {
  const problems: string[] = [];
  const verdict = validate(schema, line);
  if (!verdict.ok) problems.push(verdict.error);
  for (const field of times) {
    const value = line[field];
    if (value !== undefined && value !== null && !(typeof value === 'string' && UTC_MS.test(value))) problems.push(`${field}: ${JSON.stringify(value)} is not RFC 3339 UTC with ms`);
  }
  return problems;
}

const fixtures = readdirSync(fixturesDir).filter((f) => f.endsWith('.ndjson')).sort();

describe('replay output lines have the shapes of SPEC §6 and §7.1', () => {
  it.each(fixtures)('%s', async (fixture) => {
    const { alerts, incidents } = await replayFixture(fixture);
    for (const alert of alerts) {
      expect(problemsOf(alert as unknown as Record<string, unknown>, alertEventSchema, alertTimes), JSON.stringify(alert)).toEqual([]);
      // Every rule's alerts name their environment (per-key rules add the artifact: alert-labels.test.ts).
      expect(alert.labels.env, JSON.stringify(alert)).toEqual(expect.any(String));
      // endsAt belongs to the resolution alone.
      expect(alert.endsAt === undefined, JSON.stringify(alert)).toBe(alert.status === 'firing');
    }
    for (const incident of incidents) {
      expect(problemsOf(incident, incidentRecordSchema, incidentTimes), JSON.stringify(incident)).toEqual([]);
      // resolvedAt is always there: null while open (§7.1 `resolvedAt: string|null`), and recoveryMs only once resolved.
      expect(incident, JSON.stringify(incident)).toHaveProperty('resolvedAt');
      expect('recoveryMs' in incident, JSON.stringify(incident)).toBe(incident.resolvedAt !== null);
      // A determinism incident names its rule (§7.1 ruleId?; §4.5 is per rule).
      if (incident.kind === 'determinism') expect(incident.ruleId, JSON.stringify(incident)).toEqual(expect.any(String));
    }
  });
});
