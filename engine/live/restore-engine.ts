/**
 * Restoring a fresh engine from the changelog for the partitions a member
 * now owns (start, restart after a crash, rebalance), before any of their
 * records is processed:
 *
 * 1. a marker, written through the changelog in a transaction, proves the
 *    reader has everything committed so far (a crashed predecessor's open
 *    transaction is aborted by then: our producer fenced it);
 * 2. the owned partitions' keyed state, commit progress and this instance's
 *    whole state go back into the processors, the offset tracker, the
 *    watermarks and the partition positions;
 * 3. event time continues where the commits left it;
 * 4. the owner of partition 0 takes over the per-env share of every instance
 *    that has a record there but is not in the group (retiring-shares.ts);
 * 5. the env-level rows of the last commits (this instance's, and those of
 *    departed instances taken over) go to the store once more: a crash may
 *    have come between a commit and their insert (committed-share-rows.ts).
 */
import { randomUUID } from 'node:crypto';
import { restoreTopology } from '../topology-state.js';
import type { ChangelogReader } from './changelog-reader.js';
import { MARKER_PREFIX } from './changelog-reader.js';
import { readPartitionEntries, restoredFrontier, WHOLE_PREFIX, type WholeCheckpoint } from './checkpoint.js';
import type { Engine } from './live-engine.js';
import type { PartitionPositions } from './partition-backlog.js';
import { assignedTps, tp } from './topic-partition.js';
import type { TransactionalProducer } from './transactional-producer.js';
import { CommittedShareRows, storeCommittedRows } from './committed-share-rows.js';
import type { StoreRow } from '../../store/row-mappers.js';
import type { StoreWriter } from '../../store/store-writer.js';
import { assembledEntries } from './state-chunks.js';
import { ValidationError } from '../../lib/errors.js';

export interface RestoreContext {
  reader: ChangelogReader;
  producer: TransactionalProducer;
  changelogTopic: string;
  instanceId: string;
  inputTopics: readonly string[];
  /** topic → owned partitions */
  assignment: Record<string, number[]>;
  positions: PartitionPositions;
  now: () => number;
  /** The engine instance ids in the group now; null when that cannot be told (then no share is taken over). */
  groupInstanceIds?: () => Promise<Set<string> | null>;
  /** Told of the records the restore produced (its markers): driftwatch_events_out_total counts every produced record. */
  onProduced?: (topic: string, count: number) => void;
  /** The store writer, handed the env-level rows of the last commits (null: no store). */
  writer: StoreWriter | null;
}

export interface Restored {
  /** The owned partition numbers. */
  partitions: number[];
  /** How many keys came back. */
  keys: number;
  /** tp key → committed (safe) offset, for the owned input partitions with a commit. */
  startOffsets: ReadonlyMap<string, string>;
  /** Instances not in the group whose per-env share this member took over. */
  adopted: string[];
}

/** Restores `engine` for the owned partitions. */
export async function restoreEngine(engine: Engine, ctx: RestoreContext): Promise<Restored> {
  const owned = [...new Set(Object.values(ctx.assignment).flat())].sort((a, b) => a - b);
  // The whole (per-instance) state lives in partition 0 of the changelog, whoever owns it.
  const partitions = [...new Set([0, ...owned])];
  const view = await consistentView(ctx, engine, partitions);

  const keyed: Array<[string, Record<string, unknown>]> = [];
  const startOffsets = new Map<string, string>();
  /** Committed frontiers of the owned partitions (see StoredProgress); undefined once one predates them. */
  let frontiers: number[] | undefined = [];
  for (const p of owned) {
    const restored = readPartitionEntries([...view(p)]);
    for (const [k, state] of restored.keyed) {
      keyed.push([k, state as Record<string, unknown>]);
      engine.keyPartition.set(k, p);
    }
    for (const progress of restored.progress) {
      if (!ctx.inputTopics.includes(progress.topic)) continue;
      engine.tracker.restore(progress);
      startOffsets.set(tp(progress.topic, progress.partition), progress.safeOffset);
      if (progress.frontier === undefined) frontiers = undefined;
      else frontiers?.push(progress.frontier ?? Number.NEGATIVE_INFINITY);
    }
  }
  const wholeText = view(0).get(WHOLE_PREFIX + ctx.instanceId);
  const whole = wholeText ? (JSON.parse(wholeText) as WholeCheckpoint) : undefined;
  restoreTopology(engine.pipeline.topology, { keyed, whole: whole?.processors ?? {} });
  const ownedTps = assignedTps(ctx.inputTopics, ctx.assignment);
  engine.watermarks.assign(ownedTps, ctx.now());
  ctx.positions.restore(startOffsets);
  if (frontiers !== undefined) {
    // Continue event time where the commits left it (the lowest frontier of the owned partitions: records
    // that come again are not older than their own committer's). The per-partition watermarks are not
    // restored: they counted records consumed but not committed, which come again and must not find event
    // time already past them. They are rebuilt from the records read from now on.
    //
    // But never before this instance's own frontier (`w/<id>`, taken with the same commit as its partitions'):
    // its whole state — per-env windows, MTTR, rate rules, per-env alerts — has been judged up to there, and event
    // time going back under it undoes what it decided (a snapshot at the earlier time no longer shows an MTTR
    // breach: a false `resolved` and a second page; a promotion window it closed opens again and its row is
    // replaced by a partial one). Records of a moved partition older than that are late (SPEC §4.7), as they
    // would be for any partition behind the others. The same rule as a departed instance's share
    // (retiring-shares.ts: its own frontier first). After a crash of a single instance its own frontier is
    // its partitions' (one commit wrote them all): nothing changes there.
    const committed = frontiers.length > 0 ? Math.min(...frontiers) : Number.NEGATIVE_INFINITY;
    const frontier = Math.max(restoredFrontier(whole?.frontier), committed);
    if (Number.isFinite(frontier)) {
      engine.pipeline.advanceTo(frontier);
      engine.watermarks.resume(frontier);
    }
  } else {
    // A checkpoint without frontiers (older version): its watermarks, as then.
    if (whole) engine.watermarks.restore(whole.watermarks.filter(([k]) => ownedTps.includes(k)), ctx.now());
    engine.pipeline.advanceTo(engine.watermarks.frontier(ctx.now()));
  }
  const partition0 = [...view(0)];
  const shareRows = engine.shareRows.restore(partition0, (id) => id === ctx.instanceId);
  const adopted = owned.includes(0) ? await adoptDepartedShares(engine, ctx, partition0, shareRows) : [];
  storeCommittedRows(ctx.writer, shareRows);
  return { partitions: owned, keys: keyed.length, startOffsets, adopted };
}

/** Reads of the changelog up to a fresh marker before a split record that does not add up is an error. */
export const CONSISTENT_VIEW_ATTEMPTS = 3;

/**
 * The latest values of the changelog partitions up to a marker of ours, read
 * once, with records written in pieces put back together; the engine notes
 * which are, so that its commits tombstone the pieces they no longer need
 * (state-chunks.ts).
 *
 * Another member's split record can look broken here without being so: its
 * transaction wrote the manifest before our marker and the pieces after it,
 * and the reader stops at the marker once that transaction commits, before it
 * has fetched the pieces. Partition 0 holds every member's `w/` and `s/`
 * records, so any restore can meet one. The pieces are committed by then, so
 * a second marker (written after them) reads them: a record still broken
 * after CONSISTENT_VIEW_ATTEMPTS reads is one, and an error naming it.
 */
async function consistentView(ctx: RestoreContext, engine: Engine, partitions: number[]): Promise<(partition: number) => ReadonlyMap<string, string>> {
  for (let attempt = 1; ; attempt++) {
    const nonce = randomUUID();
    await ctx.producer.run((tx) =>
      tx.send({
        topic: ctx.changelogTopic,
        messages: partitions.map((p) => ({ key: `${MARKER_PREFIX}${ctx.instanceId}`, partition: p, value: nonce })),
      }),
    );
    ctx.onProduced?.(ctx.changelogTopic, partitions.length);
    await ctx.reader.waitForMarker(nonce, partitions, 60_000);
    try {
      const views = new Map(partitions.map((p) => [p, assembledEntries(ctx.reader.entries(p), engine.chunked)]));
      return (partition) => views.get(partition) ?? new Map();
    } catch (err) {
      if (!(err instanceof ValidationError) || attempt >= CONSISTENT_VIEW_ATTEMPTS) throw err;
    }
  }
}

/**
 * Every `w/` record of partition 0 but ours and those of instances in the
 * group: a share left behind. The committed env-level rows of such
 * instances go to `shareRows`.
 */
async function adoptDepartedShares(engine: Engine, ctx: RestoreContext, entries: ReadonlyArray<[string, string]>, shareRows: StoreRow[]): Promise<string[]> {
  const others = entries.filter(([key]) => key.startsWith(WHOLE_PREFIX) && key !== WHOLE_PREFIX + ctx.instanceId);
  // Only then ask the group who is in it (one instance alone, the usual case, never asks).
  if (others.length === 0 && CommittedShareRows.othersIn(entries, ctx.instanceId).size === 0) return [];
  const members = await ctx.groupInstanceIds?.();
  if (!members) return [];
  shareRows.push(...engine.shareRows.restore(entries, (id) => id !== ctx.instanceId && !members.has(id)));
  const adopted: string[] = [];
  for (const [key, value] of others) {
    const instanceId = key.slice(WHOLE_PREFIX.length);
    if (members.has(instanceId)) continue;
    engine.retiring.adopt(instanceId, JSON.parse(value) as WholeCheckpoint, engine.pipeline.orderer.frontier);
    adopted.push(instanceId);
  }
  return adopted;
}
