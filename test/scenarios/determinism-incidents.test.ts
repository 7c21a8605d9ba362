/**
 * Determinism incidents (SPEC §4.5) at their edges, worked out by hand:
 * per (env, artifact, ruleId), two `ok` hydrations with the same inputDigest
 * and different outputDigests in one epoch-aligned 5-minute window open an
 * incident at the second one's occurredAt; it resolves at the end of the first
 * later window "in which the rule ran and every input produced one output".
 * hydration_nondeterminism: severity high, escalation L2 at 5 min, L3 at 15 min.
 */
import { describe, expect, it } from 'vitest';
import { replayFixture } from '../helpers/replay-fixture.js';

const rule = (ruleId: string) => (x: { labels?: Record<string, string>; ruleId?: unknown }) => (x.labels?.ruleId ?? x.ruleId) === ruleId;

describe('determinism incidents at the edges of SPEC §4.5', () => {
  it('opens at exactly the second distinct output, reopens after a resolution, and an input that produced no output proves nothing', async () => {
    const { incidents, alerts, summary } = await replayFixture('determinism-incidents.ndjson');
    expect(summary).toMatchObject({ late: 0, deadLetters: 0 });
    const shape = (i: Record<string, unknown>) =>
      `${String(i.ruleId)} ${String(i.startedAt)} → ${String(i.resolvedAt)} ${String(i.reason)} ${String(i.recoveryMs)} ${JSON.stringify(i.divergentDigests)}`;
    expect(incidents.map(shape).sort()).toEqual(
      [
        // d-three, window [14:00, 14:05): in1→o1 twice (one output), in2→o9 (another input: no conflict), in1→o2 at
        //   14:02:00.000 = the second distinct output of in1: opens then; in1→o3 at 14:03 adds o3. [14:05, 14:10): the
        //   rule did not run, nothing resolves. [14:10, 14:15): in1→o1, in2→o9, one output each: resolved 14:15:00.000,
        //   recovery 13 min.
        'd-three 2026-11-27T14:02:00.000Z → 2026-11-27T14:15:00.000Z consistent 780000 ["o1","o2","o3"]',
        // d-three again, window [14:15, 14:20): in1→o1 and in1→o4 at the very instant the first incident resolved: a
        //   new incident at 14:15:00.000 (the closed window's resolution comes first). [14:20, 14:25) no run; [14:25,
        //   14:30): in1→o1 at 14:29:59.999 → resolved 14:30:00.000, recovery 15 min.
        'd-three 2026-11-27T14:15:00.000Z → 2026-11-27T14:30:00.000Z consistent 900000 ["o1","o4"]',
        // d-err: in1→o1, in1→o2 at 14:00:30 → open. [14:05, 14:10): the rule ran on in1 but only failed — in1
        //   produced no output, so this is not a window in which "every input produced one output": still open.
        //   [14:10, 14:15): in1 failed once and produced o1 once → one output: resolved 14:15:00.000 (14.5 min).
        'd-err 2026-11-27T14:00:30.000Z → 2026-11-27T14:15:00.000Z consistent 870000 ["o1","o2"]',
        // d-mixed: opens at 14:00:01. [14:05, 14:10): in1→o1 but in2 only failed (no output) → not consistent.
        //   [14:10, 14:15): in1→o1 only → resolved 14:15:00.000 (899 s).
        'd-mixed 2026-11-27T14:00:01.000Z → 2026-11-27T14:15:00.000Z consistent 899000 ["o1","o2"]',
      ].sort(),
    );
    for (const i of incidents) expect(i).toMatchObject({ kind: 'determinism', env: 'dev', artifact: 'det', severity: 'high', detectedAt: i.startedAt });
    const d3 = incidents.filter(rule('d-three'));
    expect(new Set(d3.map((i) => i.incidentId)).size).toBe(2); // a new incident, not the old one reopened

    const levels = (ruleId: string) => alerts.filter(rule(ruleId)).map((a) => `${a.status} L${a.escalationLevel} ${a.startsAt}${a.endsAt ? ` → ${a.endsAt}` : ''}`);
    // Each incident: one firing per level reached, exactly one resolved. d-three's first: L2 at 14:07, resolved 14:15
    // (L3 would be 14:17). Its second: L2 at 14:20; at 14:30 it is exactly 15 min old — it resolves at that instant,
    // so no L3 on its way out.
    expect(levels('d-three')).toEqual([
      'firing L1 2026-11-27T14:02:00.000Z',
      'firing L2 2026-11-27T14:02:00.000Z',
      'resolved L2 2026-11-27T14:02:00.000Z → 2026-11-27T14:15:00.000Z',
      'firing L1 2026-11-27T14:15:00.000Z',
      'firing L2 2026-11-27T14:15:00.000Z',
      'resolved L2 2026-11-27T14:15:00.000Z → 2026-11-27T14:30:00.000Z',
    ]);
    // d-err: L2 at 14:05:30, resolved 14:15:00 before L3 at 14:15:30.
    expect(levels('d-err')).toEqual(['firing L1 2026-11-27T14:00:30.000Z', 'firing L2 2026-11-27T14:00:30.000Z', 'resolved L2 2026-11-27T14:00:30.000Z → 2026-11-27T14:15:00.000Z']);
    // Same rule + labels → same fingerprint for both d-three incidents; each emission its own alertId; each pair
    // carries its own incident's id.
    const d3Alerts = alerts.filter(rule('d-three'));
    expect(new Set(d3Alerts.map((a) => a.fingerprint)).size).toBe(1);
    expect(new Set(d3Alerts.map((a) => a.alertId)).size).toBe(6);
    expect(d3Alerts.map((a) => a.incidentId)).toEqual([...Array(3).fill(d3[0]!.incidentId), ...Array(3).fill(d3[1]!.incidentId)].sort((x, y) =>
      // incidents.ndjson order is not pinned: order the expected ids by their incident's start
      String(incidents.find((i) => i.incidentId === x)!.startedAt).localeCompare(String(incidents.find((i) => i.incidentId === y)!.startedAt)),
    ));
    expect(alerts.every((a) => a.rule === 'hydration_nondeterminism' && a.severity === 'high')).toBe(true);
  });
});
