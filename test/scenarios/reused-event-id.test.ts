/**
 * SPEC §3: duplicates (same eventId) are processed once. A retry (the same
 * event: here in another field order, with an unknown field, its instant
 * written with an offset, an empty optional string) is dropped as a
 * duplicate; another event under an eventId already seen is a producer's
 * bug, dead-lettered `reused_event_id` (dlq.ndjson, the store's dead_letters;
 * the DLQ topic in live mode: live-input-integrity.test.ts), and the first
 * one stays the one processed. Before, all five were dropped as duplicates:
 * the three other events lost without a word.
 *
 * Defaults: lateness 30 s, grace 120 s, escalation L2 at 5 min.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertShape, replayFixture } from '../helpers/replay-fixture.js';
import { openEmbeddedStore } from '../../store/open-store.js';
import { validateInputEvent } from '../../schemas/input-events.js';

const reused = (id: string, firstAt: string) =>
  `reused eventId: "${id}" conflicts with the event first seen under it (occurredAt ${firstAt}), which was processed; this one, with other content, is not. ` +
  'Each event needs an eventId of its own, and a retry must resend the same event';

describe('replay of a reused eventId', () => {
  it.each([false, true])('sort %s: a reused eventId is a dead letter; retries are duplicates; the first event is the one processed', async (sort) => {
    const { summary, incidents, alerts, dlq } = await replayFixture('reused-event-id.ndjson', { sort });
    // 11 lines: ev-0001..ev-0006 processed; line 4 (a retry of ev-0003) and line 7 (of ev-0004) duplicates; lines 6, 8, 10 reuse an id.
    expect(summary).toMatchObject({ lines: 11, events: 6, duplicates: 2, deadLetters: 3, late: 0, deadLettersByCategory: { reused_event_id: 3 } });
    expect(dlq.map((d) => [d.line, d.reason])).toEqual([
      [6, reused('ev-0004', '2026-11-27T10:04:00.000Z')], // serving sha256:a1 at 10:05: processed, it would have converged the drift at 10:05
      [8, reused('ev-0002', '2026-11-27T10:00:30.000Z')], // a hydration under a promotion's id
      [10, reused('ev-0005', '2026-11-27T10:07:00.000Z')], // differs in latencyMs alone: a field no detection reads is still content
    ]);
    // The original line, untouched, as every dead letter.
    expect(dlq.every((d) => !d.raw.includes('\n') && JSON.parse(d.raw) !== null)).toBe(true);
    expect(JSON.parse(dlq[0]!.raw)).toMatchObject({ eventId: 'ev-0004', occurredAt: '2026-11-27T10:05:00.000Z', servedDigest: 'sha256:a1' });
    // p-1 succeeded 10:00:30 → grace ends 10:02:30; i1 serves sha256:evil at 10:04 (the first ev-0004) → drifted from
    // 10:04. Not 10:05 (the dead-lettered ev-0004): i1 serves sha256:a1 again at 10:10 (ev-0006) → converged, 6 min.
    expect(incidents).toEqual([
      {
        incidentId: expect.stringMatching(/^inc-/),
        kind: 'state',
        env: 'prod',
        artifact: 'api',
        severity: 'high',
        startedAt: '2026-11-27T10:04:00.000Z',
        detectedAt: '2026-11-27T10:04:00.000Z',
        resolvedAt: '2026-11-27T10:10:00.000Z',
        reason: 'converged',
        expectedDigest: 'sha256:a1',
        divergentDigests: ['sha256:evil'],
        recoveryMs: 360_000,
        correlationId: 'corr-rogue', // the first ev-0004's
      },
    ]);
    // L2 at 10:09 (5 min), resolved at 10:10.
    expect(alerts.map(alertShape)).toEqual([
      'drift_detected firing high L1 prod/api 2026-11-27T10:04:00.000Z',
      'drift_detected firing high L2 prod/api 2026-11-27T10:04:00.000Z',
      'drift_detected resolved high L2 prod/api 2026-11-27T10:04:00.000Z → 2026-11-27T10:10:00.000Z',
    ]);
  });

  it('the store keeps the dead letters of reused eventIds with their reasons', async () => {
    const { outDir } = await replayFixture('reused-event-id.ndjson', { store: true });
    const store = await openEmbeddedStore(join(outDir, 'store'));
    const rows = await store.query('SELECT source_line, reason FROM driftwatch.dead_letters FINAL ORDER BY source_line').finally(() => store.close());
    expect(rows).toEqual([
      { source_line: 6, reason: reused('ev-0004', '2026-11-27T10:04:00.000Z') },
      { source_line: 8, reason: reused('ev-0002', '2026-11-27T10:00:30.000Z') },
      { source_line: 10, reason: reused('ev-0005', '2026-11-27T10:07:00.000Z') },
    ]);
  });

  it('the dead-letter queries group them apart from malformed eventIds (by the text before the first ": ")', async () => {
    // sql/queries/dead-letters-by-reason.sql and the Dead letters by reason panel group by that text alone (the store
    // keeps no category): under "eventId" they were one group with "eventId: must not be empty" and the like.
    const malformed = validateInputEvent({ type: 'index', eventId: '', occurredAt: '2026-11-27T10:00:00.000Z', env: 'prod', artifact: 'api', op: 'read', instance: 'i1', servedDigest: 'd', latencyMs: 1, status: 'ok' });
    expect(malformed.ok ? '' : malformed.error).toMatch(/^eventId: /);
    const { outDir } = await replayFixture('reused-event-id.ndjson', { store: true });
    const store = await openEmbeddedStore(join(outDir, 'store'));
    const rows = await store
      .query("SELECT splitByString(': ', reason)[1] AS failed_check, count() AS records FROM driftwatch.dead_letters FINAL GROUP BY failed_check")
      .finally(() => store.close());
    expect(rows).toEqual([{ failed_check: 'reused eventId', records: 3 }]);
  });
});
