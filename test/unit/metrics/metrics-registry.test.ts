import { describe, it, expect } from 'vitest';
import { MetricsRegistry } from '../../../engine/metrics/metrics-registry.js';
import { escapeHelp, escapeLabelValue, formatValue } from '../../../engine/metrics/exposition.js';

describe('MetricsRegistry exposition (text format 0.0.4)', () => {
  it('renders counters and gauges with HELP, TYPE and labels in declared order', () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: 'dw_events_total', help: 'Events.', labelNames: ['topic', 'partition'] });
    const g = r.gauge({ name: 'dw_open', help: 'Open things.' });
    c.inc({ partition: 2, topic: 'a' });
    c.inc({ topic: 'a', partition: 2 }, 4);
    c.inc({ topic: 'b', partition: 0 });
    g.set(undefined, 3);
    g.dec();
    expect(r.metrics()).toBe(
      [
        '# HELP dw_events_total Events.',
        '# TYPE dw_events_total counter',
        'dw_events_total{topic="a",partition="2"} 5',
        'dw_events_total{topic="b",partition="0"} 1',
        '# HELP dw_open Open things.',
        '# TYPE dw_open gauge',
        'dw_open 2',
        '',
      ].join('\n'),
    );
  });

  it('shows an unlabeled metric at 0 before any update, and a labeled one only once it has a series', () => {
    const r = new MetricsRegistry();
    r.counter({ name: 'a_total', help: 'A.' });
    r.counter({ name: 'b_total', help: 'B.', labelNames: ['x'] });
    expect(r.metrics()).toBe('# HELP a_total A.\n# TYPE a_total counter\na_total 0\n# HELP b_total B.\n# TYPE b_total counter\n');
  });

  it('renders histograms as cumulative buckets with +Inf, _sum and _count', () => {
    const r = new MetricsRegistry();
    const h = r.histogram({ name: 'lat_seconds', help: 'Latency.', labelNames: ['op'], buckets: [1, 0.1] });
    h.observe({ op: 'w' }, 0.05); // <= 0.1
    h.observe({ op: 'w' }, 0.1); // <= 0.1 (le is inclusive)
    h.observe({ op: 'w' }, 0.5); // <= 1
    h.observe({ op: 'w' }, 7); // +Inf only
    expect(r.metrics()).toBe(
      [
        '# HELP lat_seconds Latency.',
        '# TYPE lat_seconds histogram',
        'lat_seconds_bucket{op="w",le="0.1"} 2',
        'lat_seconds_bucket{op="w",le="1"} 3',
        'lat_seconds_bucket{op="w",le="+Inf"} 4',
        'lat_seconds_sum{op="w"} 7.65',
        'lat_seconds_count{op="w"} 4',
        '',
      ].join('\n'),
    );
  });

  it('escapes HELP text and label values, and spells special values the Prometheus way', () => {
    expect(escapeHelp('a\\b\nc "q"')).toBe('a\\\\b\\nc "q"');
    expect(escapeLabelValue('a\\b\n"c"')).toBe('a\\\\b\\n\\"c\\"');
    expect([NaN, Infinity, -Infinity, 1.5, 0].map(formatValue)).toEqual(['NaN', '+Inf', '-Inf', '1.5', '0']);
    const r = new MetricsRegistry();
    r.gauge({ name: 'g', help: 'line1\nline2', labelNames: ['v'] }).set({ v: 'say "hi"\n' }, Infinity);
    expect(r.metrics()).toBe('# HELP g line1\\nline2\n# TYPE g gauge\ng{v="say \\"hi\\"\\n"} +Inf\n');
  });

  it('removes one series and resets all', () => {
    const r = new MetricsRegistry();
    const lag = r.gauge({ name: 'lag', help: 'Lag.', labelNames: ['partition'] });
    lag.set({ partition: 0 }, 5);
    lag.set({ partition: 1 }, 7);
    lag.remove({ partition: 0 });
    expect(r.metrics()).toContain('lag{partition="1"} 7');
    expect(r.metrics()).not.toContain('partition="0"');
    lag.reset();
    expect(r.metrics()).toBe('# HELP lag Lag.\n# TYPE lag gauge\n');
  });

  it('runs beforeCollect hooks on every scrape and survives a failing hook', () => {
    const r = new MetricsRegistry();
    const g = r.gauge({ name: 'delay_seconds', help: 'Delay.' });
    let now = 10;
    r.beforeCollect(() => {
      throw new Error('boom');
    });
    const off = r.beforeCollect(() => g.set(undefined, now));
    expect(r.metrics()).toContain('delay_seconds 10');
    now = 12;
    expect(r.snapshot()).toEqual([{ name: 'delay_seconds', labels: {}, value: 12 }]);
    off();
    now = 99;
    expect(r.metrics()).toContain('delay_seconds 12');
  });

  it('snapshots histograms as _sum and _count', () => {
    const r = new MetricsRegistry();
    r.histogram({ name: 'h', help: 'H.', buckets: [1] }).observe(undefined, 2);
    expect(r.snapshot()).toEqual([
      { name: 'h_sum', labels: {}, value: 2 },
      { name: 'h_count', labels: {}, value: 1 },
    ]);
  });

  it('rejects wrong labels, decreasing counters, bad names and clashing declarations', () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: 'c_total', help: 'C.', labelNames: ['topic'] });
    expect(() => c.inc({ topik: 'a' } as never)).toThrow('c_total takes labels [topic], got {topik}');
    expect(() => c.inc({ topic: 'a', extra: 1 } as never)).toThrow(/takes labels/);
    expect(() => c.inc({ topic: 'a' }, -1)).toThrow(/only increases/);
    expect(() => r.counter({ name: 'c_total', help: 'again' })).toThrow(/clashes/);
    expect(() => r.gauge({ name: '1bad', help: 'x' })).toThrow(/invalid metric name/);
    expect(() => r.gauge({ name: 'ok', help: 'x', labelNames: ['__reserved'] })).toThrow(/invalid label name/);
    expect(() => r.histogram({ name: 'h2', help: 'x', labelNames: ['le'] })).toThrow(/reserved/);
    r.histogram({ name: 'req', help: 'x' });
    expect(() => r.counter({ name: 'req_count', help: 'x' })).toThrow(/clashes with the already declared req/);
  });
});
