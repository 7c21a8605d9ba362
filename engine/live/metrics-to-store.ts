/**
 * Live mode: the engine's own metrics as rows of `engine_metrics`, every
 * `intervalMs`, so the Operational Metrics dashboard (deploy/grafana) and
 * analysts see lag, watermark delay, memory, CPU and store backlog over time
 * — Prometheus scrapes /metrics only where one runs, and keeps what it
 * scrapes in its own retention.
 *
 * Each point is the registry's snapshot (every sample, histograms as _sum and
 * _count) named without the `driftwatch_` prefix (the table holds nothing
 * else), plus the process's resident memory and CPU seconds under their
 * usual Prometheus names, and its disk and network byte counters where /proc
 * gives them (process-io.ts). Every row carries the `instance` label, so the
 * members of a group write separate series. Writing a point is cheap and
 * synchronous (StoreWriter.writeMetric buffers); a writer that has failed
 * throws, which is logged without flooding (RepeatedFailureLog) and does not
 * stop the timer — the engine's own failure handling restarts from the last commit.
 */
import type { MetricsRegistry } from '../metrics/metrics-registry.js';
import type { StoreWriter } from '../../store/store-writer.js';
import type { Logger } from '../../lib/logger.js';
import { RepeatedFailureLog } from '../../lib/repeated-failure-log.js';
import { currentProcessIo, type ProcessIo } from './process-io.js';

export interface ProcessStats extends ProcessIo {
  residentBytes: number;
  cpuSeconds: number;
}

export interface MetricsToStoreOptions {
  registry: MetricsRegistry;
  writer: Pick<StoreWriter, 'writeMetric'>;
  intervalMs: number;
  instanceId: string;
  logger: Logger;
  /** Injected in tests. */
  now?: () => number;
  processStats?: () => ProcessStats;
}

const PREFIX = 'driftwatch_';

function currentProcessStats(): ProcessStats {
  const cpu = process.cpuUsage();
  return { residentBytes: process.memoryUsage.rss(), cpuSeconds: (cpu.user + cpu.system) / 1e6, ...currentProcessIo() };
}

/** The counters of process-io.ts under their Prometheus-style names (node_exporter's for the network). */
const ioMetrics: ReadonlyArray<[keyof ProcessIo, string]> = [
  ['diskReadBytes', 'process_disk_read_bytes_total'],
  ['diskWriteBytes', 'process_disk_write_bytes_total'],
  ['networkReceiveBytes', 'network_receive_bytes_total'],
  ['networkTransmitBytes', 'network_transmit_bytes_total'],
];

/** Writes one point of every metric at `at`. */
export function writeMetricsPoint(opts: MetricsToStoreOptions, at: number): number {
  const instance = { instance: opts.instanceId };
  let rows = 0;
  for (const s of opts.registry.snapshot()) {
    const name = s.name.startsWith(PREFIX) ? s.name.slice(PREFIX.length) : s.name;
    opts.writer.writeMetric(name, s.value, { ...s.labels, ...instance }, at);
    rows++;
  }
  const stats = (opts.processStats ?? currentProcessStats)();
  opts.writer.writeMetric('process_resident_memory_bytes', stats.residentBytes, instance, at);
  opts.writer.writeMetric('process_cpu_seconds_total', stats.cpuSeconds, instance, at);
  rows += 2;
  for (const [field, name] of ioMetrics) {
    const value = stats[field];
    if (value === undefined) continue;
    opts.writer.writeMetric(name, value, instance, at);
    rows++;
  }
  return rows;
}

/** Starts the periodic writes; the returned function stops them (and writes nothing more). */
export function startMetricsToStore(opts: MetricsToStoreOptions): () => void {
  if (opts.intervalMs <= 0) return () => {};
  const now = opts.now ?? Date.now;
  const failures = new RepeatedFailureLog(opts.logger, 'writing engine metrics to the store', 30_000, now);
  const timer = setInterval(() => {
    try {
      writeMetricsPoint(opts, now());
      failures.succeeded();
    } catch (err) {
      failures.failed(err);
    }
  }, opts.intervalMs);
  // A metrics timer must never keep a stopping process alive.
  timer.unref();
  return () => clearInterval(timer);
}
