/**
 * From the moment a graceful stop begins (SIGTERM/SIGINT), /readyz must say
 * not ready, and why: a load balancer or a rolling update takes the answer
 * to mean "send traffic here" / "this replica is serving". It said 200
 * `ready` through the whole final commit and group leave, and once the flag
 * did drop at the very end it gave the start-up reason ("joining the group /
 * restoring state"), as if the instance were about to serve. The runner on
 * the stand-in Kafka client, its final commit held open by the test, its
 * /readyz served as `driftwatch run` serves it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hydration, NOW, startStandInRunner } from '../../helpers/stand-in-runner.js';
import { serveReadyz, type ReadyzOfRunner } from '../../helpers/readyz-of-runner.js';

const T0 = NOW - 3_600_000;

let server: ReadyzOfRunner | undefined;
afterEach(async () => {
  await server?.close();
  vi.useRealTimers();
});

describe('/readyz of an instance shutting down', () => {
  it('is 503 "shutting down" from the start of the stop, while the final commit runs, and after it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    // The final commit's transaction waits for the test to let it through.
    let hold = false;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const commitEntered = new Promise<void>((r) => (entered = r));
    const h = await startStandInRunner({
      during: async () => {
        if (!hold) return;
        entered();
        await held;
      },
    });
    server = await serveReadyz(h.runner);
    const { readyz } = server;
    await h.member.batch(h.topics.hydration, 0, 0, [hydration('e0', T0)]);
    expect(await readyz()).toEqual([200, 'ready\n']);

    hold = true;
    const stopped = h.runner.stop();
    await commitEntered; // the final commit is in flight
    expect(await readyz()).toEqual([503, 'shutting down\n']);
    release();
    expect(await stopped).toEqual({ clean: true });
    expect(await readyz()).toEqual([503, 'shutting down\n']);
  });
});
