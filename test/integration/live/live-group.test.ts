/**
 * Two `driftwatch run` instances in one consumer group: the co-partition
 * assigner gives each whole partition numbers, together they produce what
 * one engine (= replay) produces, and when one stops (SIGTERM) the other
 * takes over its partitions and their state from the changelog and finishes
 * the scenario.
 *
 * Per-key rules only: state of env-level rules (promotion rates, rolling
 * MTTR) is per instance (documented limitation), so a scenario that fired
 * them would legitimately differ from a single engine.
 */
import { it, expect } from 'vitest';
import { describeKafka } from '../kafka/kafka-env.js';
import { storeIncidents, withEngineLogs, type EngineProcess } from './engine-process.js';
import { liveSuite, until, waitCommitted, type LiveDeployment } from './live-env.js';
import { heldTicks, produceRecords, threeCopiesOfEveryFixture, tickRecords, type InputRecord } from './scenario-records.js';
import { committedAlerts, mergeIncidents, expectReplayAlerts } from './reference.js';

const eventTime = (r: InputRecord): number => {
  try {
    return Date.parse((JSON.parse(r.value) as { occurredAt: string }).occurredAt);
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
};

/** The partition numbers an engine holds now (its latest assignment), or undefined before it joined. */
const held = (e: EngineProcess): number[] | undefined => {
  const last = e.assignments().at(-1);
  return last ? [...new Set(Object.values(last).flat())].sort((a, b) => a - b) : undefined;
};

describeKafka('live engine: two instances in one group', (brokers) => {
  const { kafka, engines, deploy } = liveSuite(brokers);
  /** Instances `one` and `two` of `d`, in the suite's engines (their logs on failure, stopped after). */
  const startTwo = async (d: LiveDeployment): Promise<[EngineProcess, EngineProcess]> => {
    const a = await d.startEngine('one');
    const b = await d.startEngine('two');
    engines.push(a, b);
    return [a, b];
  };

  it('split the partitions, match one engine, and hand over partitions and state when one stops', async () => {
    const d = await deploy('group', { partitions: 4 });
    const scenario = threeCopiesOfEveryFixture();
    // Part 1 ends while the lagging replicas' incidents are open (10:13 → 10:20): the survivor must close the others'.
    const split = Date.parse('2026-11-27T10:15:00.000Z');
    const part1 = scenario.filter((r) => eventTime(r) < split);
    const part2 = scenario.filter((r) => eventTime(r) >= split);
    const midTicks = tickRecords(d.partitions, '2026-11-27T10:15:30.000Z'); // event time past the part-1 timers, not past part 2
    const ticks = tickRecords(d.partitions);

    await withEngineLogs(
      () => engines,
      async () => {
        const [a, b] = await startTwo(d);
        // Each holds two whole partition numbers (the co-partition assigner: every topic's partition p to one member).
        const [heldA, heldB] = await until('the group to settle on two members', async () => {
          const [x, y] = [held(a), held(b)];
          return x && y && x.length === 2 && y.length === 2 ? [x, y] : undefined;
        });
        expect([...heldA, ...heldB].sort()).toEqual([0, 1, 2, 3]);
        // Both say that env-level rollups are now shares (README: Known limits).
        for (const e of [a, b]) await e.waitForLog((l) => l.members === 2 && String(l.msg).startsWith('several members in the consumer group'));
        for (const e of [a, b]) {
          const assignment = e.assignments().at(-1)!;
          expect(Object.keys(assignment).sort()).toEqual([...d.inputs].sort());
          expect(new Set(Object.values(assignment).map((ps) => JSON.stringify(ps))).size).toBe(1); // same numbers in each topic
        }

        await produceRecords(kafka, d.topics, [...part1, ...midTicks]);
        await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, midTicks));
        // Each restored exactly the partitions it settled on (an engine restores at once on joining, so the first
        // one restored everything before the second joined, then its share).
        const restoredWith = (e: EngineProcess, ps: number[]) =>
          e.waitForLog((l) => l.msg === 'state restored' && JSON.stringify(l.partitions) === JSON.stringify(ps));
        await restoredWith(a, heldA);
        await restoredWith(b, heldB);
        const firstAlerts = await committedAlerts(kafka, d.topics.alerts);
        expect(firstAlerts.filter((x) => x.status === 'firing').length).toBe(3); // one lagging replica per copy, still open

        // A leaves; B gets every partition and restores A's keys from the changelog.
        const since = b.logs.length;
        expect(await a.terminate()).toEqual({ code: 0, signal: null });
        const takeover = await b.waitForLog((l) => l.msg === 'state restored' && (l.partitions as number[]).length === 4, 60_000, since);
        expect(takeover.keys).toBeGreaterThan(0);

        await produceRecords(kafka, d.topics, [...part2, ...ticks]);
        await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks));
        const alerts = await committedAlerts(kafka, d.topics.alerts);
        expect((await b.terminate()).code).toBe(0);

        const ref = await expectReplayAlerts(alerts, [...part1, ...midTicks, ...part2, ...ticks], d.env, { exactly: 60 }); // 3 × the 20 alerts of the six fixtures
        const incidents = mergeIncidents(await storeIncidents(d.storeDir('one')), await storeIncidents(d.storeDir('two')));
        expect(incidents).toHaveLength(18);
        expect(incidents).toEqual(ref.incidents);
      },
    );
  }, 150_000);

  it('kill -9 of one member: the other takes over after the session timeout; the killed one restarts and gets its partitions back', async () => {
    // The session timeout at the broker's minimum: the group gives a member that vanished 6 s before moving its partitions.
    const d = await deploy('groupkill', { partitions: 4, env: { DRIFTWATCH_SESSION_TIMEOUT: '6s' } });
    const scenario = threeCopiesOfEveryFixture();
    // Three parts: before the kill, while the survivor holds everything, after the restart (incidents open across both).
    const at = (hhmm: string) => Date.parse(`2026-11-27T${hhmm}:00.000Z`);
    const parts = [scenario.filter((r) => eventTime(r) < at('10:14')), scenario.filter((r) => eventTime(r) >= at('10:14') && eventTime(r) < at('10:17')), scenario.filter((r) => eventTime(r) >= at('10:17'))];
    const ticksAt = [tickRecords(d.partitions, '2026-11-27T10:14:30.000Z'), tickRecords(d.partitions, '2026-11-27T10:17:30.000Z'), tickRecords(d.partitions)];
    const settled = (x: EngineProcess, y: EngineProcess) =>
      until('the group to settle on two members', async () => {
        const [hx, hy] = [held(x), held(y)];
        return hx && hy && hx.length === 2 && hy.length === 2 && [...hx, ...hy].sort().join() === '0,1,2,3' ? true : undefined;
      });

    await withEngineLogs(
      () => engines,
      async () => {
        const [a, b] = await startTwo(d);
        await settled(a, b);
        await produceRecords(kafka, d.topics, [...parts[0]!, ...ticksAt[0]!]);
        await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticksAt[0]!));

        // A dies without leaving: after the session timeout B holds all four partitions, A's state restored from the changelog.
        const since = b.logs.length;
        expect((await a.kill()).signal).toBe('SIGKILL');
        const takeover = await b.waitForLog((l) => l.msg === 'state restored' && (l.partitions as number[]).length === 4, 60_000, since);
        expect(takeover.keys).toBeGreaterThan(0);
        await produceRecords(kafka, d.topics, [...parts[1]!, ...ticksAt[1]!]);
        await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, [...ticksAt[0]!, ...ticksAt[1]!]));

        // A comes back under its instance id: the group splits again, and A restores what B did with its partitions.
        const again = await d.startEngine('one');
        engines.push(again);
        await settled(again, b);
        await again.waitRestored();
        await produceRecords(kafka, d.topics, [...parts[2]!, ...ticksAt[2]!]);
        await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticksAt.flat()));
        const alerts = await committedAlerts(kafka, d.topics.alerts);
        const beforeLeave = b.logs.length;
        expect((await again.terminate()).code).toBe(0);
        // A's leaving is a rebalance for B: a commit B had in flight then is abandoned (its partitions could have moved)
        // and B would stop out of the group with uncommitted work (exit 1). Stop it once it holds everything again.
        await b.waitForLog((l) => l.msg === 'state restored' && (l.partitions as number[]).length === 4, 60_000, beforeLeave);
        expect((await b.terminate()).code).toBe(0);

        const ref = await expectReplayAlerts(alerts, [...parts[0]!, ...ticksAt[0]!, ...parts[1]!, ...ticksAt[1]!, ...parts[2]!, ...ticksAt[2]!], d.env, { exactly: 60 });
        const incidents = mergeIncidents(await storeIncidents(d.storeDir('one')), await storeIncidents(d.storeDir('two')));
        expect(incidents).toEqual(ref.incidents);
      },
    );
  }, 180_000);
});
