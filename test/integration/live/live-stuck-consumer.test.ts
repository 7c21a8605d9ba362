/**
 * A kafkajs consumer that stops and never comes back: after a crash kafkajs
 * stops the consumer, then waits in its disconnect for requests a broker
 * restart can leave pending for ever, and only after that reports the crash
 * and restarts (stuck-consumer.ts). CI met it in the broker-outage test: the
 * engine's consumer and the changelog reader's logged "Stopped" and then
 * nothing for two minutes, and the group never committed to the end.
 *
 * The hang itself is kafkajs's and cannot be timed with the real broker, so
 * it is simulated (a mock of the failure, said so here): the test stops both
 * of the runner's consumers through kafkajs's own `stop()`, which does what
 * the stuck crash path did before it hung — the runner stopped, the group
 * left, STOP emitted — and then nothing: no CRASH, no restart. Everything
 * else is real: broker, group, transactions, changelog. The runner must
 * notice, replace both consumers, restore its state, and end with the
 * alerts `replay` finds, none twice, none missing, without exiting.
 */
import { it, expect } from 'vitest';
import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';
import { optionsForRecords } from '../../../engine/demo/scenario-options.js';
import { describeKafka, testKafka } from '../kafka/kafka-env.js';
import { liveSuite, waitCommitted } from './live-env.js';
import { capturingLogger, inProcessRunner } from './in-process-runner.js';
import { generatedRecords, heldTicks, produceRecords, tickRecords } from './scenario-records.js';
import { committedAlerts, expectReplayAlerts } from './reference.js';

/** `kafka` that remembers every consumer it creates, newest last, with its group id. */
function recordingConsumers(kafka: Kafka): { kafka: Kafka; consumers: Array<{ groupId: string; consumer: Consumer }> } {
  const consumers: Array<{ groupId: string; consumer: Consumer }> = [];
  const wrapped = Object.create(kafka) as Kafka;
  wrapped.consumer = (config: ConsumerConfig): Consumer => {
    const consumer = kafka.consumer(config);
    consumers.push({ groupId: config.groupId, consumer });
    return consumer;
  };
  return { kafka: wrapped, consumers };
}

describeKafka('live engine: a consumer stuck after a crash', (brokers) => {
  const { kafka, deploy } = liveSuite(brokers);

  it('both consumers stop without a crash report: the runner replaces them and ends with the alerts of replay', async () => {
    const d = await deploy('stuck');
    const scenario = generatedRecords(optionsForRecords(20_000, 12, { seed: 23 }));
    const ticks = tickRecords(d.partitions);
    await produceRecords(kafka, d.topics, scenario);

    const logs: Array<{ msg?: string }> = [];
    const recorded = recordingConsumers(testKafka(brokers, 'driftwatch-stuck-consumer-test'));
    const runner = inProcessRunner(d, recorded.kafka, 'stuck', { logger: capturingLogger(logs), stuckConsumerMs: 3_000 });
    let exited: Error | undefined;
    void runner.failed.then((err) => (exited = err));
    await runner.start();
    try {
      const deadline = Date.now() + 60_000;
      while (runner.consumedRecords < 2_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const main = recorded.consumers.filter((c) => c.groupId === d.groupId);
      const readers = recorded.consumers.filter((c) => c.groupId.includes('.changelog-reader.'));
      expect([main.length, readers.length]).toEqual([1, 1]);
      // What the stuck crash path leaves behind: stopped, out of the group, and silent.
      await Promise.all([main[0]!.consumer.stop(), readers[0]!.consumer.stop()]);
      // Input that only a new consumer can read: on the old code nothing reads it, and the commit never gets there.
      await produceRecords(kafka, d.topics, ticks);
      await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks), { timeoutMs: 90_000 });
      const alerts = await committedAlerts(kafka, d.topics.alerts);

      expect(exited).toBeUndefined();
      const said = (msg: string) => logs.some((l) => l.msg === msg);
      expect(said('consumer stopped and neither restarted nor reported a crash; starting a new one')).toBe(true);
      expect(logs.find((l) => l.msg === 'consumer stopped and neither restarted nor reported a crash; starting a new one')).toMatchObject({ stuckAfterMs: 3_000 });
      expect(said('changelog reader stopped; reading the changelog again with a new consumer')).toBe(true);
      expect(recorded.consumers.filter((c) => c.groupId === d.groupId).length).toBe(2);

      await expectReplayAlerts(alerts, [...scenario, ...ticks], d.env, { moreThan: 20 });
      expect((await runner.stop()).clean).toBe(true);
    } finally {
      await runner.stop();
    }
  }, 180_000);
});
