/**
 * `driftwatch run` stopped by SIGTERM while it starts: before any group has a
 * member of it, with its changelog reader in its private group but the
 * engine's group not joined yet, and once joined while it restores its state
 * from a long changelog. Whenever the signal comes, the process must end by
 * itself with exit 0 and leave nothing in the broker's group list: no member
 * in the engine's group (the next instance would wait a session timeout for
 * it to rejoin), no changelog reader group (with its member until its session
 * timed out, then empty until the broker's offsets cleanup).
 *
 * Before the fix, a signal before the start was over exited at once: the
 * reader's group kept its member (Stable, 1 member). A signal during a
 * restore waited for the whole restore, however long (run's 30 s deadline then
 * exited 1 with both members still in their groups).
 */
import { it, expect } from 'vitest';
import type { Kafka } from 'kafkajs';
import { describeKafka } from '../kafka/kafka-env.js';
import { liveSuite, until } from './live-env.js';
import type { EngineProcess } from './engine-process.js';

/** The engine group's member count, and every changelog reader group of it with its state and member count. */
async function groupsLeft(kafka: Kafka, groupId: string): Promise<{ members: number; readers: Array<{ state: string; members: number }> }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const readerIds = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${groupId}.changelog-reader.`));
    const { groups } = await admin.describeGroups([groupId, ...readerIds]);
    const engine = groups.find((g) => g.groupId === groupId)!;
    const readers = groups.filter((g) => g.groupId !== groupId).map((g) => ({ state: g.state, members: g.members.length }));
    return { members: engine.members.length, readers };
  } finally {
    await admin.disconnect();
  }
}

/** Keys the restore skips (neither `k/` state nor `p/` progress): they only make the changelog long to read. */
async function lengthenChangelog(kafka: Kafka, topic: string, records: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let sent = 0; sent < records; sent += 5_000) {
      await producer.send({ topic, messages: Array.from({ length: 5_000 }, (_, i) => ({ key: `x/${sent + i}`, value: 'filler', partition: i % 2 })) });
    }
  } finally {
    await producer.disconnect();
  }
}

describeKafka('driftwatch run stopped during start-up', (brokers) => {
  const { kafka, engines, deploy, start } = liveSuite(brokers);
  const nothingLeft = { members: 0, readers: [] };
  const said = (e: EngineProcess) => e.logs.map((l) => String(l.msg ?? ''));

  it('before any group has a member of it: exit 0 at once, nothing left', async () => {
    const d = await deploy('sig-early', { partitions: 2 });
    const e = await start(d, 'early');
    await e.waitForLog((l) => String(l.msg).startsWith('metrics endpoint listening'), 30_000);
    expect(await e.terminate(45_000), e.describe()).toEqual({ code: 0, signal: null });
    expect(await groupsLeft(kafka, d.groupId)).toEqual(nothingLeft);
  }, 90_000);

  it('with its changelog reader in its group, before the engine group: exit 0, the reader group deleted', async () => {
    const d = await deploy('sig-reader', { partitions: 2 });
    const e = await start(d, 'reader');
    await until('the changelog reader to join its group', async () => ((await groupsLeft(kafka, d.groupId)).readers.some((r) => r.members > 0) ? true : undefined), {
      intervalMs: 20,
      engines,
    });
    expect(await e.terminate(45_000), e.describe()).toEqual({ code: 0, signal: null });
    expect(await groupsLeft(kafka, d.groupId)).toEqual(nothingLeft);
    expect(said(e)).toContain('stopped during start-up; nothing was processed');
  }, 90_000);

  it('joined, restoring its state from a long changelog: the restore is given up, exit 0, nothing left', async () => {
    const d = await deploy('sig-restore', { partitions: 2 });
    await lengthenChangelog(kafka, d.topics.changelog, 200_000);
    const e = await start(d, 'restore');
    await e.waitForLog((l) => l.msg === 'restoring state from the changelog', 60_000);
    expect(await e.terminate(45_000), e.describe()).toEqual({ code: 0, signal: null });
    expect(await groupsLeft(kafka, d.groupId)).toEqual(nothingLeft);
    // Given up, not waited for: the stop does not read the changelog to its end first.
    expect(said(e)).not.toContain('state restored');
    expect(e.errors(), e.describe()).toEqual([]);
  }, 180_000);
});
