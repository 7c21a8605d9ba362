/**
 * Scenario tests: replay hand-written NDJSON fixtures and compare with
 * expectations worked out by hand from SPEC §4 (defaults: lateness 30 s,
 * grace 120 s, source TTL 15 min, escalation L2 at 5 min, L3 at 15 min).
 * The reasoning for each number is next to it.
 */
import { describe, it, expect } from 'vitest';
import { replayFixture, alertShape } from '../helpers/replay-fixture.js';

describe('replay scenarios', () => {
  it('lagging replica after a promotion: drift starts when the grace period ends, resolves when it catches up', async () => {
    const { incidents, alerts, dlq } = await replayFixture('lagging-replica.ndjson');
    // p-2 succeeded 10:11:00 → previous digest a1 acceptable until 10:13:00; r2 still reports a1 → drifted at 10:13:00.
    // r2 reports a2 at 10:20:00 → converged; recovery 7 min.
    expect(incidents).toEqual([
      {
        incidentId: expect.stringMatching(/^inc-/),
        kind: 'state',
        env: 'prod',
        artifact: 'api',
        severity: 'high', // prod → at least high
        startedAt: '2026-11-27T10:13:00.000Z',
        detectedAt: '2026-11-27T10:13:00.000Z',
        resolvedAt: '2026-11-27T10:20:00.000Z',
        reason: 'converged',
        expectedDigest: 'sha256:a2',
        divergentDigests: ['sha256:a1'],
        recoveryMs: 420_000,
        correlationId: 'corr-r2',
      },
    ]);
    // Firing at L1, escalated to L2 at 10:18 (5 min), resolved at 10:20.
    expect(alerts.map(alertShape)).toEqual([
      'drift_detected firing high L1 prod/api 2026-11-27T10:13:00.000Z',
      'drift_detected firing high L2 prod/api 2026-11-27T10:13:00.000Z',
      'drift_detected resolved high L2 prod/api 2026-11-27T10:13:00.000Z → 2026-11-27T10:20:00.000Z',
    ]);
    expect(new Set(alerts.map((a) => a.fingerprint)).size).toBe(1);
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(3);
    expect(alerts.every((a) => a.incidentId === incidents[0]!.incidentId)).toBe(true);
    expect(dlq).toEqual([]);
  });

  it('a replica whose clock runs 2 min behind: every report of it is late, and it is still judged, from the frontier', async () => {
    const { incidents, alerts, summary } = await replayFixture('clock-behind-replica.ndjson');
    // Events are released once 2 × 30 s behind the newest: i2's reports, stamped 115-180 s behind i1's, are all late.
    expect(summary).toMatchObject({ events: 6, late: 4 });
    // p-cb → c3 at 09:00:10 (any digest acceptable until 09:02:10, the key's first desired state). i2's c2 "at 09:02:05"
    // arrives after i1's 09:04:00 read, when the frontier is 09:04:00 − 60 s = 09:03:00: drifted from 09:03:00. Its c2
    // "at 09:03:05" changes nothing; its c3 "at 09:01:30" is older than its newest report and is ignored (it would
    // have resolved the incident at 09:04); its c3 "at 09:04:05" arrives with the frontier at 09:05:00: converged.
    expect(incidents).toEqual([
      expect.objectContaining({
        env: 'prod', artifact: 'cart', severity: 'high', startedAt: '2026-11-27T09:03:00.000Z', detectedAt: '2026-11-27T09:03:00.000Z',
        resolvedAt: '2026-11-27T09:05:00.000Z', reason: 'converged', expectedDigest: 'sha256:c3', divergentDigests: ['sha256:c2'],
        recoveryMs: 120_000, correlationId: 'corr-i2',
      }),
    ]);
    expect(alerts.map(alertShape)).toEqual([
      'drift_detected firing high L1 prod/cart 2026-11-27T09:03:00.000Z',
      'drift_detected resolved high L1 prod/cart 2026-11-27T09:03:00.000Z → 2026-11-27T09:05:00.000Z',
    ]);
  });

  it('rogue version: detected at the first divergent observation', async () => {
    const { incidents, alerts } = await replayFixture('rogue-version.ndjson');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      kind: 'state',
      env: 'staging',
      artifact: 'web',
      severity: 'medium',
      startedAt: '2026-11-27T11:03:00.000Z',
      detectedAt: '2026-11-27T11:03:00.000Z', // detection delay 0 ≤ 5 min
      resolvedAt: '2026-11-27T11:09:30.000Z',
      reason: 'converged',
      expectedDigest: 'sha256:w5',
      divergentDigests: ['sha256:evil'],
      recoveryMs: 390_000,
      correlationId: 'corr-rogue',
    });
    expect(alerts.map(alertShape)).toEqual([
      'drift_detected firing medium L1 staging/web 2026-11-27T11:03:00.000Z',
      'drift_detected firing medium L2 staging/web 2026-11-27T11:03:00.000Z',
      'drift_detected resolved medium L2 staging/web 2026-11-27T11:03:00.000Z → 2026-11-27T11:09:30.000Z',
    ]);
  });

  it('failed promotion whose canary sticks: drift at failure + grace, resolved when the canary goes silent', async () => {
    const { incidents, alerts } = await replayFixture('failed-canary.ndjson');
    // p-5 failed at 12:11:10 → sb acceptable until 12:13:10; c1 last reported sb at 12:14:00,
    // then went silent → forgotten at 12:29:00.001, the first moment it has been silent for longer than the TTL (15 min).
    expect(incidents).toEqual([
      expect.objectContaining({
        env: 'prod',
        artifact: 'search',
        severity: 'high',
        startedAt: '2026-11-27T12:13:10.000Z',
        detectedAt: '2026-11-27T12:13:10.000Z',
        resolvedAt: '2026-11-27T12:29:00.001Z',
        reason: 'source_expired',
        expectedDigest: 'sha256:sa',
        divergentDigests: ['sha256:sb'],
        recoveryMs: 950_001,
      }),
    ]);
    // L2 at 12:18:10, L3 at 12:28:10, resolved at 12:29:00.001 (before L4 at 12:43:10).
    expect(alerts.map((a) => `${a.status} L${a.escalationLevel}`)).toEqual(['firing L1', 'firing L2', 'firing L3', 'resolved L3']);
  });

  it('rollback that does not take on one replica: drift and rollback_failed, both resolved once', async () => {
    const { incidents, alerts } = await replayFixture('rollback.ndjson');
    // rolled_back at 13:08 → desired p1; p2 acceptable until 13:10; r2 stays on p2 → drifted 13:10, back on p1 at 13:13.
    expect(incidents).toEqual([
      expect.objectContaining({
        env: 'prod',
        artifact: 'pay',
        startedAt: '2026-11-27T13:10:00.000Z',
        resolvedAt: '2026-11-27T13:13:00.000Z',
        reason: 'converged',
        expectedDigest: 'sha256:p1',
        divergentDigests: ['sha256:p2'],
        recoveryMs: 180_000,
      }),
    ]);
    expect(alerts.map(alertShape).sort()).toEqual(
      [
        'drift_detected firing high L1 prod/pay 2026-11-27T13:10:00.000Z',
        'drift_detected resolved high L1 prod/pay 2026-11-27T13:10:00.000Z → 2026-11-27T13:13:00.000Z',
        'rollback_failed firing critical L1 prod/pay 2026-11-27T13:10:00.000Z',
        'rollback_failed resolved critical L1 prod/pay 2026-11-27T13:10:00.000Z → 2026-11-27T13:13:00.000Z',
      ].sort(),
    );
  });

  it('nondeterministic hydration rule: opens at the conflicting output, resolves at the end of the first consistent window', async () => {
    const { incidents, alerts } = await replayFixture('nondeterministic-rule.ndjson');
    // Window 14:00–14:05: c1 → o1 (14:01) and o2 (14:02) → open at 14:02. Window 14:05–14:10 still conflicts.
    // Window 14:10–14:15: c1 → o3 only → resolved at 14:15:00.
    expect(incidents).toEqual([
      expect.objectContaining({
        kind: 'determinism',
        env: 'dev',
        artifact: 'cfg',
        ruleId: 'r-merge',
        severity: 'high',
        startedAt: '2026-11-27T14:02:00.000Z',
        detectedAt: '2026-11-27T14:02:00.000Z',
        resolvedAt: '2026-11-27T14:15:00.000Z',
        reason: 'consistent',
        divergentDigests: ['sha256:o1', 'sha256:o2'],
        recoveryMs: 780_000,
      }),
    ]);
    expect(alerts.map((a) => `${a.rule} ${a.status} L${a.escalationLevel} ${a.labels.ruleId}`)).toEqual([
      'hydration_nondeterminism firing L1 r-merge',
      'hydration_nondeterminism firing L2 r-merge', // 14:07 = 5 min after 14:02
      'hydration_nondeterminism resolved L2 r-merge',
    ]);
  });

  it('out-of-order events, duplicates and malformed lines do not change the incidents found', async () => {
    const clean = await replayFixture('rogue-version.ndjson');
    const messy = await replayFixture('messy-rogue-version.ndjson');
    expect(messy.incidents).toEqual(clean.incidents);
    expect(messy.alerts.map(alertShape)).toEqual(clean.alerts.map(alertShape));
    expect(messy.summary).toMatchObject({ events: 10, duplicates: 3, late: 1, deadLetters: 6 });
    expect(messy.dlq.map((d) => [d.line, d.reason])).toEqual([
      [3, expect.stringMatching(/^invalid JSON: /)],
      [7, 'servedDigest: is required'],
      [9, 'type: expected one of promotion, hydration, index, got "deploy"'],
      [12, expect.stringMatching(/^occurredAt: expected an RFC 3339 timestamp/)],
      [16, 'digest: is required when phase is succeeded'],
      [19, 'expected a JSON object'],
    ]);
    expect(messy.dlq[0]!.raw).toBe('this is not json');
  });

  it('a slow recovery: mttr_breach fires past 30 min open and resolves when the recovery leaves the rolling hour', async () => {
    const { incidents, alerts } = await replayFixture('slow-recovery.ndjson');
    // p1 → d1 at 12:00:01; h1 serves dx from 12:05 (incident), back on d1 at 12:36: recovery 31 min.
    expect(incidents).toEqual([expect.objectContaining({ startedAt: '2026-11-27T12:05:00.000Z', resolvedAt: '2026-11-27T12:36:00.000Z', recoveryMs: 31 * 60_000 })]);
    // Open longer than 30 min from 12:35:00.001 (the breach); at 12:36 the 1 h mean is 31 min, still a breach; the
    // incident leaves the trailing hour at 13:36:00.000, with no later event: only that departure ends the breach (it
    // stayed firing for ever before). End of input moves event time on, so the escalations due before 13:36 come first.
    expect(alerts.filter((a) => a.rule === 'mttr_breach').map((a) => `${a.status} L${a.escalationLevel} ${a.startsAt}${a.endsAt ? ` → ${a.endsAt}` : ''}`)).toEqual([
      'firing L1 2026-11-27T12:35:00.001Z',
      'firing L2 2026-11-27T12:35:00.001Z',
      'firing L3 2026-11-27T12:35:00.001Z',
      'firing L4 2026-11-27T12:35:00.001Z',
      'resolved L4 2026-11-27T12:35:00.001Z → 2026-11-27T13:36:00.000Z',
    ]);
  });

  it('a slow promotion: promotion_duration_high fires when its window closes and resolves when that window leaves the rolling hour', async () => {
    const { incidents, alerts, dlq } = await replayFixture('slow-promotion.ndjson');
    expect(incidents).toEqual([]); // nothing observed, so nothing can drift
    expect(dlq).toEqual([]);
    // p7 in qa: started 12:00, succeeded 12:10 → one terminal promotion of 10 min, in the 5-minute window
    // [12:10, 12:15). That window closes at 12:15: the rolling-hour mean is 10 min > 5 min over 1 sample
    // (minSamples 1) → firing at 12:15, escalating at 12:20 (L2), 12:30 (L3), 12:45 (L4). Nothing follows: the
    // window leaves the rolling hour at 13:15, where the alert resolves — it stayed firing for ever before.
    // One passed gate run and one success are below every other rule's minimum of samples.
    expect(alerts.map(alertShape)).toEqual([
      'promotion_duration_high firing medium L1 qa 2026-11-27T12:15:00.000Z',
      'promotion_duration_high firing medium L2 qa 2026-11-27T12:15:00.000Z',
      'promotion_duration_high firing medium L3 qa 2026-11-27T12:15:00.000Z',
      'promotion_duration_high firing medium L4 qa 2026-11-27T12:15:00.000Z',
      'promotion_duration_high resolved medium L4 qa 2026-11-27T12:15:00.000Z → 2026-11-27T13:15:00.000Z',
    ]);
  });

  it('a late started of a running promotion: its canary stops being drift once the start is known, not only when it succeeds', async () => {
    const { incidents, alerts, dlq, summary } = await replayFixture('late-started.ndjson');
    // p-1 made sha256:l1 desired at 14:00:30. Canary k1 serves sha256:l2 at 14:12:30, before the engine knows that p-2
    // (started 14:12:00) promotes it → drifted at 14:12:30. p-2's started arrives after the 14:15:00 event: frontier
    // 14:15:00 − 2 × 30 s = 14:14:00, so it is late, and from 14:14:00 on l2 is in flight, acceptable: the incident
    // resolves then (reason promoted), not at p-2's succeeded (14:16:30). k1's l2 at 14:16:00 opens nothing.
    expect(incidents).toEqual([
      expect.objectContaining({
        env: 'prod',
        artifact: 'cart',
        severity: 'high',
        startedAt: '2026-11-27T14:12:30.000Z',
        detectedAt: '2026-11-27T14:12:30.000Z',
        resolvedAt: '2026-11-27T14:14:00.000Z',
        reason: 'promoted',
        expectedDigest: 'sha256:l1',
        divergentDigests: ['sha256:l2'],
        recoveryMs: 90_000,
      }),
    ]);
    // Promotion durations 30 s and 4 min 30 s (the late start still counts): mean 2.5 min, no promotion_duration_high.
    expect(alerts.map(alertShape)).toEqual([
      'drift_detected firing high L1 prod/cart 2026-11-27T14:12:30.000Z',
      'drift_detected resolved high L1 prod/cart 2026-11-27T14:12:30.000Z → 2026-11-27T14:14:00.000Z',
    ]);
    expect(summary.late).toBe(1);
    expect(dlq).toEqual([]);
  });
});
