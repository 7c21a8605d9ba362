/**
 * A member that sends no heartbeat for longer than the session timeout is
 * removed from the group by the coordinator, which does not tell it: its
 * partitions go to another member, which restores them from the changelog
 * and goes on. The removed member learns it only from its next heartbeat's
 * answer (UNKNOWN_MEMBER_ID, upon which kafkajs rejoins without a
 * REBALANCING event). Until then it must not commit: kafkajs 2.2.4 sends
 * transactional offsets without the group generation, so the broker takes
 * such a commit — its alerts and dead letters beside the new owner's (found
 * by the chaos soak, seed 105: a changelog restore of 17 s on a loaded
 * machine, which heartbeats nothing, against a 10 s session timeout; four
 * alerts and three dead letters on the topics twice), and its state and
 * offsets over the new owner's.
 *
 * Injected (a mock, said so here): a wrapper holds one batch of member A's
 * group consumer until the test releases it, so A's fetch loop (and with it
 * every heartbeat) stops. Everything else is real: the session timeout
 * expires, the coordinator removes A, B joins and takes every partition over.
 */
import { expect, it } from 'vitest';
import type { EachBatchPayload, Kafka } from 'kafkajs';
import { describeKafka, testKafka } from '../kafka/kafka-env.js';
import { groupMembers, liveSuite, until, waitCommitted } from './live-env.js';
import { capturingLogger, inProcessRunner } from './in-process-runner.js';
import { eventTimeOf, heldTicks, produceRecords, threeCopiesOfEveryFixture, tickRecords } from './scenario-records.js';
import { committedAlerts, expectReplayAlerts } from './reference.js';
import { withEachBatchHook, withGroupConsumerHook, withTransactionHook } from './client-hooks.js';

interface Probe {
  kafka: Kafka;
  /** Hold the next batch until `release`. */
  arm(): void;
  held: Promise<void>;
  release(): void;
  /** Transactions with consumer offsets (a commit of work, not a restore's marker) committed while `outOfGroup` said so. */
  committedWhileOut: number;
  /** Set by the test once the coordinator has removed A; cleared by A's next join. */
  outOfGroup: boolean;
}

function holdOneBatch(kafka: Kafka, groupId: string): Probe {
  let armed = false;
  let onHeld: () => void = () => {};
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const probe: Probe = {
    kafka,
    arm: () => (armed = true),
    held: new Promise((resolve) => (onHeld = resolve)),
    release: () => release(),
    committedWhileOut: 0,
    outOfGroup: false,
  };
  const counting = withTransactionHook(kafka, (tx) => {
    const commit = tx.commit.bind(tx);
    const sendOffsets = tx.sendOffsets.bind(tx);
    let offsets = false;
    tx.sendOffsets = async (o) => {
      offsets = true;
      return sendOffsets(o);
    };
    tx.commit = async () => {
      const out = probe.outOfGroup;
      await commit();
      if (out && offsets) probe.committedWhileOut++;
    };
  });
  // Registered before the engine's own listeners: cleared before the new generation can commit anything.
  const rejoining = withGroupConsumerHook(counting, groupId, (consumer) => consumer.on(consumer.events.GROUP_JOIN, () => (probe.outOfGroup = false)));
  probe.kafka = withEachBatchHook(rejoining, groupId, async (payload: EachBatchPayload, eachBatch) => {
    if (armed && payload.batch.messages.length > 0) {
      armed = false;
      onHeld();
      await released;
    }
    return eachBatch(payload);
  });
  return probe;
}

/** [those `pred` holds for, the others], each in its order. */
function partition<T>(items: readonly T[], pred: (x: T) => boolean): [T[], T[]] {
  return [items.filter(pred), items.filter((x) => !pred(x))];
}

describeKafka('live engine: a member removed by the coordinator', (brokers) => {
  const { kafka, deploy } = liveSuite(brokers);

  it('commits nothing once its session has expired, before it has rejoined; together the members produce replay\'s alerts', async () => {
    // The broker's minimum session timeout: A is removed 6 s after its last heartbeat.
    const d = await deploy('expelled', { partitions: 2, env: { DRIFTWATCH_SESSION_TIMEOUT: '6s' } });
    // Part 2 begins while the lagging replicas' incidents are open: B closes A's, and A, carrying on, would too.
    const [part1, part2] = partition(threeCopiesOfEveryFixture(), (r) => eventTimeOf(r) < Date.parse('2026-11-27T10:15:00.000Z'));
    const [midTicks, ticks] = [tickRecords(d.partitions, '2026-11-27T10:15:30.000Z'), tickRecords(d.partitions)];

    const logs: Array<{ msg?: string }> = [];
    const probe = holdOneBatch(testKafka(brokers, 'driftwatch-expelled-member-test'), d.groupId);
    const [a, b] = [inProcessRunner(d, probe.kafka, 'a', { logger: capturingLogger(logs) }), inProcessRunner(d, kafka, 'b')];
    try {
      await a.start();
      await produceRecords(kafka, d.topics, [...part1, ...midTicks]);
      await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, midTicks), { timeoutMs: 60_000 });

      // A's next batch (of part 2) is held: no fetch, no heartbeat, until the coordinator has removed A.
      probe.arm();
      await produceRecords(kafka, d.topics, [...part2, ...ticks]);
      await probe.held;
      await until('the coordinator to remove A', async () => ((await groupMembers(kafka, d.groupId)).members.length === 0 ? true : undefined), { timeoutMs: 30_000 });
      probe.outOfGroup = true;

      // B takes every partition over and does all of part 2.
      await b.start();
      await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, [...midTicks, ...ticks]), { timeoutMs: 60_000 });

      // A carries on with its batch, as if still a member, and learns otherwise from its next heartbeat; kafkajs then
      // rejoins (A's GROUP_JOIN: a new generation, which may commit again).
      const joinsBefore = logs.filter((l) => String(l.msg).startsWith('joined group')).length;
      probe.release();
      await until('A to rejoin the group', async () => (logs.filter((l) => String(l.msg).startsWith('joined group')).length > joinsBefore ? true : undefined), {
        timeoutMs: 60_000,
      });
      expect(probe.committedWhileOut).toBe(0);

      await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, [...midTicks, ...ticks]), { timeoutMs: 60_000 });
      await expectReplayAlerts(await committedAlerts(kafka, d.topics.alerts), [...part1, ...midTicks, ...part2, ...ticks], d.env, { exactly: 60 });
    } finally {
      await b.stop();
      await a.stop();
    }
  }, 180_000);
});
