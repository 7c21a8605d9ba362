/**
 * The summary and runbookUrl templates of alerts.yaml are filled with label
 * values, which come from event fields whoever produced the event chose.
 */
import { describe, expect, it } from 'vitest';
import { T0, SEC, incidentFact, makeProcessor, only, stateIncident } from './helpers.js';

const artifact = "web&env=prod#x/../../admin?{env}";

function fired() {
  const { run } = makeProcessor((c) => {
    only('drift_detected')(c);
    c.rules.drift_detected.summary = 'Drift of {artifact} in {env}';
    c.rules.drift_detected.runbookUrl = 'https://runbooks.example.com/drift/{artifact}?env={env}&artifact={artifact}';
  });
  const out = run(incidentFact(T0 + 10 * SEC, 'opened', stateIncident({ env: 'staging', artifact })));
  expect(out).toHaveLength(1);
  return out[0]!.alert.annotations;
}

describe('annotation templates', () => {
  it('percent-encodes each value put into runbookUrl, so a value adds no parameter, fragment or path segment of its own', () => {
    const url = new URL(fired().runbookUrl!);
    expect(url.origin + url.pathname).toBe(`https://runbooks.example.com/drift/${encodeURIComponent(artifact)}`);
    expect(url.hash).toBe('');
    expect([...url.searchParams]).toEqual([
      ['env', 'staging'],
      ['artifact', artifact],
    ]);
  });

  it('fills the summary with the values as they are, once: a placeholder inside a value stays text', () => {
    expect(fired().summary).toBe(`Drift of ${artifact} in staging`);
  });
});
