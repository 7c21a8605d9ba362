/**
 * A resolution's own text (RuleContext.clear's `text`) goes through what a firing's does: a rule's configured `summary`
 * template wins over the rule's resolution summary, and control characters in the description (from event fields,
 * e.g. an artifact name) show as escapes, labels staying exact. Pinned here: only the built-in texts were tested.
 */
import { describe, expect, it } from 'vitest';
import { MIN, T0, incidentFact, makeProcessor, only, stateIncident } from './helpers.js';

describe('resolution text', () => {
  it('keeps a configured summary template and escapes control characters, as a firing does', () => {
    const { run } = makeProcessor((c) => {
      only('drift_detected')(c);
      c.rules.drift_detected.summary = 'Drift of {artifact} in {env}';
    });
    const inc = stateIncident({ env: 'prod', artifact: 'we\nb' });
    const [firing] = run(incidentFact(T0 + MIN, 'opened', inc));
    const [resolved] = run(incidentFact(T0 + 4 * MIN, 'resolved', { ...inc, resolvedAt: T0 + 4 * MIN, reason: 'converged' }));
    expect(firing!.alert.annotations.summary).toBe('Drift of we\\nb in prod');
    expect(resolved!.alert.status).toBe('resolved');
    expect(resolved!.alert.annotations.summary).toBe('Drift of we\\nb in prod');
    expect(resolved!.alert.annotations.description).toMatch(/^Resolved at .*every divergent source of we\\nb in prod reports an acceptable digest again/);
    expect(resolved!.alert.annotations.description).not.toContain('\n');
    expect(resolved!.alert.labels).toEqual({ env: 'prod', artifact: 'we\nb' });
  });
});
