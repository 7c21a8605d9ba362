import { describe, it, expect } from 'vitest';
import { RegistryRetry, type RetryOptions } from '../../../schemas/registry/registry-retry.js';
import { SchemaRegistryError } from '../../../schemas/registry/registry-errors.js';

/** Virtual time: `sleep` advances the clock at once and records the wait. */
function virtualClock() {
  let t = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw new SchemaRegistryError('aborted', { canRetry: true });
      waits.push(ms);
      t += ms;
      await Promise.resolve();
    },
  };
}

/** A registry-like error as @kafkajs/confluent-schema-registry reports a refused connection. */
const refused = () => Object.assign(new Error('Confluent_Schema_Registry - Error, status 400: connect ECONNREFUSED 127.0.0.1:8081'), { status: 400 });
const notFound = () => Object.assign(new Error("Confluent_Schema_Registry - No content with ID '9' was found."), { status: 404 });

function retryWith(clock: ReturnType<typeof virtualClock>, options: RetryOptions = {}) {
  // random() = 0.5 → no jitter, so the schedule is exact.
  return new RegistryRetry({ sleep: clock.sleep, now: clock.now, random: () => 0.5, ...options });
}

describe('RegistryRetry', () => {
  it('waits out transient failures with exponential backoff, then returns the answer', async () => {
    const clock = virtualClock();
    const retry = retryWith(clock);
    let calls = 0;
    const value = await retry.run(async () => {
      calls++;
      if (calls <= 4) throw refused();
      return 'schema';
    });
    expect(value).toBe('schema');
    expect(calls).toBe(5);
    expect(clock.waits).toEqual([250, 500, 1000, 2000]);
    expect(retry.stats).toEqual({ outages: 1, retries: 4 });
    expect(retry.unavailable).toBe(false);
  });

  it('caps the wait at maxDelayMs and applies ± jitter', () => {
    const clock = virtualClock();
    const flat = retryWith(clock, { maxDelayMs: 30_000 });
    expect([1, 2, 8, 9, 20].map((n) => flat.delayMs(n))).toEqual([250, 500, 30_000, 30_000, 30_000]);
    const low = new RegistryRetry({ random: () => 0, jitter: 0.2 });
    const high = new RegistryRetry({ random: () => 1, jitter: 0.2 });
    expect(low.delayMs(3)).toBe(800); // 1000 − 20 %
    expect(high.delayMs(3)).toBe(1200); // 1000 + 20 %
  });

  it('does not retry a permanent error: the caller gets it at once', async () => {
    const clock = virtualClock();
    const retry = retryWith(clock);
    let calls = 0;
    await expect(
      retry.run(async () => {
        calls++;
        throw notFound();
      }),
    ).rejects.toThrow(/No content with ID '9'/);
    expect(calls).toBe(1);
    expect(clock.waits).toEqual([]);
  });

  it('ends the outage when the probe gets a permanent answer (the registry is back, that request is bad)', async () => {
    const clock = virtualClock();
    const retry = retryWith(clock);
    let calls = 0;
    await expect(
      retry.run(async () => {
        calls++;
        throw calls === 1 ? refused() : notFound();
      }),
    ).rejects.toThrow(/No content/);
    expect(calls).toBe(2);
    expect(retry.unavailable).toBe(false);
  });

  it('lets one caller probe while the others wait, so an outage is one request at a time', async () => {
    const clock = virtualClock();
    let down = true;
    // The registry comes back during the prober's third wait.
    const sleep = async (ms: number, signal?: AbortSignal) => {
      await clock.sleep(ms, signal);
      if (clock.waits.length === 3) down = false;
    };
    const retry = new RegistryRetry({ sleep, now: clock.now, random: () => 0.5 });
    const calls: string[] = [];
    const op = (name: string) => async () => {
      calls.push(name);
      if (down) throw refused();
      return name;
    };
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((n) => retry.run(op(n))));
    expect(results).toEqual(['a', 'b', 'c', 'd']);
    // Each caller tried once; only 'a' probed (after each of 3 waits); the others then ran once more.
    expect(calls.filter((c) => c === 'a')).toHaveLength(4);
    for (const other of ['b', 'c', 'd']) expect(calls.filter((c) => c === other)).toHaveLength(2);
    expect(clock.waits).toEqual([250, 500, 1000]);
    expect(retry.stats).toEqual({ outages: 1, retries: 3 });
  });

  it('gives up after maxElapsedMs with a retryable SchemaRegistryError, for the prober and every waiter', async () => {
    const clock = virtualClock();
    const retry = retryWith(clock, { maxElapsedMs: 2_000 });
    const op = async () => {
      throw refused();
    };
    const outcomes = await Promise.allSettled([retry.run(op), retry.run(op)]);
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      const err = (o as PromiseRejectedResult).reason as SchemaRegistryError;
      expect(err).toBeInstanceOf(SchemaRegistryError);
      expect(err.canRetry).toBe(true);
      expect(err.message).toMatch(/schema registry unavailable for 2 s \(\d+ retries\), giving up: .*ECONNREFUSED/);
      expect(err.message).toContain('(4 retries)');
    }
    // 250 + 500 + 1000 = 1750, and the last wait is cut to the deadline (250 instead of 2000).
    expect(clock.waits).toEqual([250, 500, 1000, 250]);
  });

  it('stops waiting when the signal is aborted', async () => {
    const clock = virtualClock();
    const controller = new AbortController();
    const retry = retryWith(clock, { signal: controller.signal });
    let calls = 0;
    const pending = retry.run(async () => {
      calls++;
      if (calls === 3) controller.abort();
      throw refused();
    });
    await expect(pending).rejects.toThrow(/aborted/);
    expect(calls).toBe(3);
  });
});
