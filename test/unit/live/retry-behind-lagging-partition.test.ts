/**
 * A producer retry right behind its original, in a partition that lags the
 * others in event time (fixtures/retry-behind-lagging-partition.ndjson:
 * hydration rl-01 at 10:00, the same key's index topic already at 11:05 —
 * a backlog read one partition ahead of another, as a live member does —
 * then rl-01 again) is a duplicate: event time in live mode is the minimum
 * over the partitions (the frontier), still before 10:00, so the original is
 * well inside the dedup horizon. The deduplicator measured its horizon
 * against the newest event time seen in any partition instead, and forgot
 * rl-01 when the 11:05 record came: the retry was processed twice (found by
 * test/scenarios/differential-rebalance.test.ts, where a member restores a moved key's
 * recent ids and then reads another partition more than an hour ahead).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Changelog, T, advance, commit, push, startGeneration } from './rebalance-harness.js';
import type { Fact } from '../../../processors/facts.js';

// Not among test/scenarios/fixtures: those are replayed whole, and must each give alerts or outcomes to compare.
const [original, ahead, retry] = readFileSync(new URL('fixtures/retry-behind-lagging-partition.ndjson', import.meta.url), 'utf8').trim().split('\n') as [string, string, string];
const processedIds = (facts: readonly Fact[]) => facts.flatMap((f) => (f.kind === 'event' || f.kind === 'late' ? [f.envelope.event.eventId] : []));

describe('a retry behind its original in a lagging partition is a duplicate', () => {
  it('in one member', async () => {
    const live = await startGeneration(new Changelog(), 'A', [0]);
    push(live, T.hydration, 0, 0, original);
    push(live, T.index, 0, 0, ahead);
    push(live, T.hydration, 0, 1, retry);
    advance(live, '12:00:00');
    expect(live.engine.pipeline.counters).toMatchObject({ duplicates: 1, events: 2, late: 0 });
    expect(processedIds(live.facts)).toEqual(['rl-01', 'rl-02']);
  });

  it('in the member the partition moved to, with the ids the key brought along', async () => {
    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0]);
    push(a, T.hydration, 0, 0, original);
    advance(a, '10:01:00'); // processed: its id is among the key's recent ids
    await commit(a, log, 'A');
    const b = await startGeneration(log, 'B', [0], 2, undefined, { members: ['A', 'B'] });
    push(b, T.index, 0, 0, ahead);
    push(b, T.hydration, 0, 1, retry);
    advance(b, '12:00:00');
    expect(b.engine.pipeline.counters).toMatchObject({ duplicates: 1, events: 1, late: 0 });
    expect(processedIds([...a.facts, ...b.facts])).toEqual(['rl-01', 'rl-02']);
  });
});
