/**
 * SPEC §4.2: the source of an observation is `<type>:<instance>`, so a
 * replica's hydration and its index are two sources, each with its own latest
 * observation. Keyed by instance alone, one replica's acceptable index read
 * would hide its divergent hydration (and the other way round): the drift
 * would end at the wrong time, with the wrong reason, or not be found at all.
 * Expectations by hand, default options (grace 120 s, TTL 15 min, L2 at 5 min).
 */
import { describe, it, expect } from 'vitest';
import { replayedStore } from '../helpers/replayed-store.js';
import { alertShape } from '../helpers/replay-fixture.js';

describe('hydration and index of one instance are distinct sources (SPEC §4.2)', () => {
  const replayed = replayedStore('source-identity.ndjson');

  it('each stays drifted until its own divergent source reports an acceptable digest', () => {
    const { incidents, alerts, dlq } = replayed.replay;
    // Both keys: first desired state at 10:00:00, any digest acceptable until 10:02:00; instance r1 of each key
    // reports the desired digest through both of its sources at 10:03.
    expect(incidents).toEqual([
      // qa/web: index:r1 serves w9 at 10:04 → drifted. hydration:r1 loading w1 at 10:06 is another source: still
      // drifted. index:r1 serves w1 at 10:07 → converged.
      expect.objectContaining({
        kind: 'state', env: 'qa', artifact: 'web', severity: 'medium', startedAt: '2026-11-27T10:04:00.000Z',
        detectedAt: '2026-11-27T10:04:00.000Z', resolvedAt: '2026-11-27T10:07:00.000Z', reason: 'converged',
        expectedDigest: 'sha256:w1', divergentDigests: ['sha256:w9'], recoveryMs: 180_000,
      }),
      // qa/svc: hydration:r1 loads s9 at 10:05 → drifted. index:r1 serving s1 at 10:06 and 10:12 leaves
      // hydration:r1 divergent (alive until 10:20:00.001); it loads s1 at 10:14 → converged, 9 min.
      expect.objectContaining({
        kind: 'state', env: 'qa', artifact: 'svc', severity: 'medium', startedAt: '2026-11-27T10:05:00.000Z',
        detectedAt: '2026-11-27T10:05:00.000Z', resolvedAt: '2026-11-27T10:14:00.000Z', reason: 'converged',
        expectedDigest: 'sha256:s1', divergentDigests: ['sha256:s9'], recoveryMs: 540_000,
      }),
    ]);
    expect(alerts.map(alertShape)).toEqual([
      'drift_detected firing medium L1 qa/web 2026-11-27T10:04:00.000Z',
      'drift_detected firing medium L1 qa/svc 2026-11-27T10:05:00.000Z',
      'drift_detected resolved medium L1 qa/web 2026-11-27T10:04:00.000Z → 2026-11-27T10:07:00.000Z',
      'drift_detected firing medium L2 qa/svc 2026-11-27T10:05:00.000Z', // 10:10, 5 min old
      'drift_detected resolved medium L2 qa/svc 2026-11-27T10:05:00.000Z → 2026-11-27T10:14:00.000Z',
    ]);
    expect(dlq).toEqual([]);
  });

  it('the drift windows count two sources per replica', async () => {
    const rows = await replayed.store.query<Record<string, unknown>>(
      'SELECT artifact, toString(window_start) w, observations o, divergent_observations dob, sources s, divergent_sources ds ' +
        'FROM driftwatch.drift_windows FINAL ORDER BY artifact, window_start',
    );
    expect(rows).toEqual([
      // svc 10:00: hydration and index of r1 at 10:03.
      { artifact: 'svc', w: '2026-11-27 10:00:00.000', o: 2, dob: 0, s: 2, ds: 0 },
      // svc 10:05: hydration:r1 s9 (divergent) at 10:05, index:r1 s1 at 10:06.
      { artifact: 'svc', w: '2026-11-27 10:05:00.000', o: 2, dob: 1, s: 2, ds: 1 },
      // svc 10:10: index:r1 s1 at 10:12, hydration:r1 s1 at 10:14.
      { artifact: 'svc', w: '2026-11-27 10:10:00.000', o: 2, dob: 0, s: 2, ds: 0 },
      // web 10:00: both sources w1 at 10:03, index:r1 w9 (divergent) at 10:04.
      { artifact: 'web', w: '2026-11-27 10:00:00.000', o: 3, dob: 1, s: 2, ds: 1 },
      // web 10:05: hydration:r1 w1 at 10:06, index:r1 w1 at 10:07.
      { artifact: 'web', w: '2026-11-27 10:05:00.000', o: 2, dob: 0, s: 2, ds: 0 },
    ]);
  });
});
