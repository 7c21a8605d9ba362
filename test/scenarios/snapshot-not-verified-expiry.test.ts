/**
 * snapshot_not_verified resolves when the key's next snapshot is verified,
 * and — like the rate rules, which resolve once nothing of theirs is in their
 * window — when its key reported no snapshot for the rule's `window` (24h by
 * default): a key never promoted again, an environment retired. It used to
 * fire for ever, at L4, until someone turned the rule off.
 *
 * Fixture: unverified snapshots of prod/web, prod/api and stage/web at 10:01;
 * prod/api's next one (11:00:30) is verified; stage/web reports another
 * unverified one at 20:01; event time goes on to the next day's 12:01.
 */
import { describe, expect, it } from 'vitest';
import { alertShape, replayFixture } from '../helpers/replay-fixture.js';

describe('snapshot_not_verified without a next snapshot', () => {
  it('resolves `window` after the key last reported one; a verified one still resolves it at once', async () => {
    const { alerts } = await replayFixture('snapshot-expiry.ndjson');
    const of = (subject: string) => alerts.filter((a) => a.rule === 'snapshot_not_verified' && `${a.labels.env}/${a.labels.artifact}` === subject);
    const escalations = (subject: string) => ['L1', 'L2', 'L3', 'L4'].map((l) => `snapshot_not_verified firing high ${l} ${subject} 2026-11-27T10:01:00.000Z`);
    // Verified at 11:00:30: resolved then, as before.
    expect(of('prod/api').map(alertShape)).toEqual([
      ...escalations('prod/api'),
      'snapshot_not_verified resolved high L4 prod/api 2026-11-27T10:01:00.000Z → 2026-11-27T11:00:30.000Z',
    ]);
    // Never another snapshot: resolved a day after the last one, as event time passes it (12:01 the next day).
    const web = of('prod/web');
    expect(web.map(alertShape)).toEqual([
      ...escalations('prod/web'),
      'snapshot_not_verified resolved high L4 prod/web 2026-11-27T10:01:00.000Z → 2026-11-28T10:01:00.000Z',
    ]);
    expect(web.at(-1)!.annotations.description).toMatch(
      /Resolved because no snapshot of web in prod was reported for 1d \(its window\): this rule no longer judges it; the last one was not verified\.$/,
    );
    // The unverified one at 20:01 moved its end to the next day's 20:01: past the input, so at its end.
    expect(of('stage/web').map(alertShape)).toEqual([
      ...escalations('stage/web'),
      'snapshot_not_verified resolved high L4 stage/web 2026-11-27T10:01:00.000Z → 2026-11-28T20:01:00.000Z',
    ]);
  });
});
