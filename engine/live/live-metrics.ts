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
  /** `count` records produced to `topic` outside a commit (the changelog markers of a restore). */
  produced(topic: string, count: number): void;
  /** A transaction of `byTopic` committed `ms` after its batch was fetched, at wall time `now`. */
  committed(byTopic: Map<string, Message[]>, ms: number, now: number): void;
  /**
   * A commit of `pipeline`'s work succeeded; `sourcesDropped`: its count as of the commit's snapshot. Counted here,
   * not as it rises: work after a failed or abandoned commit is redone by a rebuilt pipeline and would count twice.
   */
  committedWork(pipeline: Pipeline, sourcesDropped: number): void;
  observeEngine(pipeline: Pipeline, pendingRecords: number, watermark: number, now: number): void;
  assigned(assignment: Record<string, number[]>): void;
  /** Out of the group (a rebalance began, the consumer crashed): this member owns none of the input partitions now. */
  unassigned(inputTopics: readonly string[]): void;
  groupMembers(count: number): void;
  departedShares(count: number): void;
  /** Records of an owned input partition past this instance's position, read from the broker (partition-lag.ts). */
  lag(topic: string, partition: number, records: number): void;
  /** The partition is no longer owned: its lag series goes. */
  forgetLag(topic: string, partition: number): void;
  storePending(rows: number): void;
  /** Consumption waits for backpressure (store or decoder full: backpressure.ts `waitForCapacity`), or no longer. */
  paused(waiting: boolean): void;
}

export function liveMetrics(m: DriftwatchMetrics): LiveMetrics {
  // The state-drift processor counts the sources it dropped since its pipeline was made; a new generation (a
  // rebalance, a failed commit) makes a new one counting from 0 from the last commit's state. The counter adds what
  // each pipeline counted between its commits, so it only rises and a failed commit's work, redone, counts once
  // (weakly held: a replaced pipeline is not kept alive by its count).
  const droppedCommitted = new WeakMap<Pipeline, number>();
  return {
    eventsIn: (topic, count) => m.eventsIn.inc({ topic }, count),
    duplicate: () => m.duplicateEvents.inc(),
    late: () => m.lateEvents.inc(),
    deadLetter: (topic, category) => m.deadLettered.inc({ topic, category }),
    incident: (change, kind) => m.incidentChanges.inc({ kind, change }),
    produced: (topic, count) => m.eventsOut.inc({ topic }, count),
    committed: (byTopic, ms, now) => {
      for (const [topic, messages] of byTopic) {
        m.eventsOut.inc({ topic }, messages.length);
        // Alerts are counted once produced for good (committed), from the headers every alert carries: an alert of a
        // batch whose commit failed is emitted again and must not count twice.
        for (const message of messages) {
          const rule = header(message, 'dw-rule');
          const status = header(message, 'dw-status');
          if (rule === undefined || status === undefined) continue;
          m.alertsEmitted.inc({ rule, severity: header(message, 'dw-severity') ?? '', status });
          // An instance's first firing only: its escalations, and a re-emission at level 1 on a severity change, are
          // the same detection again (the alerting processor marks the emission that raised it).
          if (header(message, 'dw-first-firing') === 'true') {
            const startsAt = Date.parse(header(message, 'dw-starts-at') ?? '');
            if (Number.isFinite(startsAt)) m.alertDetectionDelay.observe({ rule }, Math.max(0, now - startsAt) / 1000);
          }
        }
      }
      m.processingLatency.observe(undefined, ms / 1000);
    },
    committedWork: (pipeline, dropped) => {
      const counted = droppedCommitted.get(pipeline) ?? 0;
      if (dropped <= counted) return;
      m.sourcesDropped.inc(undefined, dropped - counted);
      droppedCommitted.set(pipeline, dropped);
    },
    observeEngine: (pipeline, _pending, watermark, now) => {
      // No watermark (no event yet, or an owned partition without one holds it back): no delay either. 0 would read
      // "keeping up" for an instance that has processed nothing, and the previous value would stand still.
      if (Number.isFinite(watermark)) m.watermarkDelay.set(undefined, Math.max(0, (now - watermark) / 1000));
      else m.watermarkDelay.reset();
      // From the state, not counted from changes: a restart or a rebalance restores open incidents this process never
      // saw open (counting from 0 read 0 with one open, then −1 once it resolved), and a revoked key takes its own away.
      m.incidentsOpen.set({ kind: 'state' }, pipeline.topology.stateDrift.openIncidents());
      m.incidentsOpen.set({ kind: 'determinism' }, pipeline.topology.determinism.openIncidents());
    },
    assigned: (assignment) => {
      m.rebalances.inc();
      for (const [topic, partitions] of Object.entries(assignment)) m.partitionsAssigned.set({ topic }, partitions.length);
    },
    unassigned: (inputTopics) => {
      for (const topic of inputTopics) m.partitionsAssigned.set({ topic }, 0);
    },
    groupMembers: (count) => m.groupMembers.set(undefined, count),
    departedShares: (count) => m.departedShares.set(undefined, count),
    lag: (topic, partition, records) => m.consumerLag.set({ topic, partition }, records),
    forgetLag: (topic, partition) => m.consumerLag.remove({ topic, partition }),
    storePending: (rows) => m.storePendingRows.set(undefined, rows),
    paused: (waiting) => m.consumerPaused.set(undefined, waiting ? 1 : 0),
  };
}

/** A header of a produced message as text (kafkajs takes strings or Buffers). */
function header(message: Message, name: string): string | undefined {
  const value = message.headers?.[name];
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? String(value[0]) : String(value);
}
