/**
 * Every record a live commit writes to the state changelog fits one send
 * (SEND_CHUNK_BYTES, half the broker's default message.max.bytes), whatever
 * the input: a record over the broker's limit fails the commit with
 * MESSAGE_TOO_LARGE, not retriable, and the same state fails the same way
 * after every restart — one producer sending made-up envs, or one key seen
 * from many replicas, stopped the pipeline for everyone (SPEC §3).
 *
 * The two shapes that grew without a bound of their own: the instance's
 * per-env state, one record (`w/<instanceId>`) over every env it saw, and one
 * key's state over every source reporting it within the source TTL. Both are
 * written in pieces (engine/live/state-chunks.ts) and restore to the same
 * state; a later, smaller version leaves no piece behind.
 */
import { describe, expect, it } from 'vitest';
import { prepareCommit } from '../../../engine/live/commit.js';
import { messageBytes, SEND_CHUNK_BYTES } from '../../../engine/live/send-chunks.js';
import { snapshotTopology } from '../../../engine/topology-state.js';
import type { Fact } from '../../../processors/facts.js';
import { Changelog, T, advance, push, startGeneration, type Live } from './rebalance-harness.js';
import { hydrationFromReplica, startedInEnv } from '../../helpers/large-state-events.js';

const NOW = Date.parse('2026-11-27T13:00:00.000Z');
const ENVS = 5_000;
const SOURCES = 400;

/** Commits `live` into `log` and returns the changelog records the commit wrote. */
function commitRecords(live: Live, log: Changelog) {
  const prepared = prepareCommit(live.engine, 'A', NOW);
  log.apply(prepared.changelog as Array<{ key?: unknown; value?: unknown; partition?: number }>);
  return prepared.changelog;
}

const rows = (facts: Fact[]) => facts.flatMap((f) => (f.kind === 'promotion-window' ? [f.row] : []));

describe('state changelog records stay within one send, whatever the state', () => {
  it(`${ENVS} envs in one promotion window: every record fits, the state restores, a smaller one leaves no piece behind`, async () => {
    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0]);
    for (let i = 0; i < ENVS; i++) push(a, T.promotion, 0, i, startedInEnv(i));
    advance(a, '10:04:00');
    const records = commitRecords(a, log);
    expect(records.length).toBeGreaterThan(1);
    for (const r of records) expect(messageBytes(r)).toBeLessThanOrEqual(SEND_CHUNK_BYTES);

    const b = await startGeneration(log, 'A', [0], 2);
    const keys = Array.from({ length: ENVS }, (_, i) => `env-${i}/app`);
    expect(snapshotTopology(b.engine.pipeline.topology, keys)).toEqual(snapshotTopology(a.engine.pipeline.topology, keys));
    // The restored windows close as the first instance's would: a row for every env.
    advance(a, '10:06:00');
    advance(b, '10:06:00');
    expect(rows(b.facts)).toHaveLength(ENVS);
    expect(rows(b.facts)).toEqual(rows(a.facts));

    // While the promotion success-rate rule keeps the closed windows' samples (1 h), the state is as large; once they
    // have left, it is small again and no piece of the large one is left in the changelog.
    expect(commitRecords(b, log).filter((r) => String(r.key).startsWith('c/') && r.value !== null).length).toBeGreaterThan(1);
    advance(b, '11:10:00');
    commitRecords(b, log);
    const reader = log.reader();
    expect(reader.entries(0).map(([k]) => k).filter((k) => k.startsWith('c/'))).toEqual([]);
    expect(JSON.parse(reader.get(0, 'w/A')!)).toMatchObject({ processors: { 'promotion-windows': { windows: [] }, alerting: { rules: { promotion_success_rate_low: { groups: [] } } } } });
  });

  it(`one key reported by ${SOURCES} replicas with 1024-character ids: its record fits, and restores`, async () => {
    const log = new Changelog();
    const a = await startGeneration(log, 'A', [0]);
    for (let i = 0; i < SOURCES; i++) push(a, T.hydration, 0, i, hydrationFromReplica(i));
    advance(a, '10:02:00');
    const records = commitRecords(a, log);
    for (const r of records) expect(messageBytes(r)).toBeLessThanOrEqual(SEND_CHUNK_BYTES);

    const b = await startGeneration(log, 'A', [0], 2);
    expect(snapshotTopology(b.engine.pipeline.topology, ['prod/app']).keyed).toEqual(snapshotTopology(a.engine.pipeline.topology, ['prod/app']).keyed);
    expect(b.restored.keys).toBe(1);
    // Sources silent past the TTL are forgotten: the key's record is small again (its recent event ids stay for the
    // dedup horizon), and its pieces are gone.
    advance(b, '10:30:00');
    expect(b.engine.pipeline.topology.stateDrift.snapshotKey('prod/app')).toBeUndefined();
    commitRecords(b, log);
    const reader = log.reader();
    expect(reader.entries(0).map(([k]) => k).filter((k) => k.startsWith('c/'))).toEqual([]);
    expect(Object.keys(JSON.parse(reader.get(0, 'k/prod/app')!) as object)).toEqual(['recent-ids']);
  });
});
