/** The live runner's reports, recorded on the Prometheus metrics of engine/metrics. */
import type { Message } from 'kafkajs';
import type { Pipeline } from '../pipeline.js';
import type { DriftwatchMetrics } from '../metrics/driftwatch-metrics.js';
import type { DeadLetterCategory } from '../../processors/facts.js';

export interface LiveMetrics {
  /** `count` records consumed from `topic` (reported once per batch: a labelled update per record costs more than the record's bookkeeping). */
  eventsIn(topic: string, count: number): void;
  duplicate(): void;
  late(): void;
  deadLetter(topic: string, category: DeadLetterCategory): void;
  incident(change: string, kind: string): void;
  committed(byTopic: Map<string, Message[]>, ms: number): void;
  observeEngine(pipeline: Pipeline, pendingRecords: number, watermark: number, now: number): void;
  assigned(assignment: Record<string, number[]>): void;
  groupMembers(count: number): void;
  departedShares(count: number): void;
  lag(topic: string, partition: number, records: number): void;
  storePending(rows: number): void;
  /** Consumption waits for backpressure (store or decoder full: live-runner.ts `waitForCapacity`), or no longer. */
  paused(waiting: boolean): void;
}

export function liveMetrics(m: DriftwatchMetrics): LiveMetrics {
  return {
    eventsIn: (topic, count) => m.eventsIn.inc({ topic }, count),
    duplicate: () => m.duplicateEvents.inc(),
    late: () => m.lateEvents.inc(),
    deadLetter: (topic, category) => m.deadLettered.inc({ topic, category }),
    incident: (change, kind) => {
      m.incidentChanges.inc({ kind, change });
      if (change === 'opened') m.incidentsOpen.inc({ kind });
      else if (change === 'resolved') m.incidentsOpen.dec({ kind });
    },
    committed: (byTopic, ms) => {
      for (const [topic, messages] of byTopic) m.eventsOut.inc({ topic }, messages.length);
      m.processingLatency.observe(undefined, ms / 1000);
    },
    observeEngine: (_pipeline, _pending, watermark, now) => {
      if (Number.isFinite(watermark)) m.watermarkDelay.set(undefined, Math.max(0, (now - watermark) / 1000));
    },
    assigned: (assignment) => {
      m.rebalances.inc();
      for (const [topic, partitions] of Object.entries(assignment)) m.partitionsAssigned.set({ topic }, partitions.length);
    },
    groupMembers: (count) => m.groupMembers.set(undefined, count),
    departedShares: (count) => m.departedShares.set(undefined, count),
    lag: (topic, partition, records) => m.consumerLag.set({ topic, partition }, records),
    storePending: (rows) => m.storePendingRows.set(undefined, rows),
    paused: (waiting) => m.consumerPaused.set(undefined, waiting ? 1 : 0),
  };
}
