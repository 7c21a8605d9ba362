/**
 * Fixture late-promotion-audit.ndjson (prod), in input order:
 *   pA  started 10:00 (ci-bot), gate tests passed 10:00:30
 *   pB  started 10:02:40 (the frontier moves to 10:01:40)
 *   pA  rolled back 10:01 by alice, "error budget burn": late — then
 *       redelivered, and pA's gate redelivered too (duplicates)
 *   pB  succeeded 10:04 (frontier 10:03), then its gate smoke failed at
 *       10:02:50: late
 * The audit log must say who did what for every promotion step, late or not,
 * once each (processors/audit-trail.ts): six `promotion.<phase>` records for
 * six promotion events — those of the two late ones the same as in order,
 * their lateness in their `event.late` records — and the duplicates dropped
 * (by eventId, before event-time ordering) before any processor sees them.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { replayedStore } from '../helpers/replayed-store.js';
import { replayFixture } from '../helpers/replay-fixture.js';
import { readmeExample } from '../helpers/readme-example.js';
import { openEmbeddedStore } from '../../store/open-store.js';
import type { ChdbTransport } from '../../store/chdb-transport.js';

const fixture = 'late-promotion-audit.ndjson';

interface AuditRow {
  at: string;
  action: string;
  actor: string;
  subject_id: string;
  correlation_id: string;
  details: string;
}
const promotionRecords = (store: ChdbTransport) =>
  store.query<AuditRow>(
    "SELECT toString(at) AS at, action, actor, subject_id, correlation_id, details FROM driftwatch.audit_log FINAL WHERE action LIKE 'promotion.%' ORDER BY at, action",
  );
/** The same events sorted by time, read before the late replay opens its store (one embedded store per process at a time). */
let inOrder: AuditRow[];
beforeAll(async () => {
  const replay = await replayFixture(fixture, { store: true, sort: true });
  const store = await openEmbeddedStore(join(replay.outDir, 'store'));
  try {
    inOrder = await promotionRecords(store);
  } finally {
    await store.close();
  }
});
const learntLate = replayedStore(fixture);

describe('late and redelivered promotion events in the audit log', () => {
  it('has one promotion.<phase> record per promotion event, late or not, duplicates not counted again', async () => {
    expect(learntLate.replay.summary).toMatchObject({ events: 4, late: 2, duplicates: 2, deadLetters: 0 });
    const [history] = await learntLate.store.query<{ n: number }>('SELECT count() AS n FROM driftwatch.promotion_events FINAL');
    const rows = await promotionRecords(learntLate.store);
    expect(rows).toHaveLength(history!.n);
    expect(rows.map((r) => [r.at, r.action, r.subject_id, r.actor])).toEqual([
      ['2026-11-27 10:00:00.000', 'promotion.started', 'pA', 'ci-bot'],
      ['2026-11-27 10:00:30.000', 'promotion.gate', 'pA', ''],
      ['2026-11-27 10:01:00.000', 'promotion.rolled_back', 'pA', 'alice'],
      ['2026-11-27 10:02:40.000', 'promotion.started', 'pB', 'ci-bot'],
      ['2026-11-27 10:02:50.000', 'promotion.gate', 'pB', ''],
      ['2026-11-27 10:04:00.000', 'promotion.succeeded', 'pB', 'ci-bot'],
    ]);
  });

  it('keeps the late human rollback\'s actor and reason, at its own time', async () => {
    const rollback = (await promotionRecords(learntLate.store)).find((r) => r.action === 'promotion.rolled_back')!;
    expect(rollback).toMatchObject({ actor: 'alice', subject_id: 'pA', correlation_id: 'c-a' });
    expect(JSON.parse(rollback.details)).toEqual({
      eventId: 'a3',
      rollbackTo: { version: '1.0.0', digest: 'sha256:d1' },
      reason: 'error budget burn',
    });
  });

  it('holds exactly the records of the same events in order', async () => {
    expect(await promotionRecords(learntLate.store)).toEqual(inOrder);
  });

  it('counts each late event once as event.late (performance), which finds its step by eventId (sql/README.md\'s query)', async () => {
    const rows = await learntLate.store.query(readmeExample('promotion steps learnt late'));
    expect(rows).toEqual([
      { at: '2026-11-27 10:01:00.000', action: 'promotion.rolled_back', promotion_id: 'pA', actor: 'alice', reason: 'error budget burn', lag_ms: 40_000 },
      { at: '2026-11-27 10:02:50.000', action: 'promotion.gate', promotion_id: 'pB', actor: '', reason: '', lag_ms: 10_000 },
    ]);
    const [lateRecords] = await learntLate.store.query<{ n: number }>("SELECT count() AS n FROM driftwatch.audit_log FINAL WHERE action = 'event.late'");
    expect(lateRecords!.n).toBe(learntLate.replay.summary.late);
  });
});
