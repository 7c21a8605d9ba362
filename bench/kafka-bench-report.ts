/** The Kafka benchmark's table (stdout) and quantiles. */
import { quantileOfSorted } from '../lib/quantiles.js';

/** Nearest-rank quantile of ascending values (the project's definition, lib/quantiles.ts); null when there are none. */
export function quantile(sorted: readonly number[], q: number): number | null {
  return quantileOfSorted(sorted, q) ?? null;
}

interface Report {
  load: { records: number; keys: number; partitions: number; produceMs: number };
  throughput: {
    engineEventsPerSec: number;
    rawEventsPerSec: number;
    ratio: number;
    target: number;
    rawParsedEventsPerSec: number;
    ratioToParsed: number;
    engine: { ms: number; startupMs: number; lateEvents: number; commits: number; mainThreadUsPerRecord: number | null; processUsPerRecord: number | null };
    raw: { ms: number; mainThreadUsPerRecord: number | null };
    rawParsed: { ms: number; mainThreadUsPerRecord: number | null };
  };
  latency: {
    allowedLateness: string;
    idleTimeout: string;
    runs: Array<{ ratePerSec: number; injected: number; fired: number; lateEvents: number; commits: number; mainThreadUsPerRecord: number | null; p50Ms: number | null; p99Ms: number | null; maxMs: number | null }>;
    defaultLatenessFloorMs: number;
  };
}

const fmt = (n: number | null, unit = '') => (n === null ? 'n/a' : `${Math.round(n).toLocaleString('en-US')}${unit}`);

export function printTable(r: Report): void {
  const t = r.throughput;
  const l = r.latency;
  const rows: Array<[string, string]> = [
    ['load', `${fmt(r.load.records)} records, ${r.load.keys} keys, ${r.load.partitions} partitions (produced in ${fmt(r.load.produceMs, ' ms')})`],
    ['(a) engine, input → committed offsets', `${fmt(t.engineEventsPerSec, ' events/s')} (${fmt(t.engine.ms, ' ms')} from group join; start-up ${fmt(t.engine.startupMs, ' ms')}; late events ${t.engine.lateEvents})`],
    ['    engine CPU per record', `main thread ${t.engine.mainThreadUsPerRecord ?? 'n/a'} µs, all threads ${t.engine.processUsPerRecord ?? 'n/a'} µs (${fmt(t.engine.commits)} commits)`],
    ['(b) raw kafkajs consumer', `${fmt(t.rawEventsPerSec, ' events/s')} (${fmt(t.raw.ms, ' ms')}; main thread ${t.raw.mainThreadUsPerRecord ?? 'n/a'} µs per record)`],
    ['(a)/(b)', `${t.ratio.toFixed(2)} (target ≥ ${t.target})${t.ratio >= t.target ? '' : '  BELOW TARGET'}`],
    ["(b') raw consumer + JSON.parse", `${fmt(t.rawParsedEventsPerSec, ' events/s')} (${fmt(t.rawParsed.ms, ' ms')}; main thread ${t.rawParsed.mainThreadUsPerRecord ?? 'n/a'} µs per record); (b')/(b) ${(t.rawParsedEventsPerSec / t.rawEventsPerSec).toFixed(2)}, (a)/(b') ${t.ratioToParsed.toFixed(2)}`],
    ...l.runs.map((run): [string, string] => [
      `(c) drift-alert latency @ ${fmt(run.ratePerSec, '/s')}`,
      `p50 ${fmt(run.p50Ms, ' ms')}, p99 ${fmt(run.p99Ms, ' ms')}, max ${fmt(run.maxMs, ' ms')} (${run.fired}/${run.injected} alerted, ${run.lateEvents} late events; ${fmt(run.commits)} commits, engine main thread ${run.mainThreadUsPerRecord ?? 'n/a'} µs per record; DRIFTWATCH_ALLOWED_LATENESS=${l.allowedLateness}, DRIFTWATCH_IDLE_TIMEOUT=${l.idleTimeout})`,
    ]),
    ['    with the default lateness (30s)', `≥ ${fmt(l.defaultLatenessFloorMs, ' ms')} by design: an event is judged once the frontier (newest − 2 × lateness) passes it`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');
}
