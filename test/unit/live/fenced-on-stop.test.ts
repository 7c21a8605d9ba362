/**
 * An instance whose producer is fenced while it stops (a twin with its
 * DRIFTWATCH_INSTANCE_ID started meanwhile) says why in its log: `driftwatch
 * run` reports a DuplicateInstanceError only when it wins the race with the
 * stop request, so once stopping the runner is the only one left to say it.
 * It used to stop without a word on the cause (the commit scheduler hands
 * fencing to the runner, and the runner leaves the line to run).
 */
import { describe, expect, it } from 'vitest';
import { hydration, NOW, startStandInRunner } from '../../helpers/stand-in-runner.js';
import { kafkaProtocolError } from '../../helpers/stand-in-kafka.js';

const fencingError = () => kafkaProtocolError('PRODUCER_FENCED', 'The producer has been fenced');

describe('fenced during the final commit', () => {
  it('logs the duplicate instance id once and stops unclean', async () => {
    let fenced = false;
    const h = await startStandInRunner({ during: async () => (fenced ? Promise.reject(fencingError()) : undefined) });
    await h.member.batch(h.topics.hydration, 0, 0, [hydration('e1', NOW - 60_000)]);
    fenced = true; // a twin's producer connected: the next transaction is refused
    const { clean } = await h.runner.stop();
    expect(clean).toBe(false);
    const lines = h.logs.filter((l) => /another instance runs with DRIFTWATCH_INSTANCE_ID=stand-in/.test(l.msg ?? ''));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe(50);
  });
});
