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
 *
 * A signal while the engine's join waits for a rebalance (another member of
 * the group slow to rejoin: stuck in a batch, it neither heartbeats nor
 * rejoins until its session times out) must not wait for that member either.
 * Before the fix it waited for the join, past run's 30 s deadline: exit 1,
 * 'start-up did not stop within 30s', the engine's member left in the group.
 */
import { it, expect } from 'vitest';
import type { Consumer, Kafka } from 'kafkajs';
import { describeKafka } from '../kafka/kafka-env.js';
import { groupMembers, liveSuite, until, type LiveDeployment } from './live-env.js';
import { coPartitionAssignerFor } from '../../../topics/co-partition-assigner.js';
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

/**
 * A member of the engine's group that stops answering: it joins alone, is handed a record, and stays in its batch
 * (kafkajs heartbeats between batches only) until `release`. A join after it waits for it to rejoin — for its session
 * and rebalance timeouts (`slowForMs`) — as for an instance stuck in a long batch. Its member id: `<clientId>/<memberId>`.
 */
async function slowMember(kafka: Kafka, d: LiveDeployment, slowForMs: number): Promise<{ member: string; release: () => Promise<void> }> {
  const consumer: Consumer = kafka.consumer({
    groupId: d.groupId,
    partitionAssigners: [coPartitionAssignerFor('slow')], // the engine's protocol: a group's members must share one
    sessionTimeout: slowForMs,
    rebalanceTimeout: slowForMs,
    heartbeatInterval: 1_000,
  });
  let member = '';
  consumer.on(consumer.events.GROUP_JOIN, (e) => (member = e.payload.memberId));
  let unblock!: () => void;
  const blocked = new Promise<void>((resolve) => (unblock = resolve));
  let entered!: () => void;
  const inBatch = new Promise<void>((resolve) => (entered = resolve));
  await consumer.connect();
  await consumer.subscribe({ topics: d.inputs, fromBeginning: true });
  await consumer.run({
    eachBatch: async () => {
      entered();
      await blocked;
    },
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: d.topics.promotion, messages: [{ key: 'slow/member', value: 'not an event', partition: 0 }] });
  await producer.disconnect();
  await inBatch;
  const { members } = await groupMembers(kafka, d.groupId);
  return {
    member: members.find((m) => m.endsWith('/' + member))!,
    release: async () => {
      unblock();
      await consumer.disconnect();
    },
  };
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
    // The signal is sent once the reader's group shows a member; on a loaded machine the engine may have finished
    // its start (an empty changelog restores at once) before the signal lands, and then it stops as a started
    // engine ('shutting down'), which is right but not this case: that attempt is checked too, and tried again.
    for (let attempt = 1; ; attempt++) {
      const d = await deploy(`sig-reader-${attempt}`, { partitions: 2 });
      const e = await start(d, `reader-${attempt}`);
      await until('the changelog reader to join its group', async () => ((await groupsLeft(kafka, d.groupId)).readers.some((r) => r.members > 0) ? true : undefined), {
        intervalMs: 20,
        engines,
      });
      expect(await e.terminate(45_000), e.describe()).toEqual({ code: 0, signal: null });
      expect(await groupsLeft(kafka, d.groupId)).toEqual(nothingLeft);
      const startedFirst = said(e).includes('shutting down');
      if (startedFirst && attempt < 4) continue;
      expect(said(e), JSON.stringify(said(e))).toContain('stopped during start-up; nothing was processed');
      return;
    }
  }, 240_000);

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

  it('joining while another member is slow to rejoin: the join is given up, exit 0 at once, its member out of the group', async () => {
    const d = await deploy('sig-join', { partitions: 2 });
    const slow = await slowMember(kafka, d, 90_000);
    try {
      const e = await start(d, 'join');
      // The engine's member is in the group, its join waiting for the slow member to rejoin.
      await until('the engine to wait in its join', async () => {
        const g = await groupMembers(kafka, d.groupId);
        return g.state === 'PreparingRebalance' && g.members.length === 2 ? true : undefined;
      }, { intervalMs: 50, engines });
      const signalled = Date.now();
      expect(await e.terminate(45_000), e.describe()).toEqual({ code: 0, signal: null });
      // Well inside run's 30 s deadline: not waiting for the slow member's 90 s.
      expect(Date.now() - signalled, e.describe()).toBeLessThan(10_000);
      expect((await groupMembers(kafka, d.groupId)).members, e.describe()).toEqual([slow.member]);
      expect((await groupsLeft(kafka, d.groupId)).readers).toEqual([]);
      expect(said(e)).toEqual(expect.arrayContaining(['join given up: left the group', 'stopped during start-up; nothing was processed']));
      expect(e.errors(), e.describe()).toEqual([]);
    } finally {
      await slow.release();
    }
  }, 120_000);
});
