/**
 * A late event's `event.late` audit record across a commit that does not
 * commit (a rebalance catching it in flight, a commit request the broker
 * refuses): the work since the last commit is done again from there, and the
 * redo's frontier need not be the first run's — live mode's frontier follows
 * how the records came in batches and partitions, and a member that takes the
 * partition over judges from its own. The record's `at` and `details`
 * (frontier, lag) are that frontier, and every column takes part in
 * audit_log's key: stored at once, as the per-key rows are, the first run's
 * record stayed beside the redo's — one late event audited twice, or audited
 * late where the committed work took it in order. So it is held with the
 * commit's env-level rows (engine/live/held-share-rows.ts) and stored once
 * that commit has committed.
 */
import { describe, expect, it } from 'vitest';
import { logicalStore } from '../../helpers/differential-run.js';
import { Changelog, T, advance, at, commit, iso, push, refusedCommit, startGeneration, type Live } from './rebalance-harness.js';

const hydrated = (id: string, hms: string) => ({
  type: 'hydration', eventId: id, occurredAt: iso(hms), env: 'prod', artifact: 'cart', ruleId: 'r1', instance: 'i1',
  inputDigest: 'sha256:aa', outputDigest: 'sha256:bb', durationMs: 5, status: 'ok',
});

/** The event.late rows the store holds (FINAL), as [subject, at]. */
function lateRows(generations: Live[]): Array<[unknown, unknown]> {
  const store = logicalStore(generations.flatMap((g) => g.stored), (f) => generations.find((g) => g.stored.includes(f))!.storedBy(f));
  return (store.audit_log ?? []).filter((r) => r.action === 'event.late').map((r) => [r.subject_id, r.at]);
}

describe('event.late across a commit that did not commit', () => {
  it.each(['abandoned', 'refused by the broker'])('is stored once, the committed work\'s (%s)', async (how) => {
    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0]);
    advance(a, '10:00:00');
    await commit(a, log, 'A');
    // After the commit the frontier moves on, and a late hydration comes: late at 10:01.
    advance(a, '10:01:00');
    push(a, T.hydration, 0, 0, hydrated('h-late', '09:59:30'));
    expect(a.facts.filter((f) => f.kind === 'late').map((f) => f.at)).toEqual([at('10:01:00')]);
    if (how === 'abandoned') a.engine.pipeline.dispose(); // no commit: the rebalance undid it
    else await refusedCommit(a, log, 'A');

    // The redo, from the last commit: event time resumes at 10:00, where the record is late too, by less.
    const a2 = await startGeneration(log, 'A', [0], 2);
    push(a2, T.hydration, 0, 0, hydrated('h-late', '09:59:30'));
    expect(a2.facts.filter((f) => f.kind === 'late').map((f) => f.at)).toEqual([at('10:00:00')]);
    await commit(a2, log, 'A');

    expect(lateRows([a, a2])).toEqual([['h-late', at('10:00:00')]]);
  });

  it('a commit that commits stores its event.late record, and a crash right after it has the restart store it', async () => {
    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0]);
    advance(a, '10:01:00');
    push(a, T.hydration, 0, 0, hydrated('h-late', '09:59:30'));
    await commit(a, log, 'A', { crashAfterCommit: true });
    expect(lateRows([a])).toEqual([]);
    const a2 = await startGeneration(log, 'A', [0], 2);
    expect(lateRows([a, a2])).toEqual([['h-late', at('10:01:00')]]);
    await commit(a2, log, 'A');
    expect(lateRows([a, a2])).toEqual([['h-late', at('10:01:00')]]);
  });
});
