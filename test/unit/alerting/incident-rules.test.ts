import { describe, expect, it } from 'vitest';
import { stableId } from '../../../lib/ids.js';
import type { SeverityClassifier } from '../../../config/alert-rules.js';
import { MIN, SEC, T0, WALL, brief, incidentFact, iso, makeProcessor, only, stateIncident } from './helpers.js';

describe('drift_detected', () => {
  it('fires when a state incident opens and resolves exactly once when it resolves', () => {
    const { run } = makeProcessor(only('drift_detected'));
    const inc = stateIncident({ env: 'prod' });
    const out = run(incidentFact(T0 + 10 * SEC, 'opened', inc));
    expect(out).toEqual([
      {
        at: T0 + 10 * SEC,
        alert: {
          alertId: 'alert-1',
          fingerprint: stableId('fp', 'drift_detected', 'artifact=web', 'env=prod'),
          rule: 'drift_detected',
          status: 'firing',
          severity: 'high', // prod override: at least high
          escalationLevel: 1,
          labels: { env: 'prod', artifact: 'web' },
          annotations: {
            summary: 'Drift detected: web in prod runs a digest that was not promoted',
            description:
              'web in prod has diverged from its desired state since 2026-11-27T12:00:00.000Z. ' +
              'Expected digest: sha256:aaa (set by a promotion). Divergent digest(s) observed: sha256:bbb. Incident inc-1.',
            // Routing from the default alerts.yaml: level 1's notify and high's (senior engineers), high's channels and
            // response target.
            notify: 'On-Call Engineer, Senior Engineer',
            channels: 'slack, email',
            respondWithin: '30m',
          },
          startsAt: iso(T0),
          incidentId: 'inc-1',
          correlationId: 'corr-1',
          emittedAt: iso(WALL),
        },
      },
    ]);
    // Updates refresh the description but emit nothing by themselves.
    expect(run(incidentFact(T0 + 2 * MIN, 'updated', { ...inc, divergentDigests: ['sha256:bbb', 'sha256:ccc'] }))).toEqual([]);
    const resolved = run(incidentFact(T0 + 4 * MIN, 'resolved', { ...inc, resolvedAt: T0 + 4 * MIN, reason: 'converged' }));
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.alert).toMatchObject({
      alertId: 'alert-2',
      status: 'resolved',
      severity: 'high',
      escalationLevel: 1,
      startsAt: iso(T0),
      endsAt: iso(T0 + 4 * MIN),
      fingerprint: out[0]!.alert.fingerprint,
    });
    // It says how the drift ended (the firing text described the drift).
    expect(resolved[0]!.alert.annotations).toMatchObject({
      summary: 'Drift ended: web in prod runs an acceptable digest again',
      description:
        'Resolved at 2026-11-27T12:04:00.000Z: every divergent source of web in prod reports an acceptable digest again ' +
        '(incident reason converged), 4m after the drift began at 2026-11-27T12:00:00.000Z. Incident inc-1.',
    });
    expect(run(incidentFact(T0 + 5 * MIN, 'resolved', { ...inc, resolvedAt: T0 + 4 * MIN }))).toEqual([]);
  });

  it('keeps the text an update refreshed for a resolution that carries the last firing text (source_expired)', () => {
    const { run } = makeProcessor(only('drift_detected'));
    const inc = stateIncident({ env: 'prod' });
    run(incidentFact(T0 + 10 * SEC, 'opened', inc));
    expect(run(incidentFact(T0 + 2 * MIN, 'updated', { ...inc, divergentDigests: ['sha256:bbb', 'sha256:ccc'] }))).toEqual([]);
    const resolved = run(incidentFact(T0 + 4 * MIN, 'resolved', { ...inc, resolvedAt: T0 + 4 * MIN, reason: 'source_expired' }));
    expect(resolved[0]!.alert.annotations.description).toContain('Divergent digest(s) observed: sha256:bbb, sha256:ccc.');
  });

  it('non-production drift stays medium; the same key drifting again is a new occurrence with the same fingerprint', () => {
    const { run } = makeProcessor(only('drift_detected'));
    const first = run(
      incidentFact(T0, 'opened', stateIncident()),
      incidentFact(T0 + MIN, 'resolved', stateIncident({ resolvedAt: T0 + MIN })),
      incidentFact(T0 + 2 * MIN, 'opened', stateIncident({ incidentId: 'inc-2', startedAt: T0 + 2 * MIN })),
    );
    expect(brief(first)).toEqual([
      ['drift_detected', 'firing', 1, 'medium', 0],
      ['drift_detected', 'resolved', 1, 'medium', MIN],
      ['drift_detected', 'firing', 1, 'medium', 2 * MIN],
    ]);
    expect(new Set(first.map((o) => o.alert.fingerprint)).size).toBe(1);
    expect(first.map((o) => o.alert.alertId)).toEqual(['alert-1', 'alert-2', 'alert-3']);
    expect(first[2]!.alert).toMatchObject({ incidentId: 'inc-2', startsAt: iso(T0 + 2 * MIN) });
  });

  it('ignores the resolution of an incident it did not alert on', () => {
    const { run } = makeProcessor(only('drift_detected'));
    run(incidentFact(T0, 'opened', stateIncident()));
    expect(run(incidentFact(T0 + MIN, 'resolved', stateIncident({ incidentId: 'other', resolvedAt: T0 + MIN })))).toEqual([]);
  });

  it('re-emits when the classified severity changes while firing', () => {
    let severity: 'medium' | 'critical' = 'medium';
    const classify: SeverityClassifier = () => severity;
    const { run } = makeProcessor(only('drift_detected'), classify);
    run(incidentFact(T0, 'opened', stateIncident()));
    severity = 'critical';
    expect(brief(run(incidentFact(T0 + MIN, 'updated', stateIncident())))).toEqual([['drift_detected', 'firing', 1, 'critical', MIN]]);
    expect(run(incidentFact(T0 + 2 * MIN, 'updated', stateIncident()))).toEqual([]);
  });
});

describe('rollback_failed', () => {
  it('fires (critical) for a state incident whose desired state came from a rollback, and resolves with it', () => {
    const { run } = makeProcessor(only('rollback_failed'));
    expect(run(incidentFact(T0, 'opened', stateIncident()))).toEqual([]);
    const inc = stateIncident({ incidentId: 'inc-9', artifact: 'api', desiredFrom: 'rollback', expectedDigest: 'sha256:old' });
    const out = run(incidentFact(T0 + 20 * SEC, 'opened', inc));
    expect(brief(out)).toEqual([['rollback_failed', 'firing', 1, 'critical', 20 * SEC]]);
    expect(out[0]!.alert.annotations.summary).toBe('Rollback failed: api in staging still diverges after rolling back to sha256:old');
    expect(out[0]!.alert.labels).toEqual({ env: 'staging', artifact: 'api' });
    const resolved = run(incidentFact(T0 + 3 * MIN, 'resolved', { ...inc, resolvedAt: T0 + 3 * MIN }));
    expect(brief(resolved)).toEqual([['rollback_failed', 'resolved', 1, 'critical', 3 * MIN]]);
  });

  it('follows updates: fires when an incident becomes a rollback failure, resolves when it stops being one', () => {
    const { run } = makeProcessor(only('rollback_failed'));
    run(incidentFact(T0, 'opened', stateIncident()));
    expect(brief(run(incidentFact(T0 + MIN, 'updated', stateIncident({ desiredFrom: 'rollback' }))))).toEqual([
      ['rollback_failed', 'firing', 1, 'critical', MIN],
    ]);
    expect(brief(run(incidentFact(T0 + 2 * MIN, 'updated', stateIncident({ desiredFrom: 'promotion' }))))).toEqual([
      ['rollback_failed', 'resolved', 1, 'critical', 2 * MIN],
    ]);
    expect(run(incidentFact(T0 + 3 * MIN, 'resolved', stateIncident({ resolvedAt: T0 + 3 * MIN })))).toEqual([]);
  });

  it('an incident that becomes a rollback failure long after it opened fires at L1, starting then', () => {
    const { run } = makeProcessor(only('rollback_failed'));
    run(incidentFact(T0, 'opened', stateIncident()));
    const out = run(incidentFact(T0 + 31 * MIN, 'updated', stateIncident({ desiredFrom: 'rollback' })));
    // The condition began at the update: not 31 min old (L4) the moment the rollback is made.
    expect(brief(out)).toEqual([['rollback_failed', 'firing', 1, 'critical', 31 * MIN]]);
    expect(out[0]!.alert.startsAt).toBe(iso(T0 + 31 * MIN));
  });

  it('a rollback incident also raises drift_detected when both rules are on', () => {
    const { run } = makeProcessor(only('drift_detected', 'rollback_failed'));
    const out = run(incidentFact(T0, 'opened', stateIncident({ env: 'prod', desiredFrom: 'rollback' })));
    expect(brief(out)).toEqual([
      ['drift_detected', 'firing', 1, 'high', 0],
      ['rollback_failed', 'firing', 1, 'critical', 0],
    ]);
  });

  it('both say on the resolution that the sources fell silent when the incident ended by source expiry, not otherwise', () => {
    const note = / Resolved because no divergent source has reported for the source TTL \(DRIFTWATCH_SOURCE_TTL\): the drift was not seen to end \(incident reason source_expired\)\.$/;
    for (const reason of ['source_expired', 'converged', 'promoted']) {
      const { run } = makeProcessor(only('drift_detected', 'rollback_failed'));
      const inc = stateIncident({ env: 'prod', desiredFrom: 'rollback' });
      run(incidentFact(T0, 'opened', inc));
      // (The escalations due before it, L2 and L3, come with it.)
      const resolved = run(incidentFact(T0 + 16 * MIN, 'resolved', { ...inc, resolvedAt: T0 + 16 * MIN, reason })).filter((r) => r.alert.status === 'resolved');
      expect(resolved.map((r) => [r.alert.rule, r.alert.status, note.test(r.alert.annotations.description)])).toEqual([
        ['drift_detected', 'resolved', reason === 'source_expired'],
        ['rollback_failed', 'resolved', reason === 'source_expired'],
      ]);
    }
  });
});

describe('an incident past its named digests (incident-lifecycle.ts MAX_LISTED_DIGESTS)', () => {
  const digests = Array.from({ length: 64 }, (_, i) => `sha256:${String(i).padStart(2, '0')}`);

  it('drift_detected counts the digests it does not name in "and N more"', () => {
    const { run } = makeProcessor(only('drift_detected'));
    const out = run(incidentFact(T0, 'opened', stateIncident({ divergentDigests: digests, divergentDigestsOmitted: 36 })));
    // 10 named by the text, 54 more named by the incident, 36 it only counted.
    expect(out[0]!.alert.annotations.description).toContain(`Divergent digest(s) observed: ${digests.slice(0, 10).join(', ')} and 90 more.`);
  });

  it('hydration_nondeterminism counts the outputs it does not name', () => {
    const { run } = makeProcessor(only('hydration_nondeterminism'));
    const out = run(incidentFact(T0, 'opened', stateIncident({ kind: 'determinism', ruleId: 'rule-7', inputDigest: 'sha256:in', divergentDigests: digests.slice(0, 2), divergentDigestsOmitted: 5 })));
    expect(out[0]!.alert.annotations.description).toContain('same input digest sha256:in: sha256:00, sha256:01 and 5 more.');
  });
});

describe('hydration_nondeterminism', () => {
  it('follows the determinism incident, labelled with the rule id', () => {
    const { run } = makeProcessor(only('hydration_nondeterminism', 'drift_detected'));
    const inc = stateIncident({
      kind: 'determinism',
      ruleId: 'rule-7',
      inputDigest: 'sha256:in',
      divergentDigests: ['sha256:o1', 'sha256:o2'],
      startedAt: T0 + MIN,
    });
    const out = run(incidentFact(T0 + MIN, 'opened', inc));
    expect(brief(out)).toEqual([['hydration_nondeterminism', 'firing', 1, 'high', MIN]]);
    expect(out[0]!.alert.labels).toEqual({ env: 'staging', artifact: 'web', ruleId: 'rule-7' });
    expect(out[0]!.alert.annotations.description).toContain('same input digest sha256:in: sha256:o1, sha256:o2');
    const resolved = run(incidentFact(T0 + 10 * MIN, 'resolved', { ...inc, resolvedAt: T0 + 10 * MIN, reason: 'consistent' }));
    expect(brief(resolved)).toEqual([
      ['hydration_nondeterminism', 'firing', 2, 'high', 6 * MIN],
      ['hydration_nondeterminism', 'resolved', 2, 'high', 10 * MIN],
    ]);
  });
});
