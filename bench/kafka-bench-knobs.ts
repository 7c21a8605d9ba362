/**
 * The knobs of `npm run bench:kafka` (BENCH_* variables), read and checked
 * once before anything is produced, with the parsers of the engine's own
 * options: a bad value fails at once naming its knob. Before, `Number()` made
 * BENCH_EVENTS=1M a NaN that produced nothing, and a latency rate that was not
 * a number was dropped without a word. Documented in bench/README.md.
 */
import { ConfigError } from '../lib/errors.js';
import { p } from '../config/option-parsers.js';

export interface KafkaBenchKnobs {
  events: number;
  keys: number;
  partitions: number;
  latencySeconds: number;
  /** One latency run per rate (events/s); the first is the headline. */
  latencyRates: number[];
  /** Passed to the engine as DRIFTWATCH_ALLOWED_LATENESS / DRIFTWATCH_IDLE_TIMEOUT, as written. */
  lateness: string;
  idleTimeout: string;
  /** Where the engine writes a V8 CPU profile of the throughput run; null = none. */
  cpuProfDir: string | null;
  engineNodeArgs: string[];
}

/** Every BENCH_* knob: its default and its parser (which throws `expected …, got "…"`). */
const knobs = {
  events: { env: 'BENCH_EVENTS', default: '1000000', parse: p.positiveInteger },
  keys: { env: 'BENCH_KEYS', default: '200', parse: p.positiveInteger },
  partitions: { env: 'BENCH_PARTITIONS', default: '6', parse: p.partitionCount },
  latencySeconds: { env: 'BENCH_LATENCY_SECONDS', default: '30', parse: p.positiveInteger },
  latencyRates: { env: 'BENCH_LATENCY_RATES', default: '10000,2000', parse: rates },
  lateness: { env: 'BENCH_LATENESS', default: '200ms', parse: (t: string) => (p.eventDuration(t), t.trim()) },
  idleTimeout: { env: 'BENCH_IDLE_TIMEOUT', default: '300ms', parse: (t: string) => (p.timerDuration(t), t.trim()) },
  cpuProfDir: { env: 'BENCH_CPU_PROF', default: '', parse: (t: string) => (t.trim() === '' ? null : t.trim()) },
  engineNodeArgs: { env: 'BENCH_ENGINE_NODE_ARGS', default: '', parse: (t: string) => t.split(/\s+/).filter((a) => a !== '') },
} as const;

function rates(text: string): number[] {
  const items = text.split(',').map((r) => r.trim()).filter((r) => r !== '');
  if (items.length === 0) throw new Error(`expected comma-separated events per second such as 10000,2000, got "${text}"`);
  return items.map((r) => p.positiveInteger(r));
}

export function kafkaBenchKnobs(env: NodeJS.ProcessEnv): KafkaBenchKnobs {
  const values: Record<string, unknown> = {};
  for (const [name, knob] of Object.entries(knobs)) {
    const given = env[knob.env];
    try {
      values[name] = knob.parse(given === undefined || given === '' ? knob.default : given);
    } catch (err) {
      throw new ConfigError(knob.env, err instanceof Error ? err.message : String(err));
    }
  }
  return values as unknown as KafkaBenchKnobs;
}
