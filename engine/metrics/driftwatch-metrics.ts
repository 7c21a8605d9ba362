/**
 * Every metric the engine exposes, declared in one place so names, help and
 * labels are reviewed together and dashboards can rely on them. The live
 * runner updates the handles; nothing here reads a clock.
 *
 * Label values stay bounded: topics and partitions the member owns, incident
 * kinds, alert rule names and severities. Never put event ids, keys or error
 * messages in a label.
 */
import { MetricsRegistry } from './metrics-registry.js';
import type { Counter, Gauge, Histogram } from './metric-types.js';

/** Seconds; from 1 ms (a batch handled in memory) to 2 min (a store outage being retried). */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * Seconds from an alert's start to its first firing committed: SPEC's KPI is
 * "drift detected < 5 min" (300 s); detection in live mode normally takes the
 * allowed lateness plus a batch, and hours after a backlog or an outage.
 */
export const DETECTION_DELAY_BUCKETS: readonly number[] = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 21600];

export const INCIDENT_KINDS = ['state', 'determinism'] as const;

export interface DriftwatchMetrics {
  registry: MetricsRegistry;
  /** driftwatch_events_in_total{topic}: records consumed from an input topic (before decoding). */
  eventsIn: Counter<'topic'>;
  /** driftwatch_events_out_total{topic}: records produced to an output topic (alerts, DLQ, the state changelog with its restore markers). */
  eventsOut: Counter<'topic'>;
  /** driftwatch_dead_lettered_total{topic,category}: input records sent to the DLQ, by source topic and kind of rejection (DeadLetterCategory). */
  deadLettered: Counter<'topic' | 'category'>;
  /** driftwatch_late_events_total: events older than the frontier on arrival (stored, counted; windowed only while their own window is still open). */
  lateEvents: Counter;
  /** driftwatch_duplicate_events_total: events dropped because the same event (eventId and content) was already processed. */
  duplicateEvents: Counter;
  /**
   * driftwatch_consumer_lag{topic,partition}: the partition's end offset minus this instance's next offset to consume,
   * read from the broker every DRIFTWATCH_LAG_INTERVAL and at each assignment, for every owned partition (none other).
   */
  consumerLag: Gauge<'topic' | 'partition'>;
  /** driftwatch_watermark_delay_seconds: wall clock minus the combined event-time watermark; absent while there is none. */
  watermarkDelay: Gauge;
  /** driftwatch_incidents_open{kind}: incidents currently open (state, determinism). */
  incidentsOpen: Gauge<'kind'>;
  /** driftwatch_incident_changes_total{kind,change}: incident lifecycle transitions (opened, resolved, ...). */
  incidentChanges: Counter<'kind' | 'change'>;
  /** driftwatch_alerts_emitted_total{rule,severity,status}: alert events produced. */
  alertsEmitted: Counter<'rule' | 'severity' | 'status'>;
  /**
   * driftwatch_alert_detection_delay_seconds{rule}: wall clock at the commit of an alert's first firing (escalation
   * level 1) minus its `startsAt` — how long after its condition began (event time, the producers' clocks) an alert
   * consumer could read it. The seed's "drift detected < 5 min" KPI in wall time; 0 when a producer's clock runs ahead.
   */
  alertDetectionDelay: Histogram<'rule'>;
  /** driftwatch_processing_latency_seconds: wall time from fetching a batch to committing its offsets. */
  processingLatency: Histogram;
  /** driftwatch_store_pending_rows: rows buffered or in flight to the store. */
  storePendingRows: Gauge;
  /** driftwatch_store_write_failures_total: store batches that failed after every retry. */
  storeWriteFailures: Counter;
  /** driftwatch_store_write_retries_total: store inserts that failed with a retryable error and were scheduled again (a server outage shows here). */
  storeWriteRetries: Counter;
  /**
   * driftwatch_sources_dropped_total: new hydration/index sources not kept, or kept in another's place, because their
   * key held DRIFTWATCH_MAX_SOURCES_PER_KEY (processors/state-drift/source-bound.ts) — a producer inventing replica names.
   * Counted at commit (live-metrics.ts committedWork): work redone after a failed or abandoned commit counts once.
   */
  sourcesDropped: Counter;
  /** driftwatch_partitions_assigned: input partitions (per topic) this member owns. */
  partitionsAssigned: Gauge<'topic'>;
  /** driftwatch_consumer_paused: 1 while consumption is paused for backpressure (store unavailable, or records waiting for the schema registry), else 0. */
  consumerPaused: Gauge;
  /** driftwatch_rebalances_total: partition assignments received by this member. */
  rebalances: Counter;
  /** driftwatch_group_members: members of the consumer group at this member's latest assignment. */
  groupMembers: Gauge;
  /** driftwatch_departed_shares: per-env shares of instances no longer in the group that this member runs on until they retire. */
  departedShares: Gauge;
}

/** Declares every driftwatch metric on `registry` (a fresh one by default). */
export function createDriftwatchMetrics(registry: MetricsRegistry = new MetricsRegistry()): DriftwatchMetrics {
  const metrics: DriftwatchMetrics = {
    registry,
    eventsIn: registry.counter({ name: 'driftwatch_events_in_total', help: 'Records consumed from an input topic, before decoding.', labelNames: ['topic'] }),
    eventsOut: registry.counter({ name: 'driftwatch_events_out_total', help: 'Records produced to an output topic (alerts, DLQ, the state changelog with its restore markers).', labelNames: ['topic'] }),
    deadLettered: registry.counter({ name: 'driftwatch_dead_lettered_total', help: 'Input records sent to the dead-letter topic, by source topic and category (invalid_encoding, empty, invalid_event, wrong_topic, wrong_key, wrong_partition, future_time, before_epoch, too_large, reused_event_id).', labelNames: ['topic', 'category'] }),
    lateEvents: registry.counter({ name: 'driftwatch_late_events_total', help: 'Events older than the event-time frontier on arrival (stored and counted; windowed only while their own window is still open).' }),
    duplicateEvents: registry.counter({ name: 'driftwatch_duplicate_events_total', help: 'Events skipped because the same event (same eventId, same content) was already processed.' }),
    consumerLag: registry.gauge({ name: 'driftwatch_consumer_lag', help: 'Records of an owned input partition past this instance\'s position (end offset minus next offset to consume), read from the broker every DRIFTWATCH_LAG_INTERVAL.', labelNames: ['topic', 'partition'] }),
    watermarkDelay: registry.gauge({
      name: 'driftwatch_watermark_delay_seconds',
      help: 'Wall clock minus the combined event-time watermark of the owned partitions; absent while there is no watermark (no event yet).',
      absentUntilSet: true,
    }),
    incidentsOpen: registry.gauge({ name: 'driftwatch_incidents_open', help: 'Drift incidents currently open, by kind.', labelNames: ['kind'] }),
    incidentChanges: registry.counter({ name: 'driftwatch_incident_changes_total', help: 'Incident lifecycle transitions, by kind and change.', labelNames: ['kind', 'change'] }),
    alertsEmitted: registry.counter({ name: 'driftwatch_alerts_emitted_total', help: 'Alert events produced, by rule, severity and status.', labelNames: ['rule', 'severity', 'status'] }),
    alertDetectionDelay: registry.histogram({
      name: 'driftwatch_alert_detection_delay_seconds',
      help: "Wall time from an alert's startsAt (when its condition began, in event time) to the commit of its first firing, by rule; the seed's KPI is under 300 s.",
      labelNames: ['rule'],
      buckets: DETECTION_DELAY_BUCKETS,
    }),
    processingLatency: registry.histogram({ name: 'driftwatch_processing_latency_seconds', help: 'Wall time from fetching a batch to committing its offsets.', buckets: LATENCY_BUCKETS }),
    storePendingRows: registry.gauge({ name: 'driftwatch_store_pending_rows', help: 'Rows buffered or in flight to the store.' }),
    storeWriteFailures: registry.counter({ name: 'driftwatch_store_write_failures_total', help: 'Store batches that failed after every retry.' }),
    storeWriteRetries: registry.counter({
      name: 'driftwatch_store_write_retries_total',
      help: 'Store inserts that failed with a retryable error (server unreachable, overloaded, 5xx) and were scheduled again; rising while the store is down.',
    }),
    sourcesDropped: registry.counter({
      name: 'driftwatch_sources_dropped_total',
      help: 'New hydration/index sources not kept, or kept in the place of another, because their key held DRIFTWATCH_MAX_SOURCES_PER_KEY sources (a producer inventing replica names). Counted once committed: work redone after a failed commit counts once.',
    }),
    partitionsAssigned: registry.gauge({ name: 'driftwatch_partitions_assigned', help: 'Input partitions this member owns, per topic.', labelNames: ['topic'] }),
    consumerPaused: registry.gauge({ name: 'driftwatch_consumer_paused', help: '1 while consumption is paused for backpressure (store unavailable, or records waiting for the schema registry), else 0.' }),
    rebalances: registry.counter({ name: 'driftwatch_rebalances_total', help: 'Partition assignments received by this member.' }),
    groupMembers: registry.gauge({
      name: 'driftwatch_group_members',
      help: 'Members of the consumer group at the latest assignment (absent before the first); above 1, env-level rollups are per-member shares (README: Known limits).',
      absentUntilSet: true, // 0 before the first join read as "no member", not as "not known yet"
    }),
    departedShares: registry.gauge({
      name: 'driftwatch_departed_shares',
      help: 'Per-env shares of instances no longer in the group that this member (the owner of partition 0) runs on until nothing in them can change.',
    }),
  };
  // Known label values start at 0, so dashboards show "0 open" rather than "no data".
  for (const kind of INCIDENT_KINDS) metrics.incidentsOpen.set({ kind }, 0);
  return metrics;
}
