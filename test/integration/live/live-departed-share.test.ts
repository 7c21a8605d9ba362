/**
 * The per-env share of an instance that left the group for good is taken
 * over by the owner of partition 0 (engine/live/retiring-shares.ts).
 *
 * The departed instance is a changelog record `w/ghost` written here, as an
 * instance "ghost" would have left it: 20 failed promotions in prod made
 * promotion_success_rate_low fire, and a window is still open. A single
 * engine then starts and takes it over (driftwatch_departed_shares 1); a
 * tick per partition at the current time moves event time past everything
 * in the share, so it all runs out — the open window is
 * stored under ghost's instance id, the alert escalates as it would have and
 * resolves once its samples left the rolling hour (exactly one resolved, on
 * the alert topic, read_committed), and the record becomes a tombstone.
 * In process, through a wrapped admin client: the join that finds such a
 * record describes the group once, for the member count and the check alike.
 */
import { expect, it } from 'vitest';
import { describeKafka } from '../kafka/kafka-env.js';
import { readToEnd } from '../kafka/read-to-end.js';
import { departedShare, failingPromotions } from '../../helpers/departed-share.js';
import { MIN, T0 } from '../../unit/aggregates/facts.js';
import { withDescribeGroupsHook } from './client-hooks.js';
import { storeRows, withEngineLogs, type EngineProcess } from './engine-process.js';
import { capturingLogger, inProcessRunner } from './in-process-runner.js';
import { liveSuite, until, type LiveDeployment } from './live-env.js';
import { committedAlerts } from './reference.js';
import { produceRecords, tickRecords } from './scenario-records.js';

describeKafka('live engine: the per-env share of a departed instance', (brokers) => {
  const { kafka, engines, deploy } = liveSuite(brokers);

  /** The changelog record `w/ghost` as an instance "ghost" that left the group would have left it. */
  async function writeGhostRecord(d: LiveDeployment): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: d.topics.changelog, messages: [{ key: 'w/ghost', partition: 0, value: JSON.stringify(departedShare(failingPromotions())) }] });
    } finally {
      await producer.disconnect();
    }
  }

  it('is run on by the owner of partition 0 until nothing is left: windows stored, alert resolved, record tombstoned', async () => {
    const d = await deploy('departed');
    await writeGhostRecord(d);

    await withEngineLogs(() => engines, async () => {
      const engine: EngineProcess = await d.startEngine('engine-a');
      engines.push(engine);
      const adopted = await engine.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('took over the per-env state'));
      expect(adopted.instances).toEqual(['ghost']);
      const departedShares = async () => (await engine.metrics()).get('driftwatch_departed_shares');
      // No event time yet (no input): the share waits, and says so.
      await until('the share to show in /metrics', async () => ((await departedShares()) === 1 ? true : undefined), { engines });
      await produceRecords(kafka, d.topics, tickRecords(d.partitions));

      const alerts = await until(
        'the departed share\'s alert to resolve',
        async () => {
          const all = await committedAlerts(kafka, d.topics.alerts);
          return all.some((a) => a.status === 'resolved') ? all : undefined;
        },
        { timeoutMs: 60_000, engines },
      );
      expect(alerts.map((a) => [a.rule, a.status, a.escalationLevel, a.labels.env, a.startsAt, a.endsAt ?? null])).toEqual([
        ['promotion_success_rate_low', 'firing', 2, 'prod', new Date(T0 + 5 * MIN).toISOString(), null],
        ['promotion_success_rate_low', 'firing', 3, 'prod', new Date(T0 + 5 * MIN).toISOString(), null],
        ['promotion_success_rate_low', 'firing', 4, 'prod', new Date(T0 + 5 * MIN).toISOString(), null],
        ['promotion_success_rate_low', 'resolved', 4, 'prod', new Date(T0 + 5 * MIN).toISOString(), new Date(T0 + 70 * MIN).toISOString()],
      ]);

      const ghostRecord = async () => (await readToEnd(kafka, d.topics.changelog)).filter((r) => r.key === 'w/ghost').at(-1);
      await until('the record of the departed instance to become a tombstone', async () => ((await ghostRecord())?.value === null ? true : undefined), { timeoutMs: 30_000, engines });

      await until('the share to be gone from /metrics', async () => ((await departedShares()) === 0 ? true : undefined), { engines });
      expect((await engine.terminate()).code).toBe(0);
      // The window that was open is stored as ghost's share (the engine's own rows would say engine-a).
      expect(await storeRows(d.storeDir('engine-a'), "SELECT instance_id, env, started, failed FROM driftwatch.promotion_windows FINAL ORDER BY window_start")).toEqual([
        { instance_id: 'ghost', env: 'prod', started: 1, failed: 0 },
      ]);
      // Nothing else happened: one alert instance, resolved once.
      const published = await committedAlerts(kafka, d.topics.alerts);
      expect(published.filter((a) => a.status === 'resolved')).toHaveLength(1);
      // Its rows (a per-env rule's: held for the commits that published them, engine/live/held-share-rows.ts) are stored, those and no other.
      const rows = await storeRows(d.storeDir('engine-a'), 'SELECT alert_id FROM driftwatch.alerts FINAL');
      expect(rows.map((r) => String(r.alert_id)).sort()).toEqual(published.map((a) => a.alertId).sort());
    });
  }, 120_000);

  it('on a join, one describeGroups serves both the member count and the check for departed instances (after the start-up look for a twin)', async () => {
    const d = await deploy('describe');
    await writeGhostRecord(d);
    const described: string[][] = [];
    const logs: Array<{ msg?: string; instances?: string[] }> = [];
    const runner = inProcessRunner(d, withDescribeGroupsHook(kafka, (ids) => described.push(ids)), 'engine-a', { logger: capturingLogger(logs) });
    await runner.start();
    try {
      // ghost's record makes the restore ask who is in the group; the join's member count asked already.
      const adopted = await until('the takeover', async () => logs.find((l) => l.msg?.startsWith('took over the per-env state')));
      expect(adopted.instances).toEqual(['ghost']);
      await new Promise((r) => setTimeout(r, 1_000)); // a second request, were there one, has been sent by now
      // The first is the start-up look for a twin with this instance id (duplicate-instance.ts), before joining;
      // the join's member count and the check for departed instances share the second.
      expect(described).toEqual([[d.groupId], [d.groupId]]);
    } finally {
      await runner.stop();
    }
  }, 120_000);

  it('never takes over the record of an instance that is in the group', async () => {
    const d = await deploy('members');
    // Ticks at these times (minutes before now), each round releasing the one before: every engine then
    // processes, commits and so writes its own record.
    const ticksAt = (minutesAgo: number) => tickRecords(d.partitions, new Date(Date.now() - minutesAgo * MIN).toISOString());
    const recordOf = async (instanceId: string) => ((await readToEnd(kafka, d.topics.changelog)).some((r) => r.key === `w/${instanceId}` && r.value !== null) ? true : undefined);
    const restores = (e: EngineProcess) => e.logs.filter((l) => l.msg === 'state restored').length;
    await withEngineLogs(() => engines, async () => {
      const b = await d.startEngine('engine-b');
      engines.push(b);
      await b.waitRestored();
      await produceRecords(kafka, d.topics, [...ticksAt(10), ...ticksAt(8)]);
      await until('engine-b to write its record', () => recordOf('engine-b'), { engines });

      const a = await d.startEngine('engine-a');
      engines.push(a);
      await a.waitRestored();
      await until('engine-b to restore again, in the generation with both', async () => (restores(b) >= 2 ? true : undefined), { engines });
      await produceRecords(kafka, d.topics, ticksAt(6));
      await until('engine-a to write its record', () => recordOf('engine-a'), { engines });

      // A third member makes every partition move again: whoever owns partition 0 now finds the records of both others.
      const c = await d.startEngine('engine-c');
      engines.push(c);
      await c.waitRestored();
      await until('a and b to restore in the generation with c', async () => (restores(a) >= 2 && restores(b) >= 3 ? true : undefined), { engines });
      await produceRecords(kafka, d.topics, ticksAt(4));
      const takeovers = [...a.logs, ...b.logs, ...c.logs].filter((l) => typeof l.msg === 'string' && l.msg.startsWith('took over the per-env state'));
      expect(takeovers).toEqual([]);
      for (const e of [a, b, c]) expect((await e.terminate()).code).toBe(0);
    });
  }, 150_000);
});
