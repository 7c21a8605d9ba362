/**
 * The live metrics that were wrong in operation: open incidents were counted
 * from the changes this process saw (0 after a restart with one open, then
 * −1 once it resolved), and alerts emitted were never counted.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDriftwatchMetrics } from '../../../engine/metrics/driftwatch-metrics.js';
import { liveMetrics } from '../../../engine/live/live-metrics.js';
import { createPipeline } from '../../../engine/pipeline.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { fixturesDir } from '../../helpers/replay-fixture.js';

const pipelineOf = () => createPipeline({ processing: defaultProcessingOptions, alerts: defaultAlertsConfig(), writer: null, now: () => Date.parse('2026-11-28T00:00:00Z') });

describe('live metrics', () => {
  it('driftwatch_incidents_open is the open incidents of the state, also of state restored after a restart', () => {
    // rogue-version up to 11:06: i2 serves sha256:evil from 11:03, an open state incident of staging/web.
    const lines = readFileSync(join(fixturesDir, 'rogue-version.ndjson'), 'utf8').split('\n').slice(0, 7);
    const before = pipelineOf();
    lines.forEach((value, i) => before.push({ value, source: { line: i + 1 } }));
    expect(before.topology.stateDrift.openIncidents()).toBe(1);
    // A restarted process: a new pipeline with the key's state restored, no incident change seen by it.
    const after = pipelineOf();
    after.topology.stateDrift.restoreKey('staging/web', before.topology.stateDrift.snapshotKey('staging/web')!);
    const m = createDriftwatchMetrics();
    liveMetrics(m).observeEngine(after, 0, Number.NEGATIVE_INFINITY, 0);
    expect(m.registry.metrics()).toContain('driftwatch_incidents_open{kind="state"} 1\n');
    expect(m.registry.metrics()).toContain('driftwatch_incidents_open{kind="determinism"} 0\n');
  });

  it('driftwatch_alerts_emitted_total counts the alerts of a committed transaction by rule, severity and status', () => {
    const m = createDriftwatchMetrics();
    const alert = (status: string) => ({ value: '{}', headers: { 'dw-rule': 'drift_detected', 'dw-status': status, 'dw-severity': 'high', 'content-type': 'application/json' } });
    liveMetrics(m).committed(new Map([['driftwatch.alerts.v1', [alert('firing'), alert('firing'), alert('resolved')]], ['driftwatch.dlq.v1', [{ value: 'x', headers: { 'dw-error': 'bad' } }]]]), 3);
    const text = m.registry.metrics();
    expect(text).toContain('driftwatch_alerts_emitted_total{rule="drift_detected",severity="high",status="firing"} 2\n');
    expect(text).toContain('driftwatch_alerts_emitted_total{rule="drift_detected",severity="high",status="resolved"} 1\n');
    expect(text).not.toMatch(/driftwatch_alerts_emitted_total\{[^}]*bad/);
  });

  it('driftwatch_watermark_delay_seconds is absent while there is no watermark, not 0 ("no delay")', () => {
    const m = createDriftwatchMetrics();
    const live = liveMetrics(m);
    const delayLine = () => m.registry.metrics().split('\n').filter((l) => l.startsWith('driftwatch_watermark_delay_seconds'));
    expect(delayLine()).toEqual([]); // a process that processed nothing yet
    live.observeEngine(pipelineOf(), 0, Number.NEGATIVE_INFINITY, 10_000);
    expect(delayLine()).toEqual([]);
    expect(m.registry.snapshot().some((s) => s.name === 'driftwatch_watermark_delay_seconds')).toBe(false); // nor an engine_metrics row
    live.observeEngine(pipelineOf(), 0, 7_500, 10_000);
    expect(delayLine()).toEqual(['driftwatch_watermark_delay_seconds 2.5']);
    // A new assignment whose partitions have no event yet: no watermark again, and no stale delay either.
    live.observeEngine(pipelineOf(), 0, Number.NEGATIVE_INFINITY, 20_000);
    expect(delayLine()).toEqual([]);
  });
});
