/**
 * Ids join their parts with NUL (lib/ids.ts). Env "prod\0web" with artifact
 * "x" and env "prod" with artifact "web\0x", drifting from the same instant,
 * gave both incidents one incidentId (inc-3ee8861318618fc521d2), and
 * incidents.ndjson kept only one of them. Every field joined into an id
 * (env, artifact, ruleId, a gate's name) now refuses NUL, dead-lettered
 * naming the field; the other fields (eventId, instance, correlationId, …)
 * keep it, stored as sent.
 *
 * Defaults: lateness 30 s, grace 120 s, source TTL 15 min, escalation L2 at
 * 5 min, L3 at 15 min.
 */
import { describe, expect, it } from 'vitest';
import { alertShape, replayFixture } from '../helpers/replay-fixture.js';

describe('replay of events with NUL in fields joined into ids', () => {
  it.each([false, true])('sort %s: a NUL in a field joined into an id is a dead letter naming the field; NUL elsewhere is kept', async (sort) => {
    const { summary, incidents, alerts, dlq } = await replayFixture('nul-in-id-fields.ndjson', { sort });
    expect(summary).toMatchObject({ lines: 11, events: 3, duplicates: 0, deadLetters: 8, deadLettersByCategory: { invalid_event: 8 } });
    const nul = (field: string, value: string) => `${field}: must not contain "\\u0000", got "${value}"`;
    expect(dlq.map((d) => [d.line, d.reason]).sort(([a], [b]) => Number(a) - Number(b))).toEqual([
      [1, nul('env', 'prod\u0000web')],
      [2, nul('artifact', 'web\u0000x')],
      [3, nul('env', 'prod\u0000web')],
      [4, nul('artifact', 'web\u0000x')],
      [5, nul('env', 'prod\u0000web')],
      [6, nul('artifact', 'web\u0000x')],
      [8, nul('gate.name', 'smoke\u0000canary')],
      [10, nul('ruleId', 'r\u00001')],
    ]);
    // Left: prod/web's p-1 (started 10:05, succeeded 10:06 → grace ends 10:08) and i\0 2 serving sha256:evil at 10:10
    // (eventId, instance and correlationId hold a NUL: accepted). Drifted from 10:10; nothing reports again, so the
    // source expires after the 15 min TTL: resolved source_expired at 10:25:00.001.
    expect(incidents).toEqual([
      expect.objectContaining({
        env: 'prod',
        artifact: 'web',
        startedAt: '2026-11-27T10:10:00.000Z',
        resolvedAt: '2026-11-27T10:25:00.001Z',
        reason: 'source_expired',
        expectedDigest: 'sha256:w1',
        divergentDigests: ['sha256:evil'],
        correlationId: 'c\u0000d',
      }),
    ]);
    expect(alerts.map(alertShape)).toEqual([
      'drift_detected firing high L1 prod/web 2026-11-27T10:10:00.000Z',
      'drift_detected firing high L2 prod/web 2026-11-27T10:10:00.000Z',
      'drift_detected firing high L3 prod/web 2026-11-27T10:10:00.000Z',
      'drift_detected resolved high L3 prod/web 2026-11-27T10:10:00.000Z → 2026-11-27T10:25:00.001Z',
    ]);
    expect(alerts[0]!.annotations.description).toContain('(1 of 1 sources reporting)'); // h1's hydration (ruleId with NUL) is not a source
  });
});
