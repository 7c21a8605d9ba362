/**
 * The same-instant counts (instant-starts.ts) are part of a key's alerting
 * record (or of the per-env whole) and move with it: a restore replaces the
 * part's counts, a drop forgets them. A count left behind by a drop would go
 * once event time passed its instant and mark the key dirty — a key this
 * member no longer owns, whose next commit would write it a record over its
 * new owner's (snapshotKey then gives nothing: a tombstone). Left behind by a
 * restore, it would travel in the record beside the restored ones.
 */
import { describe, expect, it } from 'vitest';
import type { AlertingStateSnapshot } from '../../../processors/alerting/alerting-processor.js';
import { T0, advance, makeProcessor, only } from './helpers.js';

const KEY = 'prod/web';
const record = (fp: string, at: number, count: number): AlertingStateSnapshot => ({ instances: [], rules: {}, instantStarts: [[fp, at, count]] });

describe('same-instant counts in the alerting state', () => {
  it("travel with the key's record: snapshot, restore elsewhere, snapshot again", () => {
    const a = makeProcessor(only('snapshot_not_verified'));
    a.processor.restoreKey(KEY, record('fp-1', T0, 2));
    const b = makeProcessor(only('snapshot_not_verified'));
    b.processor.restoreKey(KEY, JSON.parse(JSON.stringify(a.processor.snapshotKey(KEY))) as AlertingStateSnapshot);
    expect(b.processor.snapshotKey(KEY)).toEqual(record('fp-1', T0, 2));
  });

  it("a restore replaces the key's counts, it does not add to them", () => {
    const { processor } = makeProcessor(only('snapshot_not_verified'));
    processor.restoreKey(KEY, record('fp-1', T0, 2));
    processor.restoreKey(KEY, record('fp-2', T0, 1));
    expect(processor.snapshotKey(KEY)).toEqual(record('fp-2', T0, 1));
  });

  it('a dropped key keeps no count, and time passing its instant marks it dirty no more', () => {
    const { processor, run } = makeProcessor(only('snapshot_not_verified'));
    processor.restoreKey(KEY, record('fp-1', T0, 2));
    processor.dropKey(KEY);
    expect(processor.snapshotKey(KEY)).toBeUndefined();
    run(advance(T0 + 1));
    expect(processor.drainDirtyKeys()).toEqual([]);
  });

  it("the per-env whole's restore replaces its counts", () => {
    const { processor } = makeProcessor(only('snapshot_not_verified'));
    processor.restore(record('env-fp-1', T0, 2));
    processor.restore(record('env-fp-2', T0, 1));
    expect(processor.snapshot().instantStarts).toEqual([['env-fp-2', T0, 1]]);
  });
});
