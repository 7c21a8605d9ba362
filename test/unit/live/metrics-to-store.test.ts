import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDriftwatchMetrics } from '../../../engine/metrics/driftwatch-metrics.js';
import { startMetricsToStore, writeMetricsPoint, type MetricsToStoreOptions } from '../../../engine/live/metrics-to-store.js';
import { silentLogger } from '../../../lib/logger.js';

interface Point {
  name: string;
  value: number;
  labels: Record<string, string>;
  at: number;
}

function setup(overrides: Partial<MetricsToStoreOptions> = {}) {
  const m = createDriftwatchMetrics();
  m.consumerLag.set({ topic: 'driftwatch.index.v1', partition: 2 }, 42);
  m.watermarkDelay.set(undefined, 1.5);
  m.storePendingRows.set(undefined, 700);
  const points: Point[] = [];
  const writer = { writeMetric: (name: string, value: number, labels: Record<string, string> = {}, at = 0) => void points.push({ name, value, labels, at }) };
  const opts: MetricsToStoreOptions = {
    registry: m.registry,
    writer,
    intervalMs: 15_000,
    instanceId: 'engine-a',
    logger: silentLogger,
    now: () => Date.now(),
    processStats: () => ({ residentBytes: 123_000_000, cpuSeconds: 4.25, diskReadBytes: 1, diskWriteBytes: 2, networkReceiveBytes: 3, networkTransmitBytes: 4 }),
    ...overrides,
  };
  return { m, points, opts };
}

describe('engine metrics to the store (live mode)', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-12-05T12:00:00.000Z') }));
  afterEach(() => vi.useRealTimers());

  it('writes every registry sample without the driftwatch_ prefix, plus memory and CPU, each labelled with the instance', () => {
    const { points, opts } = setup();
    writeMetricsPoint(opts, 1000);
    const byName = (name: string) => points.filter((p) => p.name === name);
    expect(byName('consumer_lag')).toEqual([{ name: 'consumer_lag', value: 42, labels: { topic: 'driftwatch.index.v1', partition: '2', instance: 'engine-a' }, at: 1000 }]);
    expect(byName('watermark_delay_seconds')).toEqual([{ name: 'watermark_delay_seconds', value: 1.5, labels: { instance: 'engine-a' }, at: 1000 }]);
    expect(byName('store_pending_rows')[0]!.value).toBe(700);
    expect(byName('process_resident_memory_bytes')[0]!.value).toBe(123_000_000);
    expect(byName('process_cpu_seconds_total')[0]!.value).toBe(4.25);
    expect(points.every((p) => !p.name.startsWith('driftwatch_') && p.labels.instance === 'engine-a' && p.at === 1000)).toBe(true);
  });

  it('writes the disk and network counters under their names when the process has them, and leaves out those it has not', () => {
    const withIo = setup({ processStats: () => ({ residentBytes: 1, cpuSeconds: 1, diskReadBytes: 10, diskWriteBytes: 20, networkReceiveBytes: 30, networkTransmitBytes: 40 }) });
    writeMetricsPoint(withIo.opts, 1000);
    const io = withIo.points.filter((p) => /disk|network/.test(p.name)).map((p) => [p.name, p.value, p.labels.instance]);
    expect(io).toEqual([
      ['process_disk_read_bytes_total', 10, 'engine-a'],
      ['process_disk_write_bytes_total', 20, 'engine-a'],
      ['network_receive_bytes_total', 30, 'engine-a'],
      ['network_transmit_bytes_total', 40, 'engine-a'],
    ]);
    const partial = setup({ processStats: () => ({ residentBytes: 1, cpuSeconds: 1, diskWriteBytes: 20 }) });
    writeMetricsPoint(partial.opts, 1000);
    expect(partial.points.filter((p) => /disk|network/.test(p.name)).map((p) => p.name)).toEqual(['process_disk_write_bytes_total']);
  });

  it('writes a point every interval on the wall clock, and nothing after stop', () => {
    const { m, points, opts } = setup();
    const stop = startMetricsToStore(opts);
    vi.advanceTimersByTime(14_999);
    expect(points).toEqual([]);
    vi.advanceTimersByTime(1);
    m.watermarkDelay.set(undefined, 3);
    vi.advanceTimersByTime(15_000);
    const delays = points.filter((p) => p.name === 'watermark_delay_seconds').map((p) => [new Date(p.at).toISOString(), p.value]);
    expect(delays).toEqual([
      ['2026-12-05T12:00:15.000Z', 1.5],
      ['2026-12-05T12:00:30.000Z', 3],
    ]);
    stop();
    const before = points.length;
    vi.advanceTimersByTime(60_000);
    expect(points.length).toBe(before);
  });

  it('interval 0 writes nothing', () => {
    const { points, opts } = setup({ intervalMs: 0 });
    startMetricsToStore(opts);
    vi.advanceTimersByTime(3_600_000);
    expect(points).toEqual([]);
  });

  it('a failed writer is logged once, not at every point, and the timer goes on; recovery is logged', () => {
    const error = vi.fn();
    const info = vi.fn();
    let failing = true;
    const points: string[] = [];
    const writer = {
      writeMetric: (name: string) => {
        if (failing) throw new Error('store writer failed');
        points.push(name);
      },
    };
    const { opts } = setup({ writer, logger: { ...silentLogger, error, info } as unknown as MetricsToStoreOptions['logger'] });
    const stop = startMetricsToStore(opts);
    vi.advanceTimersByTime(30_000); // two failed points
    expect(error).toHaveBeenCalledTimes(1);
    failing = false;
    vi.advanceTimersByTime(15_000);
    expect(points.length).toBeGreaterThan(0);
    expect(info).toHaveBeenCalledWith(expect.objectContaining({ failures: 2 }), 'writing engine metrics to the store works again');
    stop();
  });

  it('writes every series the Operational Metrics dashboard reads', () => {
    const { points, opts } = setup();
    writeMetricsPoint(opts, 0);
    const dashboard = readFileSync(fileURLToPath(new URL('../../../deploy/grafana/dashboards/operational-metrics.json', import.meta.url)), 'utf8');
    const listed = [...dashboard.matchAll(/name IN \(([^)]*)\)/g)].flatMap((x) => [...x[1]!.matchAll(/'([a-z_]+)'/g)].map((y) => y[1]!));
    const read = [...new Set([...[...dashboard.matchAll(/name = '([a-z_]+)'/g)].map((x) => x[1]!), ...listed])].sort();
    expect(read).toContain('process_disk_write_bytes_total');
    expect(read.length).toBeGreaterThanOrEqual(5);
    const written = new Set(points.map((p) => p.name));
    expect(read.filter((name) => !written.has(name))).toEqual([]);
  });
});
