/**
 * A rebalance that kafkajs learns of in its own fetch loop (an idle fetch's
 * heartbeat): it rejoins at once, whatever commit of ours is in flight, and
 * the partitions may go to a member that restores them from the changelog
 * and reads from the committed offsets. A commit landing after that restore
 * would make both members produce the same alerts, so a commit that loses its
 * group membership while being built is abandoned: its transaction aborts,
 * and the instance rebuilds its state from the changelog (engine/live/commit.ts).
 *
 * Injected (a mock, said so here): a wrapper around the real kafkajs client
 * holds one transaction's `sendOffsets` until the engine's group consumer
 * reports REBALANCING (at most 30 s), so that a commit is in flight exactly
 * when the rebalance begins. The rebalance itself is real: a second engine
 * instance joins the group.
 */
import { expect, it } from 'vitest';
import type { Kafka, Transaction } from 'kafkajs';
import { describeKafka, testKafka } from '../kafka/kafka-env.js';
import { liveSuite, until, waitCommitted } from './live-env.js';
import { capturingLogger, inProcessRunner } from './in-process-runner.js';
import { heldTicks, produceRecords, threeCopiesOfEveryFixture, tickRecords } from './scenario-records.js';
import { committedAlerts, expectReplayAlerts } from './reference.js';
import { withGroupConsumerHook, withTransactionHook } from './client-hooks.js';

type Outcome = 'committed' | 'aborted';

interface Probe {
  kafka: Kafka;
  /** Hold the next transaction's sendOffsets until a rebalance begins. */
  arm(): void;
  /** Resolves once a transaction is held. */
  held: Promise<void>;
  /** How the held transaction ended. */
  outcome: Promise<Outcome>;
  rebalances: number;
}

function holdCommitUntilRebalance(kafka: Kafka, groupId: string): Probe {
  let armed = false;
  let rebalanceBegan: () => void = () => {};
  const rebalance = new Promise<void>((resolve) => (rebalanceBegan = resolve));
  let onHeld: () => void = () => {};
  let onOutcome: (o: Outcome) => void = () => {};
  const probe: Probe = {
    kafka,
    arm: () => (armed = true),
    held: new Promise((resolve) => (onHeld = resolve)),
    outcome: new Promise((resolve) => (onOutcome = resolve)),
    rebalances: 0,
  };
  const holding = (tx: Transaction) => {
    if (!armed) return;
    armed = false;
    const sendOffsets = tx.sendOffsets.bind(tx);
    const commit = tx.commit.bind(tx);
    const abort = tx.abort.bind(tx);
    tx.sendOffsets = async (offsets) => {
      onHeld();
      await Promise.race([rebalance, new Promise((r) => setTimeout(r, 30_000))]);
      return sendOffsets(offsets);
    };
    tx.commit = async () => commit().then(() => onOutcome('committed'));
    tx.abort = async () => abort().finally(() => onOutcome('aborted'));
  };
  const withHold = withTransactionHook(kafka, holding);
  probe.kafka = withGroupConsumerHook(withHold, groupId, (consumer) => {
    consumer.on(consumer.events.REBALANCING, () => {
      probe.rebalances++;
      rebalanceBegan();
    });
  });
  return probe;
}

describeKafka('live engine: a rebalance learnt in kafkajs fetch loop', (brokers) => {
  const { kafka, deploy } = liveSuite(brokers);

  it('the commit in flight is abandoned (its transaction aborts); together the two members produce replay\'s alerts', async () => {
    const d = await deploy('rebalancefl', { partitions: 4 });
    const scenario = threeCopiesOfEveryFixture();
    const half = Math.floor(scenario.length / 2);
    const ticks = tickRecords(d.partitions);
    await produceRecords(kafka, d.topics, scenario.slice(0, half));

    const logs: Array<{ msg?: string }> = [];
    const probe = holdCommitUntilRebalance(testKafka(brokers, 'driftwatch-rebalance-fetch-loop-test'), d.groupId);
    const a = inProcessRunner(d, probe.kafka, 'a', { logger: capturingLogger(logs) });
    const b = inProcessRunner(d, kafka, 'b');
    await a.start();
    try {
      await until('A to consume the first half', async () => (a.consumedRecords >= half ? true : undefined), { timeoutMs: 60_000 });
      probe.arm();
      await produceRecords(kafka, d.topics, scenario.slice(half));
      await probe.held;
      // A is done with its batches (its commit runs in the background): the rebalance reaches it through an idle fetch.
      await until('A to consume everything', async () => (a.consumedRecords >= scenario.length ? true : undefined), { timeoutMs: 60_000 });
      await b.start();

      expect(await probe.outcome).toBe('aborted');
      expect(probe.rebalances).toBeGreaterThanOrEqual(1);
      await until('A to say it abandoned the commit', async () => (logs.some((l) => String(l.msg).startsWith('commit abandoned')) ? true : undefined));

      await produceRecords(kafka, d.topics, ticks);
      await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks), { timeoutMs: 120_000 });
      // Both members restored and worked; together exactly replay's alerts, none twice.
      expect(logs.filter((l) => l.msg === 'state restored').length).toBeGreaterThanOrEqual(2);
      await expectReplayAlerts(await committedAlerts(kafka, d.topics.alerts), [...scenario, ...ticks], d.env, { exactly: 60 });
    } finally {
      await b.stop();
      await a.stop();
    }
  }, 180_000);
});
