/**
 * A live commit in two steps. `prepareCommit` runs synchronously between
 * facts: it snapshots the changed state, the commit positions, the outbox and
 * the env-level rows held since the last commit (both then start over).
 * `publishCommit` runs while processing goes on: store first (idempotent
 * rows, at least those of the snapshot), then outputs + state + offsets in
 * ONE transaction — its records are sent while the store writes, but it
 * commits only once the store has them, so nothing of it is visible to
 * read_committed consumers before both are durable. The held env-level rows
 * (windows, MTTR snapshots, per-env rules' alerts) are the exception: they
 * are not idempotent across owners and must not outlive a commit that does
 * not commit (held-share-rows.ts), so they go in the transaction as
 * changelog records and are stored after it has committed
 * (committed-share-rows.ts).
 *
 * A commit is for the partitions of one group generation. If this instance
 * stops being a member while the commit is being built (kafkajs learnt of a
 * rebalance from its own fetch loop and is rejoining: nothing holds it back
 * until our commit lands), the partitions may go to a member that restores
 * them from the changelog and reads from the committed offsets — possibly
 * before this commit would land, and then both would produce the same
 * alerts. So membership is checked before the transaction begins and again
 * right before it commits; lost, the transaction is aborted
 * (CommitAbandonedError) and the caller rebuilds its state from the
 * changelog. What is left is the commit request itself in flight (a few ms,
 * against a rebalance round trip and a restore that waits for open
 * transactions on the changelog: read_committed stops at them).
 *
 * The store down (live mode retries it without limit, see start-live.ts): no
 * transaction is held open through the outage — the broker would abort it
 * after the producer's transaction timeout (kafkajs: 60 s) and fence the
 * producer, and the instance would exit. A commit that finds the writer
 * retrying waits for its rows before it begins; one whose transaction is
 * waiting when the store begins failing aborts it (CommitDeferredError),
 * waits, and runs it again with the same records.
 */
import type { Message } from 'kafkajs';
import type { StoreWriter } from '../../store/store-writer.js';
import { CommitAbandonedError, CommitDeferredError } from '../../lib/errors.js';
import { snapshotTopology } from '../topology-state.js';
import { keyStateMessage, progressMessage, storedFrontier, wholeMessage } from './checkpoint.js';
import { chunkMessages } from './send-chunks.js';
import type { Engine } from './live-engine.js';
import type { TransactionalProducer } from './transactional-producer.js';
import type { StoreRow } from '../../store/row-mappers.js';
import { storeCommittedRows } from './committed-share-rows.js';

export interface PreparedCommit {
  started: number;
  byTopic: Map<string, Message[]>;
  changelog: Message[];
  offsets: Map<string, Array<{ partition: number; offset: string }>>;
  /** Env-level rows of the work this commit covers, in its changelog records too: stored once it has committed. */
  held: StoreRow[];
  /** Sources the pipeline had dropped (state-drift) as of the snapshot: the work this commit covers, counted once it has committed. */
  sourcesDropped: number;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  list.push(value);
}

export function prepareCommit(engine: Engine, instanceId: string, now: number): PreparedCommit {
  const snap = snapshotTopology(engine.pipeline.topology);
  const progress = engine.tracker.progress();
  const held = engine.heldRows.take(instanceId);
  const byTopic = new Map<string, Message[]>();
  for (const { topic, message } of engine.outbox) push(byTopic, topic, message);
  // A record larger than a send goes in pieces (state-chunks.ts).
  const changelog: Message[] = engine.chunked.split([
    ...snap.keyed.map(([key, state]) => keyStateMessage(key, engine.keyPartition.get(key) ?? 0, state)),
    ...progress.map((p) => progressMessage(p, engine.pipeline.orderer.frontier)),
    wholeMessage(instanceId, { processors: snap.whole, watermarks: engine.watermarks.snapshot(), frontier: storedFrontier(engine.pipeline.orderer.frontier) }),
    ...engine.retiring.checkpointMessages(),
    ...engine.shareRows.checkpointMessages(instanceId, held),
  ]);
  const offsets = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const p of progress) push(offsets, p.topic, { partition: p.partition, offset: p.safeOffset });
  engine.outbox.length = 0;
  engine.alertsWaiting = 0;
  engine.progressed = false;
  return { started: now, byTopic, changelog, offsets, held, sourcesDropped: engine.pipeline.topology.stateDrift.sourcesDropped };
}

export interface CommitTarget {
  producer: TransactionalProducer;
  writer: StoreWriter | null;
  changelogTopic: string;
  groupId: string;
  /**
   * Undefined while this instance is still the group member the commit was prepared for (see the module comment);
   * else why it is not (membership.ts), for the abandoned commit's message.
   */
  notMember: () => string | undefined;
}

function checkMember(target: CommitTarget, when: string): void {
  const why = target.notMember();
  if (why !== undefined) throw new CommitAbandonedError(`commit abandoned ${when}: this instance is no longer a member of group ${target.groupId} (${why})`);
}

export async function publishCommit(target: CommitTarget, { byTopic, changelog, offsets, held }: PreparedCommit): Promise<void> {
  const writer = target.writer;
  const stored = writer?.flush();
  stored?.catch(() => undefined); // awaited below; a failure while the transaction is still being built must not go unhandled
  // Store rows are idempotent (deduplication tokens): their flush goes on either way, harmless for partitions that moved.
  checkMember(target, 'before its transaction');
  for (;;) {
    if (writer?.retrying && stored) {
      await stored; // the store is down: its rows first, then the transaction (see the module comment)
      checkMember(target, 'after the store came back');
    }
    try {
      await target.producer.run(async (tx) => {
        // In runs the broker accepts (send-chunks.ts); all of them commit or abort together.
        for (const [topic, messages] of byTopic) for (const chunk of chunkMessages(messages)) await tx.send({ topic, messages: chunk });
        for (const chunk of chunkMessages(changelog)) await tx.send({ topic: target.changelogTopic, messages: chunk });
        if (offsets.size > 0) {
          await tx.sendOffsets({ consumerGroupId: target.groupId, topics: [...offsets].map(([topic, partitions]) => ({ topic, partitions })) });
        }
        // The store's rows so far — the previous commit's env-level rows among them, whose records this one replaces.
        if (writer && stored) await storedUnlessOutage(writer, stored);
        checkMember(target, 'before its transaction committed');
      });
      break;
    } catch (err) {
      if (!(err instanceof CommitDeferredError)) throw err;
      // Aborted: the loop waits for the store, then sends the same records in a new transaction.
    }
  }
  // Committed: not before now (committed-share-rows.ts).
  storeCommittedRows(writer, held);
}

/**
 * Resolves when `stored` does; rejects with CommitDeferredError if the store
 * is failing (now, or from any moment before `stored` settles). A flush that
 * has already landed wins over retries of rows written after it.
 */
function storedUnlessOutage(writer: StoreWriter, stored: Promise<void>): Promise<void> {
  let off: () => void = () => undefined;
  return new Promise<void>((resolve, reject) => {
    const defer = () => reject(new CommitDeferredError('commit deferred: the store began failing while its transaction waited for the rows; it runs again once they are written'));
    stored.then(resolve, reject);
    off = writer.onOutage(defer);
    // After the reactions of a `stored` that has already settled (microtasks run before setImmediate).
    if (writer.retrying) setImmediate(defer);
  }).finally(() => off());
}
