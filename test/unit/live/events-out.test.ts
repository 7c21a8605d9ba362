/**
 * driftwatch_events_out_total says it counts the records produced to every
 * output topic — "alerts, DLQ, changelog" — but the state changelog, most of
 * what a commit produces, and the markers of each restore, were never
 * counted: an operator sizing the changelog topic, or comparing the
 * instance's produce rate with the broker's, read 0 for it. Every committed
 * transaction's records, by topic, as the (stand-in) broker received them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDriftwatchMetrics } from '../../../engine/metrics/driftwatch-metrics.js';
import { liveMetrics } from '../../../engine/live/live-metrics.js';
import { loadConfig } from '../../../config/env-config.js';
import { hydration, NOW, startStandInRunner, undecodable, type StandInRunner } from '../../helpers/stand-in-runner.js';

let h: StandInRunner | undefined;
afterEach(async () => {
  await h?.runner.stop();
  h = undefined;
});

describe('driftwatch_events_out_total', () => {
  it('counts every record of a committed transaction by its topic: dead letters and the state changelog', async () => {
    const m = createDriftwatchMetrics();
    h = await startStandInRunner({ metrics: liveMetrics(m) });
    await h.member.batch(h.topics.hydration, 0, 0, [hydration('e0', NOW - 3_600_000), undecodable()]);
    expect(await h.runner.stop()).toEqual({ clean: true });

    const counted = new Map(
      m.registry
        .metrics()
        .split('\n')
        .flatMap((l) => {
          const hit = /^driftwatch_events_out_total\{topic="([^"]+)"\} (\d+)$/.exec(l);
          return hit ? [[hit[1]!, Number(hit[2])] as const] : [];
        }),
    );
    const produced = new Map([...h.kafka.produced].map(([topic, messages]) => [topic, messages.length] as const));
    expect(produced.get(h.topics.dlq)).toBe(1);
    expect(produced.get(loadConfig({}).kafka.internalTopics.stateChangelog)).toBeGreaterThan(0);
    expect(counted).toEqual(produced);
  });
});
