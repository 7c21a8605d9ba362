/**
 * The default rate rules (SPEC §6, alerts.yaml) at exactly their thresholds,
 * worked out by hand. Each is judged when a 5-minute window closes, over the
 * closed windows within its `window`; it fires on a breach over at least
 * `minSamples` samples and resolves when the rate is back or no window of its
 * key is left in the span:
 *   promotion_success_rate_low  succeeded/ended < 0.95, 1 h, ≥ 20   (high)
 *   gate_failure_rate_high      failed/runs > 0.05, 1 h, ≥ 20        (medium)
 *   index_error_rate_high       errors/ops > 0.05, 5 min, ≥ 20       (medium)
 *   promotion_duration_high     mean > 5 min, 1 h, ≥ 1               (medium)
 * Every promotion of the sr-* envs starts at 10:00:ss and ends at 10:01:ss
 * (1 min), gate runs are at 10:02:ss and index ops at 10:03:ss: all in window
 * [10:00, 10:05), which closes at 10:05:00.000.
 */
import { describe, expect, it } from 'vitest';
import { alertShape, replayFixture } from '../helpers/replay-fixture.js';

describe('rate rules at their thresholds', () => {
  it('exactly at a threshold is no breach, one sample short of minSamples is no alert, and each breach resolves once', async () => {
    const { alerts, incidents, summary } = await replayFixture('rate-thresholds.ndjson');
    expect(summary).toMatchObject({ late: 0, deadLetters: 0 });
    expect(incidents).toEqual([]);
    // Not alerted: sr-ok 19/20 = 95 % (not below 95 %), sr-few 17/19 ≈ 89 % over 19 promotions (< 20), g-ok 1/20 = 5 %
    // (not above 5 %), ix-eq 1/20 = 5 %, ix-few 10/19 over 19 ops (< 20), d-eq exactly 5 min (not above).
    expect(new Set(alerts.map((a) => a.labels.env))).toEqual(new Set(['sr-low', 'g-high', 'ix-high', 'ix-gap', 'd-over']));
    const of = (rule: string, env: string) => alerts.filter((a) => a.rule === rule && a.labels.env === env).map(alertShape);
    // sr-low 18/20 = 90 % over 20: fires at 10:05; L2 10:10, L3 10:20, L4 10:35; its only window (end 10:05) leaves
    // the rolling hour at 11:05:00.000: resolved then.
    const fiveAt = '2026-11-27T10:05:00.000Z';
    expect(of('promotion_success_rate_low', 'sr-low')).toEqual([
      `promotion_success_rate_low firing high L1 sr-low ${fiveAt}`,
      `promotion_success_rate_low firing high L2 sr-low ${fiveAt}`,
      `promotion_success_rate_low firing high L3 sr-low ${fiveAt}`,
      `promotion_success_rate_low firing high L4 sr-low ${fiveAt}`,
      `promotion_success_rate_low resolved high L4 sr-low ${fiveAt} → 2026-11-27T11:05:00.000Z`,
    ]);
    // g-high 2/20 = 10 % of gate smoke: the same course, per env and gate (labels env, gate).
    expect(of('gate_failure_rate_high', 'g-high')).toEqual([
      `gate_failure_rate_high firing medium L1 g-high ${fiveAt}`,
      `gate_failure_rate_high firing medium L2 g-high ${fiveAt}`,
      `gate_failure_rate_high firing medium L3 g-high ${fiveAt}`,
      `gate_failure_rate_high firing medium L4 g-high ${fiveAt}`,
      `gate_failure_rate_high resolved medium L4 g-high ${fiveAt} → 2026-11-27T11:05:00.000Z`,
    ]);
    expect(alerts.find((a) => a.rule === 'gate_failure_rate_high')!.labels).toEqual({ env: 'g-high', gate: 'smoke' });
    // ix-high 2/20 = 10 %: fires at 10:05; its window leaves the 5-minute span at 10:10:00.000, no env window after it
    // (no activity): no longer measured, resolved — at the very instant of L2, so without escalating.
    expect(of('index_error_rate_high', 'ix-high')).toEqual([
      `index_error_rate_high firing medium L1 ix-high ${fiveAt}`,
      `index_error_rate_high resolved medium L1 ix-high ${fiveAt} → 2026-11-27T10:10:00.000Z`,
    ]);
    // ix-gap: the same 2/20 at 10:05; its next window [10:05, 10:10) has a hydration but no index op — a window that
    // counted nothing leaves the alert as it is (L2 at 10:10); [10:10, 10:15) has 20 good ops: 0 % → resolved at
    // 10:15:00.000, before L3 (10:20).
    expect(of('index_error_rate_high', 'ix-gap')).toEqual([
      `index_error_rate_high firing medium L1 ix-gap ${fiveAt}`,
      `index_error_rate_high firing medium L2 ix-gap ${fiveAt}`,
      `index_error_rate_high resolved medium L2 ix-gap ${fiveAt} → 2026-11-27T10:15:00.000Z`,
    ]);
    // d-over: 10:00:00.000 → 10:05:00.001 = 5 min + 1 ms, ended in [10:05, 10:10): fires when that window closes,
    // 10:10:00.000; L2 10:15, L3 10:25, L4 10:40; leaves the hour at 11:10:00.000.
    const tenAt = '2026-11-27T10:10:00.000Z';
    expect(of('promotion_duration_high', 'd-over')).toEqual([
      `promotion_duration_high firing medium L1 d-over ${tenAt}`,
      `promotion_duration_high firing medium L2 d-over ${tenAt}`,
      `promotion_duration_high firing medium L3 d-over ${tenAt}`,
      `promotion_duration_high firing medium L4 d-over ${tenAt}`,
      `promotion_duration_high resolved medium L4 d-over ${tenAt} → 2026-11-27T11:10:00.000Z`,
    ]);
    // Fingerprints: one per instance, stable over its emissions, distinct between instances.
    const fps = new Map<string, Set<string>>();
    for (const a of alerts) fps.set(`${a.rule} ${a.labels.env}`, (fps.get(`${a.rule} ${a.labels.env}`) ?? new Set()).add(a.fingerprint));
    expect([...fps.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set(alerts.map((a) => a.fingerprint)).size).toBe(5);
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(alerts.length);
    // Routing (seed escalation matrix and alert categories): who the level names, then whom a high alert escalates
    // to (senior engineers, named once), the severity's channels.
    expect(alerts.filter((a) => a.rule === 'promotion_success_rate_low').map((a) => [a.annotations.notify, a.annotations.channels, a.annotations.respondWithin])).toEqual([
      ['On-Call Engineer, Senior Engineer', 'slack, email', '30m'],
      ['Senior Engineer', 'slack, email', '30m'],
      ['Engineering Manager, Senior Engineer', 'slack, email', '30m'],
      ['Director of Engineering, Senior Engineer', 'slack, email', '30m'],
      ['Director of Engineering, Senior Engineer', 'slack, email', '30m'],
    ]);
    expect(alerts.filter((a) => a.severity === 'medium').every((a) => a.annotations.channels === 'slack' && a.annotations.respondWithin === '2h')).toBe(true);
  });

  it('promotion success rate over the rolling hour: a window that ended exactly 1 h before is out, one of too few samples keeps the alert', async () => {
    const { alerts } = await replayFixture('rate-rolling-edge.ndjson');
    // Both envs: window A [10:00, 10:05) has 10 successful promotions.
    // e-edge: window B [11:00, 11:05) has 8 successes and 2 failures; when B closes at 11:05 the hour is
    //   (10:05, 11:05]: A (end 10:05) is just out, B alone is 10 promotions (< 20): no alert.
    // e-in: B is [10:55, 11:00): at 11:00 the hour (10:00, 11:00] holds A and B: 18/20 = 90 % → fires at 11:00. At
    //   11:05 A leaves: 8/10 = 80 %, a breach over too few samples — it keeps the alert (L2 at 11:05, L3 11:15, L4
    //   11:30). B leaves at 12:00: nothing left to measure → resolved 12:00:00.000.
    expect(alerts.map(alertShape)).toEqual([
      'promotion_success_rate_low firing high L1 e-in 2026-11-27T11:00:00.000Z',
      'promotion_success_rate_low firing high L2 e-in 2026-11-27T11:00:00.000Z',
      'promotion_success_rate_low firing high L3 e-in 2026-11-27T11:00:00.000Z',
      'promotion_success_rate_low firing high L4 e-in 2026-11-27T11:00:00.000Z',
      'promotion_success_rate_low resolved high L4 e-in 2026-11-27T11:00:00.000Z → 2026-11-27T12:00:00.000Z',
    ]);
  });
});
