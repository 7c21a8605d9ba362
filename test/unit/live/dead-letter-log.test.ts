/**
 * Mass dead letters show in the log: a producer whose clock runs a day ahead
 * has every event dead-lettered as future_time, and nothing but a counter
 * said so. One warn line per minute at most sums them up by category and
 * source topic, with an example and its correlationId.
 *
 * The runner on the stand-in Kafka client, its wall clock virtual and its
 * idle ticks (which write the line) on fake timers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hydration, NOW, startStandInRunner, undecodable, type StandInRunner } from '../../helpers/stand-in-runner.js';
import { DEAD_LETTER_LOG_INTERVAL_MS } from '../../../engine/live/dead-letter-log.js';

const DAY = 86_400_000;

/** `n` hydrations dated a day ahead of the runner's clock (a producer whose clock is wrong), with a correlationId. */
function fromTomorrow(n: number, first = 0) {
  return Array.from({ length: n }, (_, i) => {
    const record = hydration(`f-${first + i}`, NOW + DAY);
    return { key: record.key, value: JSON.stringify({ ...JSON.parse(String(record.value)), correlationId: `corr-${first + i}` }) };
  });
}

const summaries = (h: StandInRunner) => h.logs.filter((l) => /records dead-lettered/.test(l.msg ?? '')) as unknown as Array<Record<string, unknown>>;

/** One idle tick (every 250 ms), with the runner's clock moved by as much. */
async function tick(h: StandInRunner, ms = 250): Promise<void> {
  h.clock.now += ms;
  await vi.advanceTimersByTimeAsync(ms);
}

describe('live mode logs dead letters, at most once a minute', () => {
  afterEach(() => vi.useRealTimers());

  it('a burst of 10 000 is one line with the counts; a later burst another line once the interval has passed', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const h = await startStandInRunner();
    await tick(h);
    expect(summaries(h)).toEqual([]); // nothing dead-lettered: no line

    await h.member.batch(h.topics.hydration, 0, 0, fromTomorrow(9_999));
    await h.member.batch(h.topics.promotion, 0, 0, [undecodable()]);
    await tick(h);
    await tick(h);
    expect(summaries(h)).toHaveLength(1);
    const first = summaries(h)[0]!;
    expect(first).toMatchObject({
      level: 40,
      deadLetters: 10_000,
      counts: { future_time: { [h.topics.hydration]: 9_999 }, invalid_encoding: { [h.topics.promotion]: 1 } },
      dlqTopic: h.topics.dlq,
      example: { category: 'future_time', topic: h.topics.hydration, partition: 0, offset: '0', correlationId: 'corr-0' },
    });
    expect(String((first.example as { reason: string }).reason)).toMatch(/DRIFTWATCH_MAX_FUTURE_SKEW/);

    // A second burst within the minute waits for it; then one line with that burst only.
    await h.member.batch(h.topics.hydration, 0, 9_999, fromTomorrow(500, 9_999));
    for (let t = 500; t < DEAD_LETTER_LOG_INTERVAL_MS; t += 250) await tick(h);
    expect(summaries(h)).toHaveLength(1);
    await tick(h);
    expect(summaries(h)).toHaveLength(2);
    expect(summaries(h)[1]).toMatchObject({ deadLetters: 500, counts: { future_time: { [h.topics.hydration]: 500 } }, example: { correlationId: 'corr-9999' } });

    // Nothing more dead-lettered: no more lines, however long it runs.
    for (let t = 0; t < 3 * DEAD_LETTER_LOG_INTERVAL_MS; t += 5_000) await tick(h, 5_000);
    expect(summaries(h)).toHaveLength(2);
    await h.runner.stop();
  });

  it('the dead letters since the last line are summed up when the instance stops, not dropped', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const h = await startStandInRunner();
    await h.member.batch(h.topics.hydration, 0, 0, fromTomorrow(10));
    await tick(h);
    expect(summaries(h)).toHaveLength(1);
    await h.member.batch(h.topics.hydration, 0, 10, fromTomorrow(7, 10));
    await tick(h); // within the minute: held for the next line
    await h.runner.stop();
    expect(summaries(h)).toHaveLength(2);
    expect(summaries(h)[1]).toMatchObject({ deadLetters: 7, example: { correlationId: 'corr-10' } });
  });
});
