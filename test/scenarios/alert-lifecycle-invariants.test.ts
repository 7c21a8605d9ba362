/**
 * SPEC §6's lifecycle rules and §4.4's detection bound, checked over the
 * replay of every scenario fixture (whatever else each fixture's own test
 * pins):
 * - per fingerprint, emissions form episodes "firing+ resolved", only the
 *   last one possibly still firing: one `firing` per instance, re-emitted only
 *   when the escalation level (or severity) changes, exactly one `resolved`;
 * - within an episode startsAt never moves, the level never goes down, and
 *   the level matches the age: L_k is emitted no earlier than startsAt + its
 *   `after` (0, 5, 15, 30 min); the resolution ends at or after the start;
 * - `alertId` is unique per emission;
 * - every incident: detectedAt − startedAt ≤ 5 min, recoveryMs = resolvedAt −
 *   startedAt, and its alert (drift_detected / hydration_nondeterminism) is
 *   one episode carrying its incident id.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturesDir, replayFixture } from '../helpers/replay-fixture.js';
import type { AlertEvent } from '../../schemas/alert-event.js';

const MIN = 60_000;
const levelAfter = [0, 0, 5 * MIN, 15 * MIN, 30 * MIN];
const ms = (t: string) => Date.parse(t);

function lifecycleProblems(alerts: AlertEvent[]): string[] {
  const problems: string[] = [];
  const byFp = new Map<string, AlertEvent[]>();
  for (const a of alerts) byFp.set(a.fingerprint, [...(byFp.get(a.fingerprint) ?? []), a]);
  for (const [fp, list] of byFp) {
    let episode: AlertEvent[] = [];
    for (const a of list) {
      const what = `${a.rule} ${JSON.stringify(a.labels)} ${a.status} L${a.escalationLevel} (${fp})`;
      if (episode.length === 0 && a.status === 'resolved') problems.push(`resolved without a firing: ${what}`);
      const prev = episode[episode.length - 1];
      if (prev) {
        if (a.startsAt !== prev.startsAt) problems.push(`startsAt moved within an episode: ${what}`);
        if (a.escalationLevel < prev.escalationLevel) problems.push(`level went down: ${what}`);
        if (a.status === 'firing' && a.escalationLevel === prev.escalationLevel && a.severity === prev.severity) problems.push(`re-emitted without a change: ${what}`);
        if (a.status === 'resolved' && (a.escalationLevel !== prev.escalationLevel || a.severity !== prev.severity)) problems.push(`resolved at another level or severity: ${what}`);
      }
      if (a.status === 'resolved') {
        if (a.endsAt === undefined || ms(a.endsAt) < ms(a.startsAt)) problems.push(`resolution without endsAt ≥ startsAt: ${what}`);
        // The level at resolution was reached while firing: the alert was at least that old before it ended.
        else if (a.escalationLevel > 1 && ms(a.endsAt) - ms(a.startsAt) <= levelAfter[a.escalationLevel]!) problems.push(`L${a.escalationLevel} reached by an alert that ended at age ${ms(a.endsAt) - ms(a.startsAt)} ms: ${what}`);
        episode = [];
      } else episode.push(a);
    }
  }
  if (new Set(alerts.map((a) => a.alertId)).size !== alerts.length) problems.push('an alertId was emitted twice');
  return problems;
}

const fixtures = readdirSync(fixturesDir).filter((f) => f.endsWith('.ndjson')).sort();

describe('alert and incident invariants over every scenario fixture', () => {
  it.each(fixtures)('%s', async (fixture) => {
    const { alerts, incidents } = await replayFixture(fixture);
    expect(lifecycleProblems(alerts)).toEqual([]);
    for (const i of incidents) {
      const started = ms(String(i.startedAt));
      expect(ms(String(i.detectedAt)) - started).toBeGreaterThanOrEqual(0);
      expect(ms(String(i.detectedAt)) - started).toBeLessThanOrEqual(5 * MIN);
      if (i.resolvedAt !== null) expect(i.recoveryMs).toBe(ms(String(i.resolvedAt)) - started);
      const rule = i.kind === 'state' ? 'drift_detected' : 'hydration_nondeterminism';
      const own = alerts.filter((a) => a.rule === rule && a.incidentId === i.incidentId);
      expect(own.filter((a) => a.status === 'resolved')).toHaveLength(i.resolvedAt === null ? 0 : 1);
      expect(own[0]).toMatchObject({ status: 'firing', startsAt: i.startedAt });
      if (i.resolvedAt !== null) expect(own[own.length - 1]).toMatchObject({ status: 'resolved', endsAt: i.resolvedAt });
    }
  });
});
