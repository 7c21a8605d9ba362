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
import { alertMessage } from '../../../engine/live/output-messages.js';
import { createPipeline } from '../../../engine/pipeline.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { fixturesDir } from '../../helpers/replay-fixture.js';
import { Changelog, T, advance, at, commit, iso, push, startGeneration } from './rebalance-harness.js';

const pipelineOf = () => createPipeline({ processing: defaultProcessingOptions, alerts: defaultAlertsConfig(), writer: null, now: () => Date.parse('2026-11-28T00:00:00Z') });

describe('live metrics', () => {
  it('driftwatch_group_members is absent until the group was described (0 members read as a fact before the first join)', () => {
    const m = createDriftwatchMetrics();
    const members = () => m.registry.metrics().split('\n').filter((l) => l.startsWith('driftwatch_group_members'));
    expect(members()).toEqual([]);
    liveMetrics(m).groupMembers(2);
    expect(members()).toEqual(['driftwatch_group_members 2']);
  });

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
    liveMetrics(m).committed(new Map([['driftwatch.alerts.v1', [alert('firing'), alert('firing'), alert('resolved')]], ['driftwatch.dlq.v1', [{ value: 'x', headers: { 'dw-error': 'bad' } }]]]), 3, 0);
    const text = m.registry.metrics();
    expect(text).toContain('driftwatch_alerts_emitted_total{rule="drift_detected",severity="high",status="firing"} 2\n');
    expect(text).toContain('driftwatch_alerts_emitted_total{rule="drift_detected",severity="high",status="resolved"} 1\n');
    expect(text).not.toMatch(/driftwatch_alerts_emitted_total\{[^}]*bad/);
  });

  it('driftwatch_alert_detection_delay_seconds observes first firings only: commit wall time minus startsAt, by rule', () => {
    const m = createDriftwatchMetrics();
    const startsAt = '2026-12-06T10:00:00.000Z';
    const committedAt = Date.parse(startsAt) + 90_000; // read by alert consumers 90 s after the drift began
    const alert = (rule: string, status: string, level: number, starts = startsAt) =>
      alertMessage(
        {
          alertId: `${rule}-${status}-${level}`, fingerprint: rule, rule, status: status as 'firing' | 'resolved', severity: 'high', escalationLevel: level,
          labels: { env: 'prod', artifact: 'api' }, annotations: { summary: 's', description: 'd' }, startsAt: starts, emittedAt: startsAt,
        },
        status === 'firing' && level === 1,
      );
    liveMetrics(m).committed(
      new Map([
        [
          'driftwatch.alerts.v1',
          [
            alert('drift_detected', 'firing', 1),
            alert('drift_detected', 'firing', 2), // an escalation: not a detection
            alert('drift_detected', 'resolved', 2),
            alert('rollback_failed', 'firing', 1, '2026-12-06T10:05:00.000Z'), // a producer clock ahead of ours: 0, not negative
          ],
        ],
      ]),
      5,
      committedAt,
    );
    const lines = m.registry.metrics().split('\n').filter((l) => l.startsWith('driftwatch_alert_detection_delay_seconds'));
    expect(lines).toContain('driftwatch_alert_detection_delay_seconds_count{rule="drift_detected"} 1');
    expect(lines).toContain('driftwatch_alert_detection_delay_seconds_sum{rule="drift_detected"} 90');
    expect(lines).toContain('driftwatch_alert_detection_delay_seconds_bucket{rule="drift_detected",le="60"} 0');
    expect(lines).toContain('driftwatch_alert_detection_delay_seconds_bucket{rule="drift_detected",le="120"} 1');
    expect(lines).toContain('driftwatch_alert_detection_delay_seconds_sum{rule="rollback_failed"} 0');
    expect(lines).toContain('driftwatch_alert_detection_delay_seconds_count{rule="rollback_failed"} 1');
  });

  it('driftwatch_alert_detection_delay_seconds counts an instance once when it is re-emitted at level 1 (a severity change)', async () => {
    // Instance A fires drift_detected for prod/api (high) at 10:03 and commits; restarted with alerts.yaml making the
    // rule critical, it re-raises the restored instance at 10:04 — still level 1 (age 1 min < 5 min) — with the new
    // severity. One detection: the re-emission counted as a second first firing.
    const log = new Changelog();
    const index = (id: string, hms: string, instance: string, digest: string) =>
      ({ type: 'index', eventId: id, occurredAt: iso(hms), env: 'prod', artifact: 'api', op: 'read', instance, servedDigest: digest, latencyMs: 3, status: 'ok' });
    const a = await startGeneration(log, 'A', [0]);
    push(a, T.promotion, 0, 0, { type: 'promotion', eventId: 'p', occurredAt: iso('10:00:00'), env: 'prod', artifact: 'api', promotionId: 'p-1', phase: 'succeeded', version: '2', digest: 'sha256:d1' });
    push(a, T.index, 0, 0, index('i1', '10:03:00', 'i1', 'sha256:zz')); // after the first desired state's grace: drift
    advance(a, '10:03:30');
    const first = await commit(a, log, 'A');
    const critical = defaultAlertsConfig();
    critical.rules.drift_detected.severity = 'critical';
    const a2 = await startGeneration(log, 'A', [0], 2, critical);
    push(a2, T.index, 0, 1, index('i2', '10:04:00', 'i2', 'sha256:yy')); // a second divergent source: the incident is updated
    advance(a2, '10:04:30');
    const second = await commit(a2, log, 'A');

    const emitted = [...first, ...second].flatMap(([, messages]) => messages.map((msg) => msg.headers ?? {}));
    expect(emitted.map((h) => [h['dw-rule'], h['dw-status'], h['dw-severity'], h['dw-escalation-level']])).toEqual([
      ['drift_detected', 'firing', 'high', '1'],
      ['drift_detected', 'firing', 'critical', '1'],
    ]);
    const m = createDriftwatchMetrics();
    liveMetrics(m).committed(first, 5, at('10:04:00'));
    liveMetrics(m).committed(second, 5, at('10:05:00'));
    const lines = m.registry.metrics().split('\n').filter((l) => l.startsWith('driftwatch_alert_detection_delay_seconds'));
    expect(lines).toContain('driftwatch_alert_detection_delay_seconds_count{rule="drift_detected"} 1');
    expect(lines).toContain('driftwatch_alert_detection_delay_seconds_sum{rule="drift_detected"} 60'); // the first: committed 60 s after 10:03
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

  it('driftwatch_sources_dropped_total counts the sources dropped past DRIFTWATCH_MAX_SOURCES_PER_KEY, also across a new generation', () => {
    const index = (i: number) =>
      JSON.stringify({ type: 'index', eventId: `ix-${i}`, occurredAt: new Date(Date.parse('2026-11-27T11:01:00Z') + i).toISOString(), env: 'staging', artifact: 'web', op: 'read', instance: `r-${i}`, servedDigest: 'sha256:w5', latencyMs: 8, status: 'ok' });
    const boundedPipeline = () =>
      createPipeline({ processing: { ...defaultProcessingOptions, maxSourcesPerKey: 3 }, alerts: defaultAlertsConfig(), writer: null, now: () => Date.parse('2026-11-28T00:00:00Z') });
    const m = createDriftwatchMetrics();
    const live = liveMetrics(m);
    const dropped = () => m.registry.metrics().split('\n').filter((l) => l.startsWith('driftwatch_sources_dropped_total'));
    expect(dropped()).toEqual(['driftwatch_sources_dropped_total 0']);
    const first = boundedPipeline();
    for (let i = 0; i < 5; i++) first.push({ value: index(i), source: { line: i + 1 } }); // 3 kept, 2 dropped
    first.advanceTo(Date.parse('2026-11-27T11:02:00Z')); // releases them to the processors
    live.observeEngine(first, 0, Number.NEGATIVE_INFINITY, 0);
    expect(dropped()).toEqual(['driftwatch_sources_dropped_total 0']); // counted once committed (sources-dropped-committed.test.ts)
    live.committedWork(first, first.topology.stateDrift.sourcesDropped);
    live.committedWork(first, first.topology.stateDrift.sourcesDropped); // committed again: not counted twice
    expect(dropped()).toEqual(['driftwatch_sources_dropped_total 2']);
    // A rebalance's new engine counts from 0: its drops add to the total, which never goes back.
    const second = boundedPipeline();
    for (let i = 0; i < 4; i++) second.push({ value: index(i), source: { line: i + 1 } }); // 1 dropped
    second.advanceTo(Date.parse('2026-11-27T11:02:00Z'));
    live.committedWork(second, second.topology.stateDrift.sourcesDropped);
    expect(dropped()).toEqual(['driftwatch_sources_dropped_total 3']);
  });
});
