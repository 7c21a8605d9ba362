/**
 * What the on-call SRE paged at 3 a.m. reads in a drift alert: which sources
 * serve which digest, and for rollback_failed which rollback (promotion id,
 * actor, correlation id) set the state that is not reached. rollback.ndjson:
 * prod/pay rolled back from p-7 (sha256:p2) to sha256:p1 by alice at 13:08
 * (corr-rb); replica r2 still serves sha256:p2 at 13:12, r1 serves p1.
 */
import { describe, expect, it } from 'vitest';
import { alertShape, replayFixture } from '../helpers/replay-fixture.js';
import { describeStateDrift } from '../../processors/alerting/rules/drift-detected.js';
import type { Incident } from '../../processors/facts.js';

describe('alert context for the on-call', () => {
  it('drift_detected and rollback_failed name the divergent sources and the rollback that set the desired state', async () => {
    const { alerts } = await replayFixture('rollback.ndjson');
    const rb = alerts.find((a) => a.rule === 'rollback_failed' && a.status === 'firing')!;
    expect(rb.annotations.description).toContain('Divergent source(s): hydration:r2 serves sha256:p2 (1 of 2 sources reporting).');
    expect(rb.annotations.description).toContain('Expected digest: sha256:p1 (set by rollback p-7 by alice, correlation corr-rb');
    expect(rb.correlationId).toBe('corr-rb');
    const drift = alerts.find((a) => a.rule === 'drift_detected' && a.status === 'firing')!;
    expect(drift.annotations.description).toContain('hydration:r2 serves sha256:p2');
  });

  it('mttr_breach names the oldest open incident and its artifact (mttr-breach-edges.ndjson: ops/o open since 12:00)', async () => {
    const { alerts } = await replayFixture('mttr-breach-edges.ndjson');
    const ops = alerts.find((a) => a.rule === 'mttr_breach' && a.labels.env === 'ops' && a.status === 'firing')!;
    expect(ops.annotations.description).toBe(
      'In ops: 1 open drift incident(s), the oldest open for 30m: inc-8f991f1d92462b216c8f (o, since 2026-11-27T12:00:00.000Z); no incident resolved in the last 1h.',
    );
  });

  it('hydration_nondeterminism names the replica whose run gave the conflicting output (nondeterministic-rule.ndjson: h2 gave o2 at 14:02)', async () => {
    const { alerts } = await replayFixture('nondeterministic-rule.ndjson');
    const nd = alerts.find((a) => a.rule === 'hydration_nondeterminism' && a.status === 'firing')!;
    expect(nd.annotations.description).toContain('sha256:o1, sha256:o2. The conflicting output sha256:o2 came from hydration:h2. Resolves');
  });

  it('lists a bounded number of divergent sources, with how many more there are', () => {
    const sources = Array.from({ length: 500 }, (_, n) => ({ sourceId: `hydration:replica-${String(n).padStart(3, '0')}`, digest: 'sha256:evil' }));
    const incident: Incident = {
      incidentId: 'inc-1', kind: 'state', env: 'prod', artifact: 'api', severity: 'high', startedAt: 0, detectedAt: 0, resolvedAt: null,
      expectedDigest: 'sha256:good', divergentDigests: ['sha256:evil', ...Array.from({ length: 499 }, (_, n) => `sha256:rogue-${String(n).padStart(3, '0')}`)], desiredFrom: 'promotion',
      divergentSources: sources.slice(0, 5), divergentSourceCount: 500, sourceCount: 600,
    };
    const text = describeStateDrift(incident);
    expect(text).toContain('hydration:replica-004 serves sha256:evil and 495 more (500 of 600 sources reporting)');
    expect(text).toContain('sha256:rogue-008 and 490 more.');
    expect(text.length).toBeLessThan(1000);
  });
  /**
   * The rate rules name what they counted (rate-alert-context.ndjson). prod: pr-00..pr-24 (api even, web odd,
   * version 1.<n>.0) start at 10:00:ss; pr-00..pr-11 fail gate smoke and then fail ('smoke gate failed') at
   * 10:01:ss, the others pass it and succeed, pr-24 only at 10:09:24. In [10:05, 10:10) pr-11 is retried into a
   * success and pr-23 is rolled back to 1.21.0 by alice ('error budget burn'). slow: sl-00..sl-11 take 6m + 10 s × n.
   * ix (unmanaged): api 3 index errors of 20 ops, web 1 of 10, cart 0 of 10, all in [10:00, 10:05).
   */
  describe('rate rules name the promotions, gate runs and artifacts behind the rate (at most 10, then how many more)', async () => {
    const { alerts, incidents } = await replayFixture('rate-alert-context.ndjson');
    const firing = (rule: string, env: string) => alerts.filter((a) => a.rule === rule && a.labels.env === env && a.status === 'firing');
    const failed = (n: number) => `pr-${String(n).padStart(2, '0')} (${n % 2 === 0 ? 'api' : 'web'} 1.${n}.0, failed: smoke gate failed)`;
    const down = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => from - i);

    it('has nothing else going on', () => {
      expect(incidents).toEqual([]);
      expect(new Set(alerts.map((a) => `${a.rule} ${a.labels.env}`))).toEqual(
        new Set(['promotion_success_rate_low prod', 'gate_failure_rate_high prod', 'promotion_duration_high slow', 'index_error_rate_high ix']),
      );
    });

    it('promotion_success_rate_low: the failed and rolled-back promotions, latest first, as they are at each emission', () => {
      const [l1, ...later] = firing('promotion_success_rate_low', 'prod');
      expect(alertShape(l1!)).toBe('promotion_success_rate_low firing high L1 prod 2026-11-27T10:05:00.000Z');
      expect(l1!.annotations.description).toBe(
        `12 of 24 promotions that ended in prod in the last 1h succeeded; 12 failed or were rolled back, latest first: ${down(11, 2).map(failed).join(', ')} and 2 more.`,
      );
      // From the close of [10:05, 10:10) on: pr-11's retry succeeded (no longer named), pr-23's success was taken back.
      const l3 = later.find((a) => a.escalationLevel === 3)!;
      expect(l3.annotations.description).toBe(
        '13 of 25 promotions that ended in prod in the last 1h succeeded; 12 failed or were rolled back, latest first: ' +
          `pr-23 (web, rolled back to 1.21.0 by alice: error budget burn), ${down(10, 2).map(failed).join(', ')} and 2 more.`,
      );
    });

    it('gate_failure_rate_high: the promotions whose runs of the gate failed, latest first', () => {
      const [l1] = firing('gate_failure_rate_high', 'prod');
      expect(l1!.labels).toEqual({ env: 'prod', gate: 'smoke' });
      expect(l1!.annotations.description).toBe(
        '12 of 25 runs of gate smoke in prod failed in the last 1h. Latest failed runs: ' +
          `${down(11, 2).map((n) => `pr-${String(n).padStart(2, '0')} (${n % 2 === 0 ? 'api' : 'web'})`).join(', ')} and 2 more.`,
      );
    });

    it('promotion_duration_high: the slowest promotions with their durations', () => {
      const [l1] = firing('promotion_duration_high', 'slow');
      expect(alertShape(l1!)).toBe('promotion_duration_high firing medium L1 slow 2026-11-27T10:10:00.000Z');
      const took = ['6m', '6m 10s', '6m 20s', '6m 30s', '6m 40s', '6m 50s', '7m', '7m 10s', '7m 20s', '7m 30s', '7m 40s', '7m 50s'];
      const slow = (n: number) => `sl-${String(n).padStart(2, '0')} (batch 2.${n}.0, ${took[n]})`;
      expect(l1!.annotations.description).toBe(
        'Mean duration (start to terminal event) of the 12 promotion(s) that ended in slow in the last 1h: 6m 55s. ' +
          `Slowest: ${down(11, 2).map(slow).join(', ')} and 2 more.`,
      );
    });

    it('index_error_rate_high: the artifacts with the most index errors', () => {
      const [l1] = firing('index_error_rate_high', 'ix');
      expect(l1!.annotations.description).toBe('4 of 40 index operations in ix failed in the last 5m. Errors by artifact: api (3), web (1).');
    });
  });
});
