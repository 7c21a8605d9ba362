/**
 * Wires live mode together: Kafka client, store and writer, metrics endpoint
 * (/metrics, /healthz, /readyz), the metrics' rows in engine_metrics, and the runner. Returns a handle that stops
 * everything in reverse order.
 */
import type { Runtime } from '../../cli/runtime.js';
import { createKafkaClient, isKafkaJsError, kafkaFailure } from '../../topics/kafka-client.js';
import { checkTopicNames } from '../../topics/topic-definitions.js';
import { openConfiguredStore } from '../../store/configured-store.js';
import { StoreWriter, type StoreWriterOptions } from '../../store/store-writer.js';
import { createDriftwatchMetrics } from '../metrics/driftwatch-metrics.js';
import { startConfiguredMetricsServer } from '../metrics/metrics-server.js';
import { LiveRunner } from './live-runner.js';
import { liveMetrics } from './live-metrics.js';
import { startMetricsToStore } from './metrics-to-store.js';
import { openWaiting } from './open-store-waiting.js';
import { liveReadiness } from './readiness.js';
import { createAvroAlertEncoder, createRegistryClient, createRegistryDecoder } from '../../schemas/registry/index.js';
import { configuredSecrets } from '../../config/env-config.js';
import { LiveAudit } from './live-audit.js';

export interface LiveEngine {
  runner: LiveRunner;
  metricsUrl: string | null;
  /** Stops everything; `clean: false` when the final commit or the store's last flush failed (see LiveRunner.stop). */
  stop(): Promise<{ clean: boolean }>;
}

/** Retries of every Kafka request of the live engine (see startLiveEngine). */
const LIVE_KAFKA_RETRIES = 10;

/**
 * Longest wait between two attempts of a store batch while the store is down. Live mode retries a retryable store
 * failure (server unreachable, 5xx, timeout) without limit: consumption waits on the writer's backpressure meanwhile
 * (memory bounded, offsets uncommitted), and the engine goes on where it was once the server is back — no exit, no
 * restart, and the batches keep their dedup tokens. A failure that cannot pass (login, privileges, SQL, schema)
 * still fails the writer at once, and the process exits 1.
 */
export const LIVE_STORE_MAX_BACKOFF_MS = 30_000;
/** The live writer's retry settings (LIVE_STORE_MAX_BACKOFF_MS): retryable failures without limit, capped jittered backoff. */
export const LIVE_STORE_RETRY = { maxAttempts: Infinity, maxBackoffMs: LIVE_STORE_MAX_BACKOFF_MS, jitter: true } as const satisfies StoreWriterOptions;
/**
 * On shutdown, how long store batches waiting for a retry are still retried before the writer gives up (the final
 * commit then fails: exit 1, nothing lost). Well inside run's own deadline (30 s).
 */
export const LIVE_STORE_STOP_GRACE_MS = 10_000;

/**
 * `onRunner`: told of the runner as soon as it exists, before it starts, so a signal during start-up can abort the
 * start (LiveRunner.abortStart); the start then fails with StopRequestedError once it has let go of what it joined.
 */
export async function startLiveEngine(rt: Pick<Runtime, 'config' | 'alerts' | 'logger' | 'runId'>, onRunner?: (runner: LiveRunner) => void): Promise<LiveEngine> {
  const { config, logger } = rt;
  // This instance's own audit records: health transitions, refused logins (live-audit.ts); written by `writer` once it exists.
  const auditFor = (writer: StoreWriter | null) =>
    new LiveAudit({ writer, instanceId: config.live.instanceId, runId: rt.runId, groupId: config.kafka.groupId, logger, secrets: configuredSecrets(config) });
  checkTopicNames(config.kafka.topics);
  // kafkajs's default (5 retries, ≈ 10 s of backoff) gives up inside an ordinary broker restart: the group
  // coordinator is not found again until the restarted broker has loaded it, and that failure is non-retriable for
  // the consumer, which then stops for good (seen in the broker-outage test). 10 retries back off for ≈ 2 minutes
  // (30 s at most between tries). At start-up a broker unreachable for that long fails the start (exit 1). Once
  // running, an outage that long crashes the consumer, which kafkajs restarts (or the engine replaces:
  // group-consumer.ts) until the broker is back: the process lives on and carries on then. /readyz says 503 much
  // sooner, after DRIFTWATCH_SESSION_TIMEOUT without an answer from the broker (broker-contact.ts).
  const kafka = createKafkaClient({ brokers: config.kafka.brokers, clientId: config.kafka.clientId, security: config.kafka.security, logger, retries: LIVE_KAFKA_RETRIES });
  const metrics = createDriftwatchMetrics();
  // /healthz answers from the start, /readyz says what start-up waits for: a liveness probe must not restart an
  // instance that waits for its store (the crash loop the wait avoids) or for the broker.
  let runner: LiveRunner | undefined;
  let startingUp = 'opening the store';
  const server = await startConfiguredMetricsServer(config.metricsPort, {
    registry: metrics.registry,
    logger,
    isReady: () => liveReadiness(runner, startingUp),
  });
  // A server restarting (or not up yet) when the engine starts is waited for, not a crash loop (open-store-waiting.ts).
  const transport = await openWaiting(() => openConfiguredStore(rt), { logger, what: 'the store' }).catch(async (err: unknown) => {
    auditFor(null).authFailure(err); // a refused ClickHouse login: logged only (no store to write it to)
    await server?.close().catch(() => undefined);
    throw err;
  });
  startingUp = 'joining the group / restoring state';
  const writer = new StoreWriter(transport, {
    logger,
    batchRows: config.store.batchRows,
    flushIntervalMs: config.store.flushIntervalMs,
    // Env-level rows are this instance's share of its group's partitions: keyed by it, so no share replaces another.
    instanceId: config.live.instanceId,
    // A store outage is waited out (see LIVE_STORE_MAX_BACKOFF_MS), the consumer held back by waitForCapacity.
    ...LIVE_STORE_RETRY,
    onRetry: () => metrics.storeWriteRetries.inc(),
  });
  const audit = auditFor(writer);
  writer.onOutage((o) => audit.storeOutage({ began: true, table: o.table, error: o.error.message }));
  writer.onOutageEnd((o) => audit.storeOutage({ began: false, ...o }));
  // With a registry, inputs may be Avro (Confluent wire format) or JSON on the same topics; alerts follow DRIFTWATCH_ALERT_FORMAT.
  const registry = config.schemaRegistryUrl ? createRegistryClient(config.schemaRegistryUrl) : null;
  const decoder = registry
    ? createRegistryDecoder({ registry, logger, unknownIds: { ttlMs: config.unknownSchemaTtlMs }, onRefused: (err) => audit.authFailure(err) })
    : undefined;
  const alertEncoder =
    registry && config.alertFormat === 'avro' ? createAvroAlertEncoder({ registry, subject: `${config.kafka.topics.alerts}-value`, logger }) : undefined;
  writer.onFailure((err) => {
    metrics.storeWriteFailures.inc();
    audit.authFailure(err); // a refused login or privilege: logged only, the writer has failed for good
  });
  runner = new LiveRunner({
    kafka,
    config,
    alerts: rt.alerts,
    logger,
    writer,
    changelogTopic: config.kafka.internalTopics.stateChangelog,
    instanceId: config.live.instanceId,
    commitIntervalMs: config.live.commitIntervalMs,
    idleTimeoutMs: config.live.idleTimeoutMs,
    metrics: liveMetrics(metrics),
    audit,
    decoder,
    alertEncoder,
  });
  onRunner?.(runner);
  try {
    await runner.start();
  } catch (err) {
    // Nothing started (or a signal aborted the start): release what did — the groups it joined are left, the
    // changelog reader's deleted — and say which brokers could not be reached rather than kafkajs' bare error.
    // A refused SASL login or registry credentials are audited first: the writer's close below still writes the record.
    audit.authFailure(err);
    audit.close();
    await runner.release();
    await server?.close().catch(() => undefined);
    writer.giveUpRetrying('start-up failed'); // nothing was consumed: no row to wait for a store outage for
    await writer.close().catch(() => undefined);
    await transport.close().catch(() => undefined);
    throw isKafkaJsError(err) ? kafkaFailure('joining the consumer group', config.kafka.brokers, err) : err;
  }
  const stopMetricsToStore = startMetricsToStore({
    registry: metrics.registry,
    writer,
    intervalMs: config.metricsStoreIntervalMs,
    instanceId: config.live.instanceId,
    logger,
  });
  return {
    runner,
    metricsUrl: server?.url ?? null,
    async stop() {
      stopMetricsToStore();
      // A store that is down would hold the final commit (and the writer's flush) for as long as it stays down.
      const giveUp = setTimeout(() => {
        if (writer.retrying) logger.warn({ graceMs: LIVE_STORE_STOP_GRACE_MS }, 'store still failing on shutdown; giving up its retries');
        writer.giveUpRetrying('shutting down');
      }, LIVE_STORE_STOP_GRACE_MS);
      giveUp.unref();
      try {
        let { clean } = await runner.stop();
        audit.close(); // the records the rate limit still holds (the last readiness change), before the writer's last flush
        await server?.close();
        await writer.close().catch((err) => {
          clean = false;
          logger.error({ err }, 'store writer did not flush on shutdown');
        });
        await transport.close();
        return { clean };
      } finally {
        clearTimeout(giveUp);
      }
    },
  };
}

