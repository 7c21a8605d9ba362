/**
 * One live engine generation: the pipeline plus the bookkeeping the runner
 * needs around it (commit positions, per-partition watermarks, which
 * partition each key came from, the outbox of alerts and dead letters). A new
 * one is built, and restored from the changelog, on every assignment.
 */
import type { Logger } from '../../lib/logger.js';
import type { Message } from 'kafkajs';
import type { DriftwatchConfig } from '../../config/env-config.js';
import type { AlertsConfig } from '../../config/alert-rules.js';
import type { StoreWriter } from '../../store/store-writer.js';
import type { DeadLetter, Envelope, Fact, FactOf } from '../../processors/facts.js';
import type { Decoder } from '../../processors/decode.js';
import { encodeAlertMessage, type AlertEncoder } from '../../schemas/registry/alert-encoder.js';
import { createPipeline, type Pipeline } from '../pipeline.js';
import { OffsetTracker } from './offset-tracker.js';
import { PartitionWatermarks } from './partition-watermarks.js';
import { alertMessage, deadLetterMessage } from './output-messages.js';
import type { LiveMetrics } from './live-metrics.js';
import { RetiringShares } from './retiring-shares.js';
import { HeldShareRows } from './held-share-rows.js';
import { CommittedShareRows } from './committed-share-rows.js';
import { ChunkedRecords } from './state-chunks.js';
import type { DeadLetterLog } from './dead-letter-log.js';
import { splitTp, tp } from './topic-partition.js';

export interface Engine {
  generation: number;
  pipeline: Pipeline;
  tracker: OffsetTracker;
  watermarks: PartitionWatermarks;
  /** Which input partition each key arrived on (its changelog partition). */
  keyPartition: Map<string, number>;
  outbox: Array<{ topic: string; message: Message }>;
  alertsWaiting: number;
  /** Records were processed since the last commit (their offsets and state are not committed yet). */
  progressed: boolean;
  /** Per-env shares of instances that left the group, run on by this one (owner of partition 0). */
  retiring: RetiringShares;
  /** Env-level rows since the last commit, stored by the next one (held-share-rows.ts). */
  heldRows: HeldShareRows;
  /** The changelog records of committed env-level rows that this engine's next commit replaces (committed-share-rows.ts). */
  shareRows: CommittedShareRows;
  /** The changelog records written in pieces, as restored and committed since (state-chunks.ts). */
  chunked: ChunkedRecords;
}

/** Moves event time to the combined watermark: the pipeline, then the departed instances' shares to where it got. */
export function advanceEngine(engine: Engine, frontier: number): void {
  engine.pipeline.advanceTo(frontier);
  engine.retiring.advanceTo(engine.pipeline.orderer.frontier);
}

export interface LiveEngineDeps {
  /** Logs each incident change and alert emitted, with their correlation ids (what an SRE greps for). */
  logger?: Logger;
  config: DriftwatchConfig;
  alerts: AlertsConfig;
  writer: StoreWriter | null;
  idleTimeoutMs: number;
  decoder?: Decoder;
  alertEncoder?: AlertEncoder;
  metrics?: LiveMetrics;
  /** Counts dead letters for the runner's rate-limited summary line (dead-letter-log.ts). */
  deadLetters?: DeadLetterLog;
  onFact?: (fact: Fact) => void;
  /** The pipeline stopped on an error (see PipelineOptions.onFailure): this engine's state may not be committed. */
  onFailure?: (err: unknown) => void;
  now: () => number;
}

export function createLiveEngine(deps: LiveEngineDeps, generation: number): Engine {
  const { config, metrics } = deps;
  const topics = config.kafka.topics;
  const outbox: Engine['outbox'] = [];
  const keyPartition = new Map<string, number>();
  const tracker = new OffsetTracker();
  // Records still waiting to be decoded (a registry outage) keep their partition from idleness (partition-watermarks.ts).
  const waitingToDecode = (key: string): boolean => {
    const pipeline = engine.pipeline;
    if (pipeline.undecoded === 0) return false;
    const [topic, partition] = splitTp(key);
    return pipeline.undecodedIn(topic, partition) > 0;
  };
  const watermarks = new PartitionWatermarks(config.processing.allowedLatenessMs, deps.idleTimeoutMs, waitingToDecode);
  const engine: Engine = {
    generation,
    pipeline: undefined as unknown as Pipeline,
    tracker,
    watermarks,
    keyPartition,
    outbox,
    alertsWaiting: 0,
    progressed: false,
    retiring: undefined as unknown as RetiringShares,
    heldRows: new HeldShareRows(),
    shareRows: new CommittedShareRows(),
    chunked: new ChunkedRecords(),
  };
  const heldRows = engine.heldRows;
  const emitAlert = ({ alert, firstFiring = false }: FactOf<'alert'>) => {
    const encoder = deps.alertEncoder;
    outbox.push({ topic: topics.alerts, message: encoder ? encodeAlertMessage(alert, encoder, firstFiring) : alertMessage(alert, firstFiring) });
    engine.alertsWaiting++;
  };
  const done = (e: Envelope | DeadLetter) => {
    const s = e.source;
    engine.progressed = true;
    if (s?.topic !== undefined && s.partition !== undefined && s.offset !== undefined) tracker.processed(s.topic, s.partition, s.offset);
  };
  engine.pipeline = createPipeline({
    decoder: deps.decoder,
    processing: config.processing,
    alerts: deps.alerts,
    writer: deps.writer,
    holdRows: (fact) => heldRows.hold(fact),
    externalFrontier: true,
    recentIdsPerKey: config.live.dedupIdsPerKey,
    now: deps.now,
    onEnvelope: (env, duplicate) => {
      if (env.source?.partition !== undefined) {
        keyPartition.set(env.key, env.source.partition);
        // Only an event that will be processed moves its partition's event time and keeps the partition from being
        // idle. A duplicate repeats an event time already seen: a partition that delivers nothing else must not hold
        // every other partition's events back any more than a silent one does (dead letters never get here).
        // Its watermark time: an event dated ahead of the wall clock moves the partition's event time no further.
        if (!duplicate) watermarks.observe(tp(env.source.topic!, env.source.partition), env.watermarkAt ?? env.at, deps.now());
      }
    },
    onFailure: deps.onFailure,
    onDuplicate: (env) => {
      done(env);
      metrics?.duplicate();
    },
    onDeadLetter: (dl) => {
      done(dl);
      outbox.push({ topic: topics.dlq, message: deadLetterMessage(dl) });
      metrics?.deadLetter(dl.source?.topic ?? 'unknown', dl.category ?? 'invalid_event');
      deps.deadLetters?.record(dl);
    },
    onFact: (fact: Fact) => {
      deps.onFact?.(fact);
      if (fact.kind === 'event' || fact.kind === 'late') {
        done(fact.envelope);
        if (fact.kind === 'late') metrics?.late();
      } else if (fact.kind === 'alert') {
        emitAlert(fact);
        const a = fact.alert;
        deps.logger?.info(
          { fingerprint: a.fingerprint, rule: a.rule, severity: a.severity, status: a.status, escalationLevel: a.escalationLevel, correlationId: a.correlationId },
          `alert ${a.status}: ${a.rule}`,
        );
      } else if (fact.kind === 'incident') {
        metrics?.incident(fact.change, fact.incident.kind);
        const i = fact.incident;
        deps.logger?.info(
          { incidentId: i.incidentId, kind: i.kind, env: i.env, artifact: i.artifact, severity: i.severity, correlationId: i.correlationId },
          `incident ${fact.change}`,
        );
      }
    },
  });
  const alerting = engine.pipeline.topology.alerting;
  engine.retiring = new RetiringShares({
    topology: { processing: config.processing, alerts: deps.alerts },
    store: (fact, instanceId) => {
      if (!heldRows.hold(fact, instanceId)) deps.writer?.write(fact, instanceId);
    },
    firingHere: (fingerprint) => alerting.isFiring(fingerprint),
    emitAlert,
  });
  return engine;
}
