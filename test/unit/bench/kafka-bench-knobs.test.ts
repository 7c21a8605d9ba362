/**
 * bench:kafka's knobs (BENCH_*): each has a default and a bad value fails at
 * once naming the knob — not a NaN that produces nothing, or a latency rate
 * dropped without a word.
 */
import { describe, it, expect } from 'vitest';
import { kafkaBenchKnobs } from '../../../bench/kafka-bench-knobs.js';
import { configErrorOf } from '../../helpers/config-error.js';

describe('kafkaBenchKnobs', () => {
  it('gives the documented defaults', () => {
    expect(kafkaBenchKnobs({})).toEqual({
      events: 1_000_000,
      keys: 200,
      partitions: 6,
      latencySeconds: 30,
      latencyRates: [10_000, 2_000],
      lateness: '200ms',
      idleTimeout: '300ms',
      cpuProfDir: null,
      engineNodeArgs: [],
    });
  });

  it('reads the values it is given', () => {
    expect(
      kafkaBenchKnobs({
        BENCH_EVENTS: '5000',
        BENCH_KEYS: '10',
        BENCH_PARTITIONS: '2',
        BENCH_LATENCY_SECONDS: '5',
        BENCH_LATENCY_RATES: '500',
        BENCH_LATENESS: '1s',
        BENCH_IDLE_TIMEOUT: '2s',
        BENCH_CPU_PROF: '/tmp/prof',
        BENCH_ENGINE_NODE_ARGS: ' --max-semi-space-size=64  --trace-gc ',
      }),
    ).toEqual({
      events: 5000,
      keys: 10,
      partitions: 2,
      latencySeconds: 5,
      latencyRates: [500],
      lateness: '1s',
      idleTimeout: '2s',
      cpuProfDir: '/tmp/prof',
      engineNodeArgs: ['--max-semi-space-size=64', '--trace-gc'],
    });
  });

  it.each([
    ['BENCH_EVENTS', '1M'],
    ['BENCH_KEYS', '0'],
    ['BENCH_PARTITIONS', '-1'],
    ['BENCH_LATENCY_SECONDS', 'half a minute'],
    ['BENCH_LATENCY_RATES', '10k,2000'],
    ['BENCH_LATENCY_RATES', ','],
    ['BENCH_LATENESS', 'soon'],
    ['BENCH_IDLE_TIMEOUT', '0'],
  ])('%s=%s fails naming the knob', (knob, value) => {
    const err = configErrorOf(() => kafkaBenchKnobs({ [knob]: value }));
    expect(err.option).toBe(knob);
    expect(err.message).toMatch(new RegExp(`^${knob}: expected `));
  });
});
