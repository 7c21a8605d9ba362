/**
 * Two instances of one alert begun at the same event time get different
 * alertIds (alert-id.ts: the later one's `instantOrdinal`), also when a
 * commit and a restart come between them. Late snapshots are judged at the
 * frontier (snapshot_not_verified): an unverified one fires there, a
 * verified one resolves there, and the next unverified one fires again — at
 * the same frontier when event time has not moved meanwhile, with the same
 * startsAt, status, severity and level. Only the ordinal tells the second
 * firing from the first; the alert book counted it in memory, so an
 * instance restarted after the commit gave the second firing the first's id:
 * a consumer deduplicating on alertId dropped it, and the alerts table
 * (emission_key) kept one row of the two.
 */
import { describe, expect, it } from 'vitest';
import type { Fact } from '../../../processors/facts.js';
import { Changelog, T, advance, commit, iso, push, startGeneration } from './rebalance-harness.js';

const snapshot = (id: string, hms: string, verified: boolean) => ({
  type: 'promotion', eventId: id, occurredAt: iso(hms), env: 'prod', artifact: 'cart', promotionId: 'p-1', phase: 'snapshot',
  snapshot: { snapshotId: id, verified },
});
const records = [snapshot('s1', '09:59:50', false), snapshot('s2', '09:59:51', true), snapshot('s3', '09:59:52', false)];

const alerts = (facts: Fact[]) =>
  facts.flatMap((f) => (f.kind === 'alert' && f.alert.rule === 'snapshot_not_verified' ? [`${f.alert.status} ${f.alert.startsAt} ${f.alert.alertId}`] : []));

describe('a second alert instance begun at the same instant, across a restart', () => {
  it('keeps the id an uninterrupted run gives it', async () => {
    const once = await startGeneration(new Changelog(), 'A', [0]);
    advance(once, '10:00:00');
    records.forEach((r, offset) => push(once, T.promotion, 0, offset, r));
    const expected = alerts(once.facts);
    expect(expected.map((a) => a.split(' ').slice(0, 2).join(' '))).toEqual(['firing', 'resolved', 'firing'].map((s) => `${s} ${iso('10:00:00')}`));
    expect(new Set(expected.map((a) => a.split(' ')[2])).size).toBe(3);

    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0]);
    advance(a, '10:00:00');
    push(a, T.promotion, 0, 0, records[0]!);
    push(a, T.promotion, 0, 1, records[1]!);
    await commit(a, log, 'A');
    a.engine.pipeline.dispose(); // killed after the commit
    const a2 = await startGeneration(log, 'A', [0], 2);
    push(a2, T.promotion, 0, 2, records[2]!);
    expect([...alerts(a.facts), ...alerts(a2.facts)]).toEqual(expected);
  });
});
