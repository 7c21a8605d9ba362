/**
 * An instance that cannot reach its broker is not ready. Seen live: through a
 * broker outage /readyz stayed 200 for the ≈ 2 minutes kafkajs retried before
 * its consumer crashed, and driftwatch_consumer_lag kept its last values as
 * if they were current. Now no answer of the broker (fetch, heartbeat, join,
 * lag read, changelog fetch, transaction commit) for
 * DRIFTWATCH_SESSION_TIMEOUT (30 s by default) makes /readyz 503 and takes
 * the lag series away, until the broker answers again. The
 * runner on the stand-in Kafka client, on a virtual clock; its idle ticks
 * (which report the transition) on fake intervals.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hydration, NOW, startStandInRunner, type StandInRunner } from '../../helpers/stand-in-runner.js';
import { serveReadyz, type ReadyzOfRunner } from '../../helpers/readyz-of-runner.js';
import { createDriftwatchMetrics } from '../../../engine/metrics/driftwatch-metrics.js';
import { liveMetrics } from '../../../engine/live/live-metrics.js';

const T0 = NOW - 3_600_000;
const UNREACHABLE_31S = 'broker unreachable: no fetch, heartbeat, join, lag read, changelog fetch or transaction commit answered for 31s (more than DRIFTWATCH_SESSION_TIMEOUT=30s)\n';

let h: StandInRunner | undefined;
let server: ReadyzOfRunner | undefined;
afterEach(async () => {
  await server?.close();
  await h?.runner.stop();
  h = server = undefined;
  vi.useRealTimers();
});

async function start() {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  const m = createDriftwatchMetrics();
  h = await startStandInRunner({ metrics: liveMetrics(m) });
  server = await serveReadyz(h.runner);
  const lagSeries = () => m.registry.metrics().split('\n').filter((l) => l.startsWith('driftwatch_consumer_lag{'));
  await h.member.batch(h.topics.hydration, 0, 0, [hydration('e0', T0)]);
  expect(await server.readyz()).toEqual([200, 'ready\n']);
  await vi.waitFor(() => expect(lagSeries()).toHaveLength(3)); // one partition of each input topic, read at the join
  return { h, readyz: server.readyz, lagSeries };
}

/** A rebalance: the next idle tick restores, and the changelog reader reads nothing committed until `release`. */
function rejoinWithReaderHeld(h: StandInRunner) {
  const reader = h.kafka.consumers.find((c) => c.groupId.includes('.changelog-reader.'))!;
  const release = reader.hold();
  h.member.rebalance();
  h.member.join({ [h.topics.promotion]: [0], [h.topics.hydration]: [0], [h.topics.index]: [0] });
  return { reader, release };
}

describe('/readyz and consumer lag while the broker does not answer', () => {
  it('503 once nothing was answered for longer than the session timeout, the lag series gone; back at the next answer', async () => {
    const { h, readyz, lagSeries } = await start();
    h.kafka.unreachable = true;
    h.clock.now += 30_000;
    await vi.advanceTimersByTimeAsync(250);
    expect(await readyz()).toEqual([200, 'ready\n']); // a session timeout of silence is still within the bound
    expect(lagSeries()).toHaveLength(3);

    h.clock.now += 1_000;
    expect(await readyz()).toEqual([503, UNREACHABLE_31S]);
    await vi.advanceTimersByTimeAsync(250); // the idle tick reports it: said once, and the lag is not current any more
    expect(lagSeries()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.logs.filter((l) => l.msg?.startsWith('no answer from the broker'))).toHaveLength(1);

    h.kafka.unreachable = false;
    h.member.fetched();
    expect(await readyz()).toEqual([200, 'ready\n']);
    await vi.waitFor(() => expect(lagSeries()).toHaveLength(3)); // read again at once, not at the next interval
    expect(h.logs.filter((l) => l.msg === 'the broker answers again')).toHaveLength(1);
  });

  it('heartbeats alone (a batch held by backpressure fetches nothing) keep the instance ready', async () => {
    const { h, readyz } = await start();
    for (let i = 0; i < 4; i++) {
      h.clock.now += 20_000;
      h.member.beat();
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(await readyz()).toEqual([200, 'ready\n']);
  });

  it('a restore that reads the changelog for longer than the session timeout: its fetches are the broker answering', async () => {
    const { h, readyz, lagSeries } = await start();
    // The changelog reader has a long way to go before it reads the restore's marker. The group member fetches
    // nothing meanwhile; the reader does.
    const { reader, release } = rejoinWithReaderHeld(h);
    await vi.advanceTimersByTimeAsync(250);
    for (let i = 0; i < 4; i++) {
      h.clock.now += 10_000;
      reader.fetched();
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(await readyz()).toEqual([503, 'joining the group / restoring state\n']);
    expect(h.logs.filter((l) => l.msg?.startsWith('no answer from the broker'))).toEqual([]);
    expect(lagSeries()).toHaveLength(3);

    await release();
    await vi.waitFor(async () => expect(await readyz()).toEqual([200, 'ready\n']));
  });

  it('a committed transaction is the broker answering (the restore\'s marker, before the reader fetched anything)', async () => {
    const { h, readyz } = await start();
    const { release } = rejoinWithReaderHeld(h);
    await new Promise((resolve) => setImmediate(resolve)); // the lag read at the join answers now
    h.clock.now += 20_000;
    const committed = h.kafka.stats.committed;
    await vi.advanceTimersByTimeAsync(250); // the restore starts: its marker is committed
    expect(h.kafka.stats.committed).toBe(committed + 1);
    h.clock.now += 20_000;
    await vi.advanceTimersByTimeAsync(250);
    expect(await readyz()).toEqual([503, 'joining the group / restoring state\n']);
    expect(h.logs.filter((l) => l.msg?.startsWith('no answer from the broker'))).toEqual([]);
    await release();
    await vi.waitFor(async () => expect(await readyz()).toEqual([200, 'ready\n']));
  });

  it('a failed lag read takes the lag series away instead of leaving the last values', async () => {
    const { h, lagSeries } = await start();
    h.kafka.unreachable = true;
    await vi.advanceTimersByTimeAsync(15_000); // DRIFTWATCH_LAG_INTERVAL: the read fails
    await vi.waitFor(() => expect(lagSeries()).toEqual([]));
  });
});
