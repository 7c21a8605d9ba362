import { describe, it, expect } from 'vitest';
import { createDriftwatchMetrics } from '../../../engine/metrics/driftwatch-metrics.js';

describe('createDriftwatchMetrics', () => {
  it('declares every metric the live runner updates, with types and labels', () => {
    const m = createDriftwatchMetrics();
    const declared = [
      m.eventsIn, m.eventsOut, m.deadLettered, m.lateEvents, m.duplicateEvents, m.consumerLag, m.watermarkDelay,
      m.incidentsOpen, m.incidentChanges, m.alertsEmitted, m.processingLatency, m.storePendingRows, m.storeWriteFailures, m.storeWriteRetries,
      m.sourcesDropped, m.partitionsAssigned, m.consumerPaused, m.rebalances, m.groupMembers, m.departedShares,
    ].map((x) => `${x.type} ${x.name}{${x.labelNames.join(',')}}`);
    expect(declared).toEqual([
      'counter driftwatch_events_in_total{topic}',
      'counter driftwatch_events_out_total{topic}',
      'counter driftwatch_dead_lettered_total{topic,category}',
      'counter driftwatch_late_events_total{}',
      'counter driftwatch_duplicate_events_total{}',
      'gauge driftwatch_consumer_lag{topic,partition}',
      'gauge driftwatch_watermark_delay_seconds{}',
      'gauge driftwatch_incidents_open{kind}',
      'counter driftwatch_incident_changes_total{kind,change}',
      'counter driftwatch_alerts_emitted_total{rule,severity,status}',
      'histogram driftwatch_processing_latency_seconds{}',
      'gauge driftwatch_store_pending_rows{}',
      'counter driftwatch_store_write_failures_total{}',
      'counter driftwatch_store_write_retries_total{}',
      'counter driftwatch_sources_dropped_total{}',
      'gauge driftwatch_partitions_assigned{topic}',
      'gauge driftwatch_consumer_paused{}',
      'counter driftwatch_rebalances_total{}',
      'gauge driftwatch_group_members{}',
      'gauge driftwatch_departed_shares{}',
    ]);
    for (const x of declared) expect(x.split(' ')[1]).toMatch(/^driftwatch_/);
  });

  it('starts open incidents at 0 per kind and exposes updates', () => {
    const m = createDriftwatchMetrics();
    m.incidentsOpen.inc({ kind: 'state' });
    m.consumerLag.set({ topic: 'driftwatch.index.v1', partition: 3 }, 42);
    m.processingLatency.observe(undefined, 0.003);
    const text = m.registry.metrics();
    expect(text).toContain('driftwatch_incidents_open{kind="state"} 1\n');
    expect(text).toContain('driftwatch_incidents_open{kind="determinism"} 0\n');
    expect(text).toContain('driftwatch_consumer_lag{topic="driftwatch.index.v1",partition="3"} 42\n');
    expect(text).toContain('driftwatch_processing_latency_seconds_bucket{le="0.0025"} 0\n');
    expect(text).toContain('driftwatch_processing_latency_seconds_bucket{le="0.005"} 1\n');
    expect(text).toContain('driftwatch_late_events_total 0\n');
  });
});
