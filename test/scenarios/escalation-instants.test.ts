/**
 * Alerts whose condition ends at the very instant of an escalation (alerts.yaml `escalation`: "an alert whose
 * condition ends at that very instant was never that old while firing: it resolves without escalating"), for the
 * rules replay-edges.test.ts (drift, determinism) and rate-rule-boundaries.test.ts (rate rules) leave out:
 * snapshot_not_verified and mttr_breach. Worked out by hand (fixture escalation-instants.ndjson, 2026-11-28;
 * hydrations of env tick only move event time).
 */
import { describe, expect, it } from 'vitest';
import { alertCourse, alertShape, replayFixture } from '../helpers/replay-fixture.js';

const at = (hms: string) => `2026-11-28T${hms}Z`;

describe('a condition ending at an escalation instant', () => {
  it('resolves at the level reached before it; a later breach of the same env is a new instance', async () => {
    const { alerts, summary } = await replayFixture('escalation-instants.ndjson');
    expect(summary).toMatchObject({ late: 0, deadLetters: 0 });
    const of = (rule: string) => alerts.filter((a) => a.rule === rule).map(alertShape);

    // sn/a: snapshot not verified at 10:00; a verified one at 10:05:00.000, the instant L2 is due: resolved at L1.
    expect(of('snapshot_not_verified')).toEqual(alertCourse('snapshot_not_verified', 'high', 'sn/a', at('10:00:00.000'), at('10:05:00.000'), 1));

    // mt (desired x1, y1 since 11:50): y drifts 12:00 → 12:01 (1 min); x drifts 12:00 → 12:35:00.001 (35 min + 1 ms;
    // its source reports x0 every 10 min, so it does not expire).
    // mttr_breach: x open longer than 30 min from 12:30:00.001 → fires. x resolves at 12:35:00.001, the instant L2 is
    // due: nothing open, 1 h mean (1 min + 35 min 1 ms) / 2 ≈ 18 min → resolved at L1.
    // At 13:01:00.000 y's recovery (resolved 12:01:00.000) leaves the trailing hour (13:01 − 1 h, 13:01]: the mean
    // is x's 35 min + 1 ms > 30 min → a new breach from 13:01; L2 13:06, L3 13:16, L4 13:31; x leaves the hour at
    // 13:35:00.001 → resolved.
    const first = at('12:30:00.001');
    const second = at('13:01:00.000');
    expect(of('mttr_breach')).toEqual([
      ...alertCourse('mttr_breach', 'high', 'mt', at('12:30:00.001'), at('12:35:00.001'), 1),
      ...alertCourse('mttr_breach', 'high', 'mt', at('13:01:00.000'), at('13:35:00.001'), 4),
    ]);
    const breaches = alerts.filter((a) => a.rule === 'mttr_breach');
    expect(new Set(breaches.map((a) => a.fingerprint)).size).toBe(1);
    expect(new Set(breaches.map((a) => a.alertId)).size).toBe(breaches.length);

    // The drifts themselves: x reaches L4 at 12:30:00.000 (30 min exactly) and resolves at 12:35:00.001.
    expect(of('drift_detected')).toEqual([
      `drift_detected firing medium L1 mt/x ${at('12:00:00.000')}`,
      `drift_detected firing medium L1 mt/y ${at('12:00:00.000')}`,
      `drift_detected resolved medium L1 mt/y ${at('12:00:00.000')} → ${at('12:01:00.000')}`,
      `drift_detected firing medium L2 mt/x ${at('12:00:00.000')}`,
      `drift_detected firing medium L3 mt/x ${at('12:00:00.000')}`,
      `drift_detected firing medium L4 mt/x ${at('12:00:00.000')}`,
      `drift_detected resolved medium L4 mt/x ${at('12:00:00.000')} → ${at('12:35:00.001')}`,
    ]);
    expect(new Set(alerts.map((a) => a.rule))).toEqual(new Set(['snapshot_not_verified', 'mttr_breach', 'drift_detected']));
  });
});
