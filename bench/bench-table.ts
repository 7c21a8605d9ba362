/** Plain-text table of the benchmark results (the JSON file keeps every number). */
import type { WorkerResult } from './bench-types.js';

const num = new Intl.NumberFormat('en-US');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

export function resultsTable(runs: ReadonlyArray<WorkerResult & { size: string }>): string {
  const head = ['size', 'mode', 'records', 'seconds', 'records/s', 'main-thread CPU µs/rec', 'all-threads CPU µs/rec', 'peak RSS', 'peak heap', 'live heap', 'heap at start'];
  const perRecord = (ms: number | undefined, records: number) => (ms === undefined ? 'n/a' : ((ms * 1000) / records).toFixed(1));
  const rows = runs.map((r) => [
    r.size,
    r.mode,
    num.format(r.records),
    r.seconds.toFixed(1),
    num.format(Math.round(r.recordsPerSecond)),
    perRecord(r.cpu?.mainThreadMs, r.records),
    perRecord(r.cpu?.processMs, r.records),
    mb(r.peakRssBytes),
    mb(r.peakHeapUsedBytes),
    mb(r.peakLiveHeapBytes),
    mb(r.startHeapUsedBytes),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}
