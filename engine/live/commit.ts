/**
 * A live commit in two steps. `prepareCommit` runs synchronously between
 * facts: it snapshots the changed state, the commit positions and the outbox
 * (which then starts over). `publishCommit` runs while processing goes on:
 * store first (idempotent rows, at least those of the snapshot), then outputs
 * + state + offsets in ONE transaction — its records are sent while the store
 * writes, but it commits only once the store has them, so nothing of it is
 * visible to read_committed consumers before both are durable.
 */
import type { Message } from 'kafkajs';
import type { StoreWriter } from '../../store/store-writer.js';
import { snapshotTopology } from '../topology-state.js';
import { keyStateMessage, progressMessage, storedFrontier, wholeMessage } from './checkpoint.js';
import { chunkMessages } from './send-chunks.js';
import type { Engine } from './live-engine.js';
import type { TransactionalProducer } from './transactional-producer.js';

export interface PreparedCommit {
  started: number;
  byTopic: Map<string, Message[]>;
  changelog: Message[];
  offsets: Map<string, Array<{ partition: number; offset: string }>>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  list.push(value);
}

export function prepareCommit(engine: Engine, instanceId: string, now: number): PreparedCommit {
  const snap = snapshotTopology(engine.pipeline.topology);
  const progress = engine.tracker.progress();
  const byTopic = new Map<string, Message[]>();
  for (const { topic, message } of engine.outbox) push(byTopic, topic, message);
  const changelog: Message[] = [
    ...snap.keyed.map(([key, state]) => keyStateMessage(key, engine.keyPartition.get(key) ?? 0, state)),
    ...progress.map((p) => progressMessage(p, engine.pipeline.orderer.frontier)),
    wholeMessage(instanceId, { processors: snap.whole, watermarks: engine.watermarks.snapshot(), frontier: storedFrontier(engine.pipeline.orderer.frontier) }),
    ...engine.retiring.checkpointMessages(),
  ];
  const offsets = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const p of progress) push(offsets, p.topic, { partition: p.partition, offset: p.safeOffset });
  engine.outbox.length = 0;
  engine.alertsWaiting = 0;
  engine.progressed = false;
  return { started: now, byTopic, changelog, offsets };
}

export async function publishCommit(
  target: { producer: TransactionalProducer; writer: StoreWriter | null; changelogTopic: string; groupId: string },
  { byTopic, changelog, offsets }: PreparedCommit,
): Promise<void> {
  const stored = target.writer?.flush();
  stored?.catch(() => undefined); // awaited below; a failure while the transaction is still being built must not go unhandled
  await target.producer.run(async (tx) => {
    // In runs the broker accepts (send-chunks.ts); all of them commit or abort together.
    for (const [topic, messages] of byTopic) for (const chunk of chunkMessages(messages)) await tx.send({ topic, messages: chunk });
    for (const chunk of chunkMessages(changelog)) await tx.send({ topic: target.changelogTopic, messages: chunk });
    if (offsets.size > 0) {
      await tx.sendOffsets({ consumerGroupId: target.groupId, topics: [...offsets].map(([topic, partitions]) => ({ topic, partitions })) });
    }
    await stored;
  });
}
