/**
 * Live mode with a producer whose clock is 2 min fast (within the 5 min
 * DRIFTWATCH_MAX_FUTURE_SKEW) on a partition with an honest producer: its
 * event moves the partition's watermark no further than the instance's wall
 * clock at arrival, so the honest events after it are not late; it waits in
 * the orderer until event time reaches its occurredAt, then is processed —
 * also when the partition goes quiet (event time at wall-clock speed from
 * the newest capped event time).
 *
 * On the stand-in Kafka client, its wall clock and idle ticks virtual.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hydration, moveWallClock, NOW, startStandInRunner, type StandInRunner } from '../../helpers/stand-in-runner.js';
import type { Fact } from '../../../processors/facts.js';

const FAST_BY = 120_000;

let h: StandInRunner;
let facts: Fact[];

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  facts = [];
  h = await startStandInRunner({ onFact: (f) => facts.push(f) });
});

afterEach(async () => {
  await h.runner.stop();
  vi.useRealTimers();
});

/** Moves the runner's wall clock and its idle ticks on by `ms`. */
const wallClock = (ms: number): Promise<void> => moveWallClock(h, ms);

const handled = (kind: 'event' | 'late') => facts.flatMap((f) => (f.kind === kind ? [f.envelope.event.eventId] : []));

/** Honest events at the wall clock, one a second for `seconds`; the fast producer's one at second 10. */
async function stream(seconds: number): Promise<void> {
  const H = h.topics.hydration;
  let offset = 0;
  for (let s = 1; s <= seconds; s++) {
    h.clock.now += 1000;
    const records = [hydration(`honest-${s}`, h.clock.now)];
    if (s === 10) records.push(hydration('fast', h.clock.now + FAST_BY, 'other'));
    await h.member.batch(H, 0, offset, records);
    offset += records.length;
  }
}

describe('live: a producer whose clock is fast, within the future-skew bound', () => {
  it('leaves the honest events on time; its own event is processed once event time reaches it, not late', async () => {
    await stream(240);
    expect(handled('late')).toEqual([]);
    // The frontier is one minute behind the wall clock (2 × 30 s lateness): at 180 s now, past the fast event's 130 s.
    expect(handled('event')).toContain('fast');
    expect(handled('event')).toContain('honest-170');
    expect(h.runner.counters().late).toBe(0);
  });

  it('when the producers stop, idle advance at wall-clock speed still releases the fast event', async () => {
    await stream(20);
    expect(handled('event')).not.toContain('fast');
    // Quiet from 20 s on: past the idle timeout (10 s), event time goes on at wall-clock speed from 20 s, so the
    // frontier (a minute behind) passes the fast event's 130 s once the clock is past 200 s.
    await wallClock(200_000);
    expect(handled('event')).toContain('fast');
    expect(handled('event')).toContain('honest-20');
    expect(handled('late')).toEqual([]);
  });
});
