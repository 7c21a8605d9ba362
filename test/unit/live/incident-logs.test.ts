/**
 * Live mode logs each incident change and each alert it emits, with the
 * correlation id of the evidence: what an SRE greps the logs for (the README
 * says the logs carry correlation ids; no line did).
 *
 * The runner on the stand-in Kafka client (a mock: the runner's own
 * decisions), with its wall clock virtual and its idle ticks not running.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hydration, NOW, startStandInRunner } from '../../helpers/stand-in-runner.js';

const T0 = NOW - 3_600_000;

function promotion(eventId: string, at: number, phase: 'started' | 'succeeded', digest: string) {
  const event = { type: 'promotion', eventId, occurredAt: new Date(at).toISOString(), env: 'prod', artifact: 'app', promotionId: 'p1', phase, version: '1.0.0', digest };
  return { key: 'prod/app', value: JSON.stringify(event) };
}

describe('live mode logs incidents and alerts', () => {
  afterEach(() => vi.useRealTimers());

  it('an incident opened, with the correlation id of the observation that made the key drift, and its alert', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const h = await startStandInRunner();
    // prod/app is promoted to sha256:d1; the hydration source keeps rendering sha256:aa past the grace period.
    await h.member.batch(h.topics.promotion, 0, 0, [promotion('p-s', T0, 'started', 'sha256:d1'), promotion('p-ok', T0 + 1000, 'succeeded', 'sha256:d1')]);
    const drifting = { ...JSON.parse(String(hydration('h1', T0 + 600_000).value)), correlationId: 'corr-42' };
    await h.member.batch(h.topics.hydration, 0, 0, [{ key: 'prod/app', value: JSON.stringify(drifting) }, hydration('h2', T0 + 1_200_000)]);
    h.clock.now += 11_000; // past the idle timeout of the partitions without records
    await h.member.batch(h.topics.hydration, 0, 2, [hydration('h3', T0 + 1_800_000)]);
    const opened = h.logs.find((l) => l.msg === 'incident opened');
    expect(opened).toMatchObject({ kind: 'state', env: 'prod', artifact: 'app', correlationId: 'corr-42' });
    expect(h.logs.find((l) => l.msg === 'alert firing: drift_detected')).toMatchObject({ status: 'firing', correlationId: 'corr-42' });
    await h.runner.stop();
  });
});
