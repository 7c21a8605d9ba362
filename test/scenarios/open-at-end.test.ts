/**
 * An incident still open when the input ends (SPEC §7, §7.1): incidents.ndjson
 * holds the final state of every incident, an open one with `resolvedAt: null`
 * (no reason, no recovery), and the end of input advances the watermark past
 * every timer, so its alert escalates as far as its age allows and never
 * resolves. Only a determinism incident can end a replay open: a state
 * incident's divergent sources all expire once time moves past their TTL.
 * Expectations by hand, default options.
 */
import { describe, it, expect } from 'vitest';
import { replayedStore } from '../helpers/replayed-store.js';
import { alertShape } from '../helpers/replay-fixture.js';

describe('a determinism incident open at the end of the input', () => {
  const replayed = replayedStore('determinism-open-at-end.ndjson');

  it('is written with resolvedAt null, and its alert escalates to L4 without resolving', () => {
    const { incidents, alerts, dlq } = replayed.replay;
    // r-merge turns input c1 into out-1 at 10:01 and out-2 at 10:02, in window [10:00, 10:05): open at 10:02.
    // r-merge never runs again. r-other's consistent run at 10:06 is another rule's (§4.5 is per rule): it
    // resolves nothing.
    expect(incidents).toEqual([
      {
        incidentId: expect.stringMatching(/^inc-/),
        kind: 'determinism',
        env: 'dev',
        artifact: 'cfg',
        ruleId: 'r-merge',
        severity: 'high',
        startedAt: '2026-11-27T10:02:00.000Z',
        detectedAt: '2026-11-27T10:02:00.000Z',
        resolvedAt: null,
        divergentDigests: ['out-1', 'out-2'],
        inputDigest: 'sha256:c1',
        correlationId: 'corr-oe',
      },
    ]);
    // L2 at 10:07, L3 at 10:17, L4 at 10:32: due once event time passes them, which the end of input makes it do.
    // No mttr_breach in dev although the incident is open for ever: MTTR counts state incidents only (README).
    expect(alerts.map(alertShape)).toEqual([
      'hydration_nondeterminism firing high L1 dev/cfg 2026-11-27T10:02:00.000Z',
      'hydration_nondeterminism firing high L2 dev/cfg 2026-11-27T10:02:00.000Z',
      'hydration_nondeterminism firing high L3 dev/cfg 2026-11-27T10:02:00.000Z',
      'hydration_nondeterminism firing high L4 dev/cfg 2026-11-27T10:02:00.000Z',
    ]);
    expect(alerts.every((a) => a.incidentId === incidents[0]!.incidentId && a.labels.ruleId === 'r-merge')).toBe(true);
    expect(dlq).toEqual([]);
  });

  it('is stored open', async () => {
    const rows = await replayed.store.query<Record<string, unknown>>(
      'SELECT kind, rule_id, toString(started_at) s, resolved_at, reason FROM driftwatch.incidents FINAL',
    );
    expect(rows).toEqual([{ kind: 'determinism', rule_id: 'r-merge', s: '2026-11-27 10:02:00.000', resolved_at: null, reason: null }]);
  });
});
