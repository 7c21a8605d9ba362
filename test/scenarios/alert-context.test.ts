/**
 * What the on-call SRE paged at 3 a.m. reads in a drift alert: which sources
 * serve which digest, and for rollback_failed which rollback (promotion id,
 * actor, correlation id) set the state that is not reached. rollback.ndjson:
 * prod/pay rolled back from p-7 (sha256:p2) to sha256:p1 by alice at 13:08
 * (corr-rb); replica r2 still serves sha256:p2 at 13:12, r1 serves p1.
 */
import { describe, expect, it } from 'vitest';
import { replayFixture } from '../helpers/replay-fixture.js';
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
});
