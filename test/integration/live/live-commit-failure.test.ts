/**
 * A commit that fails on the Kafka side (here: the group coordinator not
 * found while the offsets are sent, as inside a broker restart) does not end
 * the instance: the engine drops its state, restores it from the changelog,
 * reads every owned partition again from the committed offsets and carries
 * on — alerts on the alert topic (read_committed) as `replay` of the same
 * records, none twice, none missing.
 *
 * The failure is injected (a mock, said so here): a wrapper around the real
 * kafkajs client makes one transaction's `sendOffsets` throw what
 * kafkajs throws there, a non-retriable KafkaJSGroupCoordinatorNotFound.
 * With the real broker that failure happens only when a broker restart
 * catches a commit in flight — live-broker-outage.test.ts met it in about
 * one run in four, and the instance then exited 1 — which a test cannot
 * time. Everything else is real: broker, consumer group, transactions,
 * changelog. The runner runs in this process so the wrapper can reach it.
 */
import { it, expect } from 'vitest';
import type { Kafka } from 'kafkajs';
import { optionsForRecords } from '../../../engine/demo/scenario-options.js';
import { describeKafka, testKafka } from '../kafka/kafka-env.js';
import { liveSuite, waitCommitted } from './live-env.js';
import { capturingLogger, inProcessRunner } from './in-process-runner.js';
import { generatedRecords, heldTicks, produceRecords, tickRecords } from './scenario-records.js';
import { committedAlerts, expectReplayAlerts } from './reference.js';
import { groupCoordinatorNotFound } from './kafka-errors.js';
import { withTransactionHook } from './client-hooks.js';

/**
 * `kafka` whose transactional producers fail a transaction's sendOffsets when
 * `failOn(n)` holds for it (n: 1-based, counted over all of them).
 */
function failingSendOffsets(kafka: Kafka, failOn: (n: number) => boolean): { kafka: Kafka; failures: () => number } {
  let transactions = 0;
  let failures = 0;
  const wrapped = withTransactionHook(kafka, (tx) => {
    const n = ++transactions;
    const sendOffsets = tx.sendOffsets.bind(tx);
    tx.sendOffsets = async (offsets) => {
      if (failOn(n)) {
        failures++;
        throw groupCoordinatorNotFound();
      }
      return sendOffsets(offsets);
    };
  });
  return { kafka: wrapped, failures: () => failures };
}

describeKafka('live engine: a commit that fails on the Kafka side', (brokers) => {
  const { kafka, deploy } = liveSuite(brokers);

  // Transaction 1 is the restore marker; 2 is the first commit (nothing committed yet: read again from the start),
  // 3 the second (read again from the first commit's offsets). Either fails with records consumed past the last commit.
  it.each([2, 3])('transaction %i fails: state from the changelog, input again from the committed offsets, alerts as in replay', async (failOn) => {
    const d = await deploy(`commitfail${failOn}`);
    const scenario = generatedRecords(optionsForRecords(20_000, 12, { seed: 21 }));
    const ticks = tickRecords(d.partitions);
    await produceRecords(kafka, d.topics, scenario);

    const logs: Array<{ msg?: string }> = [];
    const injected = failingSendOffsets(testKafka(brokers, 'driftwatch-commit-failure-test'), (n) => n === failOn);
    const runner = inProcessRunner(d, injected.kafka, 'rewind', { logger: capturingLogger(logs) });
    let exited: Error | undefined;
    void runner.failed.then((err) => (exited = err));
    await runner.start();
    try {
      await produceRecords(kafka, d.topics, ticks);
      await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks), { timeoutMs: 120_000 });
      const alerts = await committedAlerts(kafka, d.topics.alerts);

      expect(injected.failures()).toBe(1);
      expect(exited).toBeUndefined();
      const said = (msg: string) => logs.some((l) => l.msg === msg);
      expect(said('commit failed; state will be rebuilt from the changelog')).toBe(true);
      expect(said('reading again from the committed offsets after a failed commit')).toBe(true);
      // Records consumed before the failure came again: more were read than were produced.
      expect(runner.consumedRecords).toBeGreaterThan(scenario.length + ticks.length);

      await expectReplayAlerts(alerts, [...scenario, ...ticks], d.env, { moreThan: 20 });
    } finally {
      await runner.stop();
    }
  }, 180_000);

  // The stop's own commit fails: the instance must not report a clean stop (`driftwatch run` exits 1), and the next
  // member of the group carries on from the last commit: alerts as in replay, the failed transaction's aborted.
  // The next member is the same instance restarted (same DRIFTWATCH_INSTANCE_ID, as a supervisor restarts it): the
  // per-env state (rate rules, their firing alerts) is the instance's own, so only it can resolve the rate alerts
  // the first run fired when their windows empty (README "Known limits").
  // With a long commit interval only alerts make the first instance commit; what it read after its last commit (at
  // least the ticks, which the orderer holds, so no commit passes them) is read again by the next one.
  it('the final commit on shutdown fails: stop() is not clean, the next instance carries on from the last commit', async () => {
    const d = await deploy('stopfail');
    const scenario = generatedRecords(optionsForRecords(20_000, 12, { seed: 22 }));
    const ticks = tickRecords(d.partitions);
    await produceRecords(kafka, d.topics, [...scenario, ...ticks]);

    let armed = false;
    const injected = failingSendOffsets(testKafka(brokers, 'driftwatch-stop-failure-test'), () => armed);
    const first = inProcessRunner(d, injected.kafka, 'stops', { env: { DRIFTWATCH_COMMIT_INTERVAL: '10m' } });
    await first.start();
    let stopped = false;
    try {
      const all = scenario.length + ticks.length;
      const deadline = Date.now() + 120_000;
      while (first.consumedRecords < all && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(first.consumedRecords).toBe(all);
      await new Promise((r) => setTimeout(r, 1000)); // a commit the last alerts asked for settles
      armed = true;
      stopped = true;
      expect((await first.stop()).clean).toBe(false);
      expect(injected.failures()).toBeGreaterThanOrEqual(1);
    } finally {
      if (!stopped) await first.stop();
    }

    const second = inProcessRunner(d, testKafka(brokers, 'driftwatch-stop-failure-next'), 'stops');
    await second.start();
    try {
      await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks), { timeoutMs: 120_000 });
      expect(second.consumedRecords).toBeGreaterThanOrEqual(ticks.length);
      const alerts = await committedAlerts(kafka, d.topics.alerts);
      await expectReplayAlerts(alerts, [...scenario, ...ticks], d.env, { moreThan: 20 });
      expect((await second.stop()).clean).toBe(true);
    } finally {
      await second.stop();
    }
  }, 240_000);
});
