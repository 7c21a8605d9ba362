/**
 * A rebalance that the engine learns of from its batch's heartbeat: kafkajs
 * rejoins the group as soon as the batch returns, and the partitions may go
 * to a member that restores them from the changelog. A commit still in
 * flight then must land first, or that restore could see the state before it
 * and the commit land after it: both members would produce the same alerts.
 *
 * Injected (a mock, said so here): a wrapper around the real kafkajs client
 * makes each transaction's commit take 1.5 s longer (so one is in flight when
 * the batch heartbeats), and makes one heartbeat of the group consumer throw
 * what the coordinator answers once a rebalance has begun,
 * REBALANCE_IN_PROGRESS — while a commit is in flight. kafkajs then really
 * rejoins (a new generation, state restored from the changelog). Everything
 * else is real.
 */
import { expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { optionsForRecords } from '../../../engine/demo/scenario-options.js';
import { describeKafka, testKafka } from '../kafka/kafka-env.js';
import { committedCount, liveSuite, until, waitCommitted } from './live-env.js';
import { capturingLogger, inProcessRunner } from './in-process-runner.js';
import { generatedRecords, heldTicks, produceRecords, tickRecords } from './scenario-records.js';
import { committedAlerts, expectReplayAlerts } from './reference.js';
import { rebalanceInProgress } from './kafka-errors.js';
import { withEachBatchHook, withTransactionHook } from './client-hooks.js';

interface Probe {
  kafka: Kafka;
  arm(err: Error): void;
  thrown: Error[];
  /** Transactions open when the heartbeat threw, and when the batch then returned to kafkajs. */
  openAtThrow: number[];
  openAtReturn: number[];
}

function slowCommitsAndRebalancingHeartbeat(kafka: Kafka, groupId: string): Probe {
  let open = 0;
  let armed: Error | null = null;
  const probe: Probe = { kafka, arm: (err) => (armed = err), thrown: [], openAtThrow: [], openAtReturn: [] };
  const withSlowCommits = withTransactionHook(kafka, (tx) => {
    open++;
    const commit = tx.commit.bind(tx);
    const abort = tx.abort.bind(tx);
    tx.commit = async () => {
      await new Promise((r) => setTimeout(r, 1500));
      return commit().finally(() => open--);
    };
    tx.abort = async () => abort().finally(() => open--);
  });
  const wrapped = withEachBatchHook(withSlowCommits, groupId, async (payload, eachBatch) => {
    let injected: Error | null = null;
    const heartbeat = async () => {
      if (armed && open > 0) {
        injected = armed;
        armed = null;
        probe.thrown.push(injected);
        probe.openAtThrow.push(open);
        throw injected;
      }
      return payload.heartbeat();
    };
    try {
      return await eachBatch({ ...payload, heartbeat });
    } catch (err) {
      if (err === injected) probe.openAtReturn.push(open);
      throw err;
    }
  });
  probe.kafka = wrapped;
  return probe;
}

describeKafka('live engine: a rebalance learnt from the heartbeat', (brokers) => {
  const { kafka, deploy } = liveSuite(brokers);

  it('the commit in flight lands before the batch returns to kafkajs, which rejoins; alerts as in replay', async () => {
    const d = await deploy('rebalancehb');
    const scenario = generatedRecords(optionsForRecords(10_000, 12, { seed: 27 }));
    const ticks = tickRecords(d.partitions);
    const half = Math.floor(scenario.length / 2);
    await produceRecords(kafka, d.topics, scenario.slice(0, half));

    const logs: Array<{ msg?: string }> = [];
    const probe = slowCommitsAndRebalancingHeartbeat(testKafka(brokers, 'driftwatch-rebalance-heartbeat-test'), d.groupId);
    const runner = inProcessRunner(d, probe.kafka, 'rebalancehb', { logger: capturingLogger(logs) });
    await runner.start();
    try {
      await until('a first commit', async () => ((await committedCount(kafka, d.groupId, d.inputs)) > 0 ? true : undefined), { timeoutMs: 60_000 });
      const rebalancing = rebalanceInProgress();
      probe.arm(rebalancing);
      await produceRecords(kafka, d.topics, [...scenario.slice(half), ...ticks]);
      await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks), { timeoutMs: 120_000 });

      expect(probe.thrown).toEqual([rebalancing]);
      expect(probe.openAtThrow).toEqual([1]);
      expect(probe.openAtReturn).toEqual([0]);
      // kafkajs rejoined: a second generation restored its state.
      expect(logs.filter((l) => l.msg === 'state restored').length).toBeGreaterThanOrEqual(2);
      await expectReplayAlerts(await committedAlerts(kafka, d.topics.alerts), [...scenario, ...ticks], d.env, { moreThan: 10 });
    } finally {
      await runner.stop();
    }
  }, 180_000);
});
