/**
 * An alert's summary and description are for people, and alert consumers put
 * them on terminals, pagers and chat: the event fields they quote — which
 * whoever produced the event chose — show control characters, line
 * separators and bidi controls as escapes, as `driftwatch query` does. A raw
 * ESC sequence would drive the terminal of whoever reads it, a CR overwrite
 * the line, a bidi override reverse what follows ("drift in prod" reading as
 * something else). Labels keep the values exactly: they identify the alert.
 */
import { describe, expect, it } from 'vitest';
import { T0, SEC, incidentFact, makeProcessor, only, stateIncident } from './helpers.js';

const artifact = 'web\u001b[2J\rfake\u202eorp\u0000\u2028x';
const shown = 'web\\x1b[2J\\rfake\\u202eorp\\x00\\u2028x';

function fired(summaryTemplate?: string) {
  const { run } = makeProcessor((c) => {
    only('drift_detected')(c);
    if (summaryTemplate !== undefined) c.rules.drift_detected.summary = summaryTemplate;
  });
  const out = run(incidentFact(T0 + 10 * SEC, 'opened', stateIncident({ env: 'prod\u001b]8;;https://evil\u0007', artifact, expectedDigest: 'sha256:\u202egood' })));
  expect(out).toHaveLength(1);
  return out[0]!.alert;
}

describe('alert text quoting event fields', () => {
  it('shows control and bidi characters of the values as escapes in the summary and description; labels stay exact', () => {
    const alert = fired();
    expect(alert.annotations.summary).toBe(`Drift detected: ${shown} in prod\\x1b]8;;https://evil\\x07 runs a digest that was not promoted`);
    expect(alert.annotations.description).toContain(`${shown} in prod\\x1b]8;;https://evil\\x07 has diverged`);
    expect(alert.annotations.description).toContain('Expected digest: sha256:\\u202egood');
    expect(alert.labels).toMatchObject({ env: 'prod\u001b]8;;https://evil\u0007', artifact });
  });

  it('escapes the values filled into a summary template, not the template', () => {
    expect(fired('Drift of {artifact}').annotations.summary).toBe(`Drift of ${shown}`);
  });
});
