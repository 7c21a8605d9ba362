/**
 * Once its producer is fenced (a twin with its DRIFTWATCH_INSTANCE_ID
 * started), an instance stops: /readyz must say so, not ready, and why.
 * It kept saying "joining the group / restoring state" for the second or
 * so before the process exited, as if it were about to serve. The runner
 * on the stand-in Kafka client, its /readyz served as `driftwatch run`
 * serves it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DuplicateInstanceError } from '../../../lib/errors.js';
import { hydration, NOW, startStandInRunner } from '../../helpers/stand-in-runner.js';
import { serveReadyz, type ReadyzOfRunner } from '../../helpers/readyz-of-runner.js';
import { producerFenced } from '../../integration/live/kafka-errors.js';

const T0 = NOW - 3_600_000;

let server: ReadyzOfRunner | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

describe('/readyz of a fenced instance', () => {
  it('says it is stopping because another instance runs with its id', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let fenced = false;
    const h = await startStandInRunner({ during: async () => (fenced ? Promise.reject(producerFenced()) : undefined) });
    server = await serveReadyz(h.runner);
    const readyz = server.readyz;
    const H = h.topics.hydration;
    await h.member.batch(H, 0, 0, [hydration('e0', T0)]);
    expect(await readyz()).toEqual([200, 'ready\n']);
    fenced = true; // a twin's producer connected: the next transaction is refused
    // Past the idle timeout and the commit interval: the next batch's commit is due, and fenced.
    h.clock.now += 11_000;
    await h.member.batch(H, 0, 1, [hydration('e1', T0 + 120_000)]);
    expect(await h.runner.failed).toBeInstanceOf(DuplicateInstanceError);
    const [status, body] = await readyz();
    expect(status).toBe(503);
    expect(body).toMatch(/^stopping: another instance runs with DRIFTWATCH_INSTANCE_ID=stand-in in consumer group \S+ \(its producer was fenced.*\); each instance needs a unique id\n$/);
    await h.runner.stop();
  });
});
