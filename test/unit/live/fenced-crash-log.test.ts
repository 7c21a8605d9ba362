/**
 * Fencing that reaches the runner through a consumer crash (the restore's
 * marker transaction in a batch is refused: a twin with this
 * DRIFTWATCH_INSTANCE_ID took the transactional id) is one cause, said once:
 * as the duplicate instance id, by `driftwatch run` (the runner's `failed`).
 * The runner used to log the generic "consumer crashed" error first, so an
 * operator saw two errors for it. Every other crash keeps that line. The
 * runner on the stand-in Kafka client; kafkajs's CRASH as it reports it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DuplicateInstanceError } from '../../../lib/errors.js';
import { hydration, NOW, startStandInRunner } from '../../helpers/stand-in-runner.js';
import { groupCoordinatorNotFound, producerFenced } from '../../integration/live/kafka-errors.js';

const T0 = NOW - 3_600_000;

afterEach(() => vi.useRealTimers());

describe('a consumer crash', () => {
  it('caused by fencing is left to the duplicate-instance line: no "consumer crashed" error before it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const h = await startStandInRunner({ during: async () => Promise.reject(producerFenced()) });
    // The batch's restore is fenced, eachBatch throws, and kafkajs reports the crash (not retriable: no restart).
    const thrown = await h.member.batch(h.topics.hydration, 0, 0, [hydration('e0', T0)]).then(() => null, (err: unknown) => err as Error);
    expect(thrown).not.toBeNull();
    h.member.crash(thrown!);
    expect(await h.runner.failed).toBeInstanceOf(DuplicateInstanceError);
    expect(h.logs.filter((l) => l.msg === 'consumer crashed')).toEqual([]);
    expect(h.logs.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
    await h.runner.stop();
  });

  it('nor does fencing met by an idle tick (its restore) log "idle tick failed" before it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const h = await startStandInRunner({ during: async () => Promise.reject(producerFenced()) });
    vi.advanceTimersByTime(250); // a member with no record yet restores its state on the tick
    expect(await h.runner.failed).toBeInstanceOf(DuplicateInstanceError);
    expect(h.logs.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
    await h.runner.stop();
  });

  it('of any other cause still logs "consumer crashed" with its error', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const h = await startStandInRunner();
    h.member.crash(groupCoordinatorNotFound());
    expect(h.logs.filter((l) => l.msg === 'consumer crashed').map((l) => [l.level, l.err?.message])).toEqual([[50, expect.stringContaining('Failed to find group coordinator')]]);
    await h.runner.stop();
  });
});
