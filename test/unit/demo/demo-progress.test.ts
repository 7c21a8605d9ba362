import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { ProgressReporter, progressLine } from '../../../engine/demo/demo-progress.js';
import { DemoTally } from '../../../engine/demo/demo-tally.js';
import { formatDuration } from '../../../engine/demo/demo-summary.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';

const T = Date.UTC(2026, 0, 5, 10, 0, 0);

function alert(over: Partial<AlertEvent>): AlertEvent {
  return {
    alertId: 'a1', fingerprint: 'fp1', rule: 'drift_detected', status: 'firing', severity: 'high', escalationLevel: 1,
    labels: { env: 'prod', artifact: 'api' }, annotations: { summary: 's', description: 'd' }, startsAt: new Date(T).toISOString(),
    emittedAt: new Date(T).toISOString(), ...over,
  } as AlertEvent;
}

describe('demo progress', () => {
  it('shows events, rate, event time, incidents and firing alerts by severity', () => {
    const tally = new DemoTally();
    tally.onFact({ kind: 'alert', at: T, alert: alert({}) });
    tally.onFact({ kind: 'alert', at: T + 1000, alert: alert({ fingerprint: 'fp2', severity: 'critical' }) });
    tally.onFact({ kind: 'alert', at: T + 2000, alert: alert({ fingerprint: 'fp2', severity: 'critical', status: 'resolved' }) });
    expect(progressLine({ records: 12345, perSecond: 5012.4, clock: tally.clock, tally })).toBe(
      'events 12,345 (5,012/s) | event time 2026-01-05 10:00:02Z | incidents open 0, resolved 0 | alerts firing 0 crit, 1 high, 0 med, 0 low',
    );
  });

  it('rewrites one line on a terminal, cut to its width, and ends on a new line', () => {
    let text = '';
    const stream = Object.assign(new Writable({ write: (c, _e, done) => ((text += String(c)), done()) }), { columns: 40 });
    let now = 0;
    let records = 0;
    const reporter = new ProgressReporter({ records: () => records, tally: new DemoTally() }, { stream, tty: true, intervalMs: 60_000, now: () => now });
    reporter.start();
    now = 1000;
    records = 100;
    reporter.tick();
    reporter.stop();
    const lines = text.split('\r').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('events 100 (100/s) | event time — | inc\x1b[K'); // 39 columns
    expect(text.endsWith('\n')).toBe(true);
  });

  it('formats durations for people', () => {
    expect([0, 850, 42_000, 372_000, 3_900_000].map(formatDuration)).toEqual(['0 ms', '850 ms', '42 s', '6 min 12 s', '1 h 05 min']);
  });
});
