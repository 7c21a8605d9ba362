import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { runDemo, type DemoOptions } from '../../../engine/demo/demo-runner.js';
import { formatDemoSummary, summarizeDemo } from '../../../engine/demo/demo-summary.js';
import { progressLine } from '../../../engine/demo/demo-progress.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { silentLogger } from '../../../lib/logger.js';
import type { DemoTransportFactory } from '../../../engine/demo/demo-transport.js';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
  return { stream, text: () => text };
}

const base: DemoOptions = {
  scenario: { seed: 1, spanMs: 2 * 3_600_000 },
  processing: defaultProcessingOptions,
  alerts: defaultAlertsConfig(),
  logger: silentLogger,
  storeDir: null,
  rate: 0,
  progress: null,
};

describe('runDemo', () => {
  it('runs the scenario through the pipeline and finds every injected incident', async () => {
    const progress = sink();
    const { run, summary } = await runDemo({ ...base, progress: { stream: progress.stream, tty: false, intervalMs: 60_000 } });
    expect(run.interrupted).toBe(false);
    expect(run.pipeline.events).toBe(run.generator.events);
    expect(summary.match.expected).toBeGreaterThanOrEqual(5);
    expect(summary.match.matched).toHaveLength(summary.match.expected);
    expect(summary.match.unexpected).toEqual([]);
    expect(summary.detectionOk).toBe(true);
    expect(summary.mttr.find((m) => m.scope === 'all')!.open).toBe(0);
    expect(summary.alerts.map((a) => a.rule)).toEqual(expect.arrayContaining(['drift_detected', 'hydration_nondeterminism', 'rollback_failed']));
    const text = formatDemoSummary(run, summary);
    expect(text).toMatch(/all found, none unexpected/);
    expect(text).toMatch(/within the 5 min requirement/);
    expect(text).not.toMatch(/driftwatch query/); // no store, nothing to query
    // Not a terminal: plain lines (the final one at least), no carriage returns.
    expect(progress.text()).toMatch(/^events [\d,]+ \(.*incidents open 0, resolved \d+/m);
    expect(progress.text()).not.toContain('\r');
  });

  it('sends through the given transport, and stops cleanly when aborted', async () => {
    const stop = new AbortController();
    let batches = 0;
    const transport: DemoTransportFactory = (pipeline) => ({
      name: 'test',
      async send(records) {
        batches++;
        for (const r of records) pipeline.push({ value: r.value, key: r.key });
        if (batches === 3) stop.abort();
      },
      async flush() {},
      async close() {},
    });
    const { run, summary } = await runDemo({ ...base, transport, signal: stop.signal });
    expect(run.interrupted).toBe(true);
    expect(run.transport).toBe('test');
    expect(run.generator.records).toBe(1500); // three chunks of 500
    expect(summary.match.unexpected).toEqual([]);
    expect(formatDemoSummary(run, summary)).toMatch(/stopped by signal/);
  });

  it('stopped before any episode: says that nothing was injected before the stop, not that all was found', async () => {
    const stop = new AbortController();
    stop.abort();
    const { run, summary } = await runDemo({ ...base, signal: stop.signal });
    expect(summary.match.expected).toBe(0);
    const text = formatDemoSummary(run, summary);
    expect(text.split('\n').filter((l) => l.startsWith('Incidents:'))).toEqual(['Incidents: none injected before the stop, 0 found']);
    expect(text).not.toMatch(/all found/);
  });

  it('lists the alerts still firing at the end, as many as the last progress line counts', async () => {
    const { run } = await runDemo(base);
    const firingAlert = (i: number, severity: AlertEvent['severity']): AlertEvent => ({
      alertId: `a${i}`, fingerprint: `fp-extra-${i}`, rule: 'snapshot_not_verified', status: 'firing', severity, escalationLevel: 0,
      labels: { env: 'prod', artifact: `art-${String(i).padStart(2, '0')}` }, annotations: { summary: 's', description: 'd' },
      startsAt: new Date(run.tally.clock).toISOString(), emittedAt: new Date(run.tally.clock).toISOString(),
    });
    run.tally.onFact({ kind: 'alert', at: run.tally.clock, alert: firingAlert(0, 'critical') });
    for (let i = 1; i <= 11; i++) run.tally.onFact({ kind: 'alert', at: run.tally.clock, alert: firingAlert(i, 'high') });
    const summary = summarizeDemo(run);
    const text = formatDemoSummary(run, summary);
    const f = run.tally.firingBySeverity();
    const total = f.critical + f.high + f.medium + f.low;
    expect(total).toBeGreaterThanOrEqual(12);
    // The progress line and the summary count the same alerts.
    expect(progressLine({ records: 0, perSecond: 0, clock: run.tally.clock, tally: run.tally })).toContain(`alerts firing ${f.critical} crit, ${f.high} high, ${f.medium} med, ${f.low} low`);
    expect(text).toContain(`Still firing at the end: ${total} (${f.critical} critical, ${f.high} high, ${f.medium} medium, ${f.low} low)\n`);
    // Highest severity first, with rule, env/artifact and severity; at most 10 listed, the rest counted.
    const listed = text.split('Still firing at the end:')[1]!.split('\n').slice(1).filter((l) => l.startsWith('  '));
    expect(listed[0]).toBe('  snapshot_not_verified prod/art-00 critical');
    expect(listed).toHaveLength(11);
    expect(listed[10]).toBe(`  … and ${total - 10} more`);
  });

  it('says when no alert is firing at the end', async () => {
    const { run } = await runDemo(base);
    for (const a of run.tally.alertInstances()) a.resolved = true;
    expect(formatDemoSummary(run, summarizeDemo(run))).toContain('Still firing at the end: none\n');
  });

  it('says clearly when an injected incident was missed', async () => {
    const { run } = await runDemo(base);
    const lost = run.tally.incidents.incidents()[0]!;
    const tampered = { ...run, injected: [...run.injected, { ...run.injected[0]!, id: 'inj-99', startsAt: lost.startedAt + 1 }] };
    const summary = summarizeDemo(tampered);
    expect(summary.match.missed.map((m) => m.injected.id)).toEqual(['inj-99']);
    expect(formatDemoSummary(tampered, summary)).toMatch(/1 MISSED[\s\S]*MISSED inj-99 .* expected start/);
  });
});
