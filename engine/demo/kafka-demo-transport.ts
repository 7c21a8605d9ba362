/**
 * The demo's Kafka path (SPEC §7: `driftwatch demo` goes through Kafka when
 * KAFKA_BROKERS is set): generated records are produced to the input topic of
 * their type with key `<env>/<artifact>`, and the live engine (`LiveRunner`,
 * the same code as `driftwatch run`) consumes them as a consumer-group member
 * with its transactional outputs and state changelog.
 *
 * Each demo run uses its own topics and group (`driftwatch.demo.<id>.*`) so
 * it never mixes with a real deployment or an earlier demo, and deletes them
 * when it ends. At the end of the bounded input the engine is told the input
 * is finished, so the watermark passes every window and timer, as in replay.
 */
import { randomUUID } from 'node:crypto';
import kafkajs, { type Kafka, type Producer } from 'kafkajs';
import type { DriftwatchConfig } from '../../config/env-config.js';
import type { AlertsConfig } from '../../config/alert-rules.js';
import type { Logger } from '../../lib/logger.js';
import { createKafkaClient, isKafkaJsError, kafkaFailure } from '../../topics/kafka-client.js';
import { ensureTopics } from '../../topics/topic-admin.js';
import { topicDefinitions } from '../../topics/topic-definitions.js';
import { LiveRunner } from '../live/live-runner.js';
import type { DemoTransportFactory } from './demo-transport.js';

export interface KafkaDemoOptions {
  config: DriftwatchConfig;
  alerts: AlertsConfig;
  logger: Logger;
}

function demoConfig(config: DriftwatchConfig, id: string): DriftwatchConfig {
  const prefix = `driftwatch.demo.${id}`;
  return {
    ...config,
    kafka: {
      ...config.kafka,
      groupId: `driftwatch-demo-${id}`,
      topics: { promotion: `${prefix}.promotion`, hydration: `${prefix}.hydration`, index: `${prefix}.index`, alerts: `${prefix}.alerts`, dlq: `${prefix}.dlq` },
      internalTopics: { stateChangelog: `driftwatch.internal.demo-${id}.state-changelog` },
      partitions: Math.min(config.kafka.partitions, 3),
    },
  };
}

export function kafkaDemoTransport(options: KafkaDemoOptions): DemoTransportFactory {
  return async (_pipeline, engineSide) => {
    const id = randomUUID().slice(0, 8);
    const config = demoConfig(options.config, id);
    // The transport's own lines are `component: demo-kafka`; the Kafka client and the live runner name their own
    // component (`kafkajs`, `live`), so they log through `demoLog`: pino writes a child's bindings after its
    // parent's, and a second `component` key would make one JSON line that log tools read differently.
    const demoLog = options.logger.child({ demoId: id });
    const log = demoLog.child({ component: 'demo-kafka' });
    const kafka: Kafka = createKafkaClient({
      brokers: config.kafka.brokers,
      clientId: `${config.kafka.clientId}-demo`,
      security: config.kafka.security,
      logger: demoLog,
    });
    // kafkajs' errors (a refused SASL login, an unreachable broker) as `run` and `topics create` report them.
    const kafkaError = (err: unknown): unknown => (isKafkaJsError(err) ? kafkaFailure('demo', config.kafka.brokers, err) : err);
    const definitions = topicDefinitions(config.kafka);
    const admin = kafka.admin();
    const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
    const runner = new LiveRunner({
      kafka,
      config,
      alerts: options.alerts,
      logger: demoLog,
      writer: engineSide.writer,
      changelogTopic: config.kafka.internalTopics.stateChangelog,
      instanceId: `demo-${id}`,
      commitIntervalMs: 500,
      idleTimeoutMs: 1000,
      onFact: engineSide.onFact,
    });
    let topicsCreated = false;
    try {
      await admin.connect();
      await ensureTopics(admin, definitions, { create: true, logger: log });
      topicsCreated = true;
      await producer.connect();
      await runner.start();
    } catch (err) {
      // Nothing runs yet: release what started, and leave no demo topics behind.
      await runner.release().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      if (topicsCreated) await admin.deleteTopics({ topics: definitions.map((d) => d.name) }).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      throw kafkaError(err);
    }
    // A failed engine consumes no more (halting.ts, pipelineFailed): say so rather than wait for the records.
    let failure: Error | null = null;
    void runner.failed.then((err) => (failure = err));
    let produced = 0;
    return {
      name: `kafka (${config.kafka.brokers.join(',')}, topics driftwatch.demo.${id}.*)`,
      async send(records) {
        const byTopic = new Map<string, Array<{ key: string; value: string }>>();
        for (const r of records) {
          const topic = config.kafka.topics[r.type];
          let list = byTopic.get(topic);
          if (!list) byTopic.set(topic, (list = []));
          list.push({ key: r.key, value: r.value });
        }
        await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) }).catch((err: unknown) => {
          throw kafkaError(err);
        });
        produced += records.length;
      },
      counters: () => runner.counters(),
      async flush() {
        // Everything produced must have been consumed before the input is declared finished.
        const deadline = Date.now() + 120_000;
        while (runner.consumedRecords < produced) {
          if (failure) throw kafkaError(failure);
          if (Date.now() > deadline) throw new Error(`the live engine consumed ${runner.consumedRecords} of ${produced} records within 120 s`);
          await new Promise((r) => setTimeout(r, 100));
        }
        await runner.finishInput();
      },
      async close() {
        await runner.stop();
        await producer.disconnect().catch(() => undefined);
        await admin.deleteTopics({ topics: definitions.map((d) => d.name) }).catch((err) => log.warn({ err }, 'could not delete the demo topics'));
        await admin.disconnect().catch(() => undefined);
      },
    };
  };
}
