/**
 * A pipeline that fails — a processor invariant, a store write that throws,
 * an alert the encoder rejects — stops for good. Replay hears of it from
 * `end()`; live mode never calls `end()`, so the pipeline reports it at once
 * (`onFailure`), and the live runner stops: `failed` settles (`driftwatch
 * run` exits 1 and its supervisor restarts it from the last commit), it is
 * no longer ready, it consumes nothing more and commits nothing more, and
 * its stop is not clean. It used to go on looking healthy: records taken as
 * consumed and never processed, nothing committed, /readyz ready.
 *
 * The runner on the stand-in Kafka client (a mock: the runner's own
 * decisions), with its wall clock virtual and its idle ticks not running.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPipeline } from '../../../engine/pipeline.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { hydration, NOW, startStandInRunner, undecodable } from '../../helpers/stand-in-runner.js';
import type { BatchRecord } from '../../helpers/stand-in-kafka.js';
import type { RawRecord } from '../../../processors/decode.js';
import { liveReadiness } from '../../../engine/live/readiness.js';

const T0 = NOW - 3_600_000;

function raw({ value, key }: BatchRecord, offset: number): RawRecord {
  return { value: Buffer.from(value), key: key === undefined ? null : Buffer.from(key), source: { topic: 't', partition: 0, offset: String(offset) } };
}

describe('createPipeline: a failure is reported once, at once', () => {
  it.each([
    // An error before the store (as a processor's): the rows accepted so far are stored first, then end() rejects.
    ['before the store', { onDeadLetter: () => { throw new Error('bad sink'); } }, [undecodable(), undecodable()]],
    // An error where facts are delivered (the store, onFact): end() rejects at once.
    ['where facts are delivered', { onFact: () => { throw new Error('bad sink'); } }, [hydration('e0', T0), hydration('e1', T0 + 120_000), hydration('e2', T0 + 240_000)]],
  ])('%s: onFailure when it happens, end() rejects with the same error', async (_, sink, records) => {
    const failures: unknown[] = [];
    const pipeline = createPipeline({ processing: defaultProcessingOptions, alerts: defaultAlertsConfig(), writer: null, now: () => NOW, ...sink, onFailure: (err) => failures.push(err) });
    records.forEach((r, i) => pipeline.push(raw(r, i)));
    expect(failures.map((e) => (e as Error).message)).toEqual(['bad sink']);
    await expect(pipeline.end()).rejects.toBe(failures[0]);
  });
});

describe('LiveRunner after its pipeline failed', () => {
  afterEach(() => vi.useRealTimers());

  it('reports the failure, is not ready, consumes and commits nothing more, and does not stop cleanly', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let poisoned = true;
    const h = await startStandInRunner({
      onFact: (fact) => {
        if (fact.kind === 'event' && poisoned) {
          poisoned = false;
          throw new Error('one bad fact');
        }
      },
    });
    const H = h.topics.hydration;
    const failed = h.runner.failed.then((err) => err);
    await h.member.batch(H, 0, 0, [hydration('e0', T0)]);
    expect(h.runner.ready).toBe(true);
    // Past the idle timeout (the other input partitions never had a record) and the commit interval: a commit is due.
    h.clock.now += 11_000;
    // e1 moves the frontier past e0, whose fact fails.
    await h.member.batch(H, 0, 1, [hydration('e1', T0 + 120_000)]);
    const failure = await Promise.race([failed, new Promise<null>((r) => setImmediate(() => r(null)))]);
    expect(failure?.message).toBe('processing failed: one bad fact');
    expect((failure?.cause as Error | undefined)?.message).toBe('one bad fact');
    expect(h.logs.filter((l) => l.level >= 50).map((l) => [l.msg?.split(':')[0], l.err?.message])).toContainEqual(['processing failed', 'one bad fact']);
    expect(h.runner.ready).toBe(false);
    expect(liveReadiness(h.runner, 'joining the group / restoring state')).toEqual({ ready: false, reason: 'stopping after a processing failure (see the log)' });
    // Later records are not taken in: they are read again after the restart.
    await h.member.batch(H, 0, 2, [hydration('e2', T0 + 240_000)]);
    expect(h.runner.counters().records).toBe(2);
    // Nothing of the failed engine is committed: not the due commit, not a final one.
    const stopped = await h.runner.stop();
    expect(stopped.clean).toBe(false);
    expect([...h.kafka.committedOffsets.keys()]).toEqual([]);
  });
});
