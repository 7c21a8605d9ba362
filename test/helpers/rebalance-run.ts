/**
 * A consumer group of live engines over NDJSON lines, with rebalances
 * (differential-rebalance.test.ts). Each line goes to its type's input topic,
 * on its key's partition (the same number in every input: co-partitioned),
 * keeping its arrival order there. Members are live engines
 * (createLiveEngine) restored with restoreEngine from an in-memory changelog
 * their commits (prepareCommit) write — the calls `driftwatch run` makes on
 * every assignment and commit (test/unit/live/rebalance-harness.ts); what is
 * not the runner's own code is the consumer: its batches (1–40 records of one
 * partition, in a seeded interleaving, as in `runPartitioned`) are read here,
 * and the frontier is set after each from the member's own watermarks, as
 * batch-intake.ts does (the wall clock stands still: no partition goes idle).
 *
 * A rebalance, at seeded points: every member commits (its dirty keys, its
 * positions and its whole state; or not, `beforeRebalance`), one partition moves from one member to
 * another, and every member — eager protocol — lets its engine go and gets a
 * fresh one restored for the partitions it owns now, reading them again from
 * their committed offsets. Members commit on their own between rebalances
 * too, as their commit intervals come round.
 *
 * A partition moves only to a member not further on in event time than its
 * owner: a member taking a partition committed at an earlier frontier than its own
 * resumes at its own (restore-engine.ts), and the partition's records older
 * than that are late there — the documented deviation (README, "State in a
 * compacted changelog"), outside this property. So moved, no record of the
 * partition is late at its new owner: the ones read again were held at the
 * old owner's frontier, at or above the new owner's, and the new ones are
 * within the lateness of what the partition delivered before, which the old
 * owner's frontier was behind.
 */
import { advanceEngine } from '../../engine/live/live-engine.js';
import { Prng } from '../../engine/demo/prng.js';
import { partitionOfKey } from '../../topics/key-partition.js';
import { defaultAlertsConfig } from '../../config/alerts-config.js';
import type { DriftwatchConfig } from '../../config/env-config.js';
import type { AlertsConfig } from '../../config/alert-rules.js';
import type { PipelineCounters } from '../../engine/pipeline.js';
import type { Fact } from '../../processors/facts.js';
import { Changelog, T, commit, push, refusedCommit, startGeneration, type Live, type Stored } from '../unit/live/rebalance-harness.js';
import { WALL } from '../unit/state/harness.js';
import { tp as topicPartition } from '../../engine/live/topic-partition.js';
import type { Message } from 'kafkajs';

export interface RebalanceOptions {
  members: number;
  /** Partitions of each input topic. */
  partitions: number;
  rebalances: number;
  seed: number;
  config: DriftwatchConfig;
  /**
   * What the members do right before each rebalance (default `commit`):
   * - `commit`: each commits;
   * - `nothing`: a rebalance catches each member between two commits, as one that begins while a commit is being
   *   built (commit.ts: abandoned) — what it did since its last commit is done again from there; the alerts of that
   *   work were never produced (its outbox went with the aborted transaction), nor were its env-level rows and
   *   per-env alert rows stored (they are stored once their commit has committed, committed-share-rows.ts), while
   *   its per-key store rows were written (the writer outlives the engine and those rows are idempotent);
   * - `refused commit`: each one's commit is built and sent whole, and the broker refuses its commit request —
   *   the same as `nothing` for the changelog, with every store write the commit makes before that request;
   * - `commit, then crash`: each commits, and its process crashes before the store has the commit's env-level rows
   *   (its next generation's restore stores them from the changelog).
   */
  beforeRebalance?: 'commit' | 'nothing' | 'refused commit' | 'commit, then crash';
  /** The members' alerts.yaml. Default: the defaults. */
  alerts?: AlertsConfig;
}

/** One partition moved between members, after `afterRecords` records were read. */
export interface Move {
  afterRecords: number;
  partition: number;
  from: string;
  to: string;
  /** Event-time frontiers of the two members at the move. */
  fromFrontier: number;
  toFrontier: number;
}

export interface RebalanceResult {
  /** Every member's facts, in the order they were emitted. */
  facts: Fact[];
  /** What every member's store writer was handed, in that order: what the store holds. */
  stored: Stored[];
  /** The instance whose row a stored fact is (its member's id, or a departed instance's). */
  storedBy: (stored: Stored) => string;
  /** Summed over every member and generation as far as committed; `records` counts records read again after a rebalance again. */
  counters: PipelineCounters;
  /** Alerts of work a rebalance undid before it was committed: never produced (see `beforeRebalance`). */
  unpublished: ReadonlySet<Fact>;
  /** How many facts came of work a rebalance undid (done again after it). */
  undone: number;
  /** Those facts: what the work a rebalance undid decided (its late events met their frontier there, say). */
  undoneFacts: ReadonlySet<Fact>;
  /** What the members' committed transactions produced (the outbox: alerts, dead letters), by topic, in commit order. */
  published: ReadonlyMap<string, readonly Message[]>;
  moves: Move[];
}

interface Member {
  id: string;
  partitions: Set<number>;
  live: Live;
  /** How many of this generation's facts, what of its counters and which frontier its last commit (or restore) covered. */
  committed: { facts: number; counters: PipelineCounters; frontier: number };
}

const TOPICS = { promotion: T.promotion, hydration: T.hydration, index: T.index } as const;

export async function runRebalanced(lines: readonly string[], o: RebalanceOptions): Promise<RebalanceResult> {
  const rng = new Prng(o.seed);
  // Topic-partition logs: their lines (by index into `lines`) in arrival order; a record's offset is its place there.
  const logs = new Map<string, { topic: string; partition: number; lines: number[] }>();
  const logOf = (topic: string, partition: number) => {
    const key = `${topic}/${partition}`;
    let log = logs.get(key);
    if (!log) logs.set(key, (log = { topic, partition, lines: [] }));
    return log;
  };
  lines.forEach((line, i) => {
    const { type, key } = placeOf(line);
    logOf(TOPICS[type], key === undefined ? 0 : partitionOfKey(key, o.partitions)).lines.push(i);
  });
  const tps = [...logs.values()];

  const changelog = new Changelog();
  const facts: Fact[] = [];
  const stored: Stored[] = [];
  const storedBy = new WeakMap<Stored, string>();
  const counters: PipelineCounters = { records: 0, deadLetters: 0, duplicates: 0, events: 0, late: 0 };
  const ids = Array.from({ length: o.members }, (_, m) => `member-${m}`);
  /** Consumer position of each topic-partition (next offset to read), set from the committed offsets at each assignment. */
  const position = new Map<string, number>();
  let generation = 0;

  const start = async (id: string, partitions: Set<number>): Promise<Live> => {
    const live = await startGeneration(changelog, id, [...partitions].sort((a, b) => a - b), generation, o.alerts ?? defaultAlertsConfig(), {
      now: WALL,
      config: o.config,
      members: ids,
      onFact: (f) => facts.push(f),
      onStored: (f, by) => {
        stored.push(f);
        storedBy.set(f, by);
      },
    });
    for (const tp of tps) if (partitions.has(tp.partition)) position.set(`${tp.topic}/${tp.partition}`, Number(live.restored.startOffsets.get(topicPartition(tp.topic, tp.partition)) ?? 0));
    return live;
  };
  const published = new Map<string, Message[]>();
  const unpublished = new Set<Fact>();
  const undoneFacts = new Set<Fact>();
  let undone = 0;
  const commitMember = async (m: Member, options: { crashAfterCommit?: boolean } = {}) => {
    for (const [topic, messages] of await commit(m.live, changelog, m.id, options)) published.set(topic, [...(published.get(topic) ?? []), ...messages]);
    m.committed = { facts: m.live.facts.length, counters: { ...m.live.engine.pipeline.counters }, frontier: m.live.engine.pipeline.orderer.frontier };
  };
  /** The member's engine is let go: what its last commit covered counts, the rest is done again by the next one. */
  const retire = (m: Member) => {
    for (const k of Object.keys(counters) as Array<keyof PipelineCounters>) counters[k] += m.committed.counters[k];
    for (const f of m.live.facts.slice(m.committed.facts)) {
      undoneFacts.add(f);
      if (f.kind === 'alert') unpublished.add(f);
    }
    undone += m.live.facts.length - m.committed.facts;
    m.live.engine.pipeline.dispose();
  };
  /** A generation just restored: its frontier is where the restore resumed event time. */
  const restored = (live: Live): Member['committed'] => ({
    facts: 0,
    counters: { records: 0, deadLetters: 0, duplicates: 0, events: 0, late: 0 },
    frontier: live.engine.pipeline.orderer.frontier,
  });

  generation++;
  const members: Member[] = [];
  for (const [m, id] of ids.entries()) {
    const partitions = new Set(Array.from({ length: o.partitions }, (_, p) => p).filter((p) => p % o.members === m));
    const live = await start(id, partitions);
    members.push({ id, partitions, live, committed: restored(live) });
  }
  const ownerOf = (partition: number) => members.find((m) => m.partitions.has(partition))!;

  /** A new generation: every member's engine let go, and a fresh one restored for the partitions it owns now. */
  const restartAll = async () => {
    generation++;
    for (const m of members) {
      retire(m);
      m.live = await start(m.id, m.partitions);
      m.committed = restored(m.live);
    }
  };

  const cuts = Array.from({ length: o.rebalances }, () => rng.int(1, lines.length - 1)).sort((a, b) => a - b);
  const moves: Move[] = [];
  let read = 0;
  for (;;) {
    const open = tps.filter((tp) => position.get(`${tp.topic}/${tp.partition}`)! < tp.lines.length);
    if (open.length === 0) break;
    const tp = open[rng.int(0, open.length - 1)]!;
    const owner = ownerOf(tp.partition);
    const key = `${tp.topic}/${tp.partition}`;
    const take = Math.min(rng.int(1, 40), tp.lines.length - position.get(key)!);
    for (let n = 0; n < take; n++) {
      const offset = position.get(key)!;
      position.set(key, offset + 1);
      push(owner.live, tp.topic, tp.partition, offset, lines[tp.lines[offset]!]!);
    }
    read += take;
    const engine = owner.live.engine;
    advanceEngine(engine, engine.watermarks.frontier(WALL));
    if (rng.chance(1 / 8)) await commitMember(owner);

    if (cuts.length > 0 && read >= cuts[0]!) {
      const before = o.beforeRebalance ?? 'commit';
      // Where each member's state will have been committed: the frontier a restore goes on from (the current one
      // when all commit now).
      const commitNow = before === 'commit' || before === 'commit, then crash';
      const frontier = (m: Member) => (commitNow ? m.live.engine.pipeline.orderer.frontier : m.committed.frontier);
      // Every (owner, receiver) pair with the receiver not further on in event time (see the module comment).
      // None yet: the rebalance, and what the members do before it, waits for the next batch — a member does not go
      // on with an engine whose commit was refused, or whose process crashed: the runner rebuilds it from the
      // changelog (commit-scheduler.ts `onFailed`; a restart), as the rebalance below does. (It went on here, and a
      // refused commit had taken its dirty keys, which the changelog never got: a key's recent ids, say, so that a
      // duplicate after the next rebalance was processed again.)
      const pairs = members.flatMap((from) => (from.partitions.size === 0 ? [] : members.filter((to) => to !== from && frontier(to) <= frontier(from)).map((to) => ({ from, to }))));
      if (pairs.length === 0) continue;
      for (const m of members) {
        if (before === 'commit') await commitMember(m);
        else if (before === 'commit, then crash') await commitMember(m, { crashAfterCommit: true });
        else if (before === 'refused commit') await refusedCommit(m.live, changelog, m.id);
      }
      cuts.shift();
      const { from, to } = pairs[rng.int(0, pairs.length - 1)]!;
      const owned = [...from.partitions];
      const partition = owned[rng.int(0, owned.length - 1)]!;
      moves.push({ afterRecords: read, partition, from: from.id, to: to.id, fromFrontier: frontier(from), toFrontier: frontier(to) });
      from.partitions.delete(partition);
      to.partitions.add(partition);
      await restartAll();
    }
  }
  // End of input (LiveRunner.finishInput): event time passes every window and timer.
  for (const m of members) {
    advanceEngine(m.live.engine, Number.POSITIVE_INFINITY);
    await commitMember(m);
    retire(m);
  }
  return { facts, stored, storedBy: (f) => storedBy.get(f)!, counters, moves, unpublished, undone, undoneFacts, published };
}

/** A line's input topic and key; an unreadable line (no type, env and artifact): on the promotions, keyless (partition 0). */
function placeOf(line: string): { type: keyof typeof TOPICS; key?: string } {
  try {
    const { type, env, artifact } = JSON.parse(line) as { type?: unknown; env?: unknown; artifact?: unknown };
    if (typeof type === 'string' && type in TOPICS && typeof env === 'string' && typeof artifact === 'string') return { type: type as keyof typeof TOPICS, key: `${env}/${artifact}` };
  } catch {
    // unreadable: below
  }
  return { type: 'promotion' };
}
