/**
 * Two `driftwatch run` processes with one DRIFTWATCH_INSTANCE_ID in one group
 * share a transactional id, so each fences the other (and, under a
 * supervisor, in a loop). The one that has to go must say why — another
 * instance runs with that id; each needs its own — and exit 1 without
 * committing; the other one carries on.
 *
 *  - started beside a running instance, the second refuses before its
 *    group is joined and a transaction begun (so the running one is not fenced), once the member
 *    announcing its id has outlived a session timeout;
 *  - fenced all the same (two started at once, or a twin that slipped past
 *    the check: here a bare producer with the instance's transactional id),
 *    the fenced one stops with the same message.
 */
import { it, expect } from 'vitest';
import { describeKafka } from '../kafka/kafka-env.js';
import { optionsForRecords } from '../../../engine/demo/scenario-options.js';
import { withEngineLogs, type EngineProcess, type LogLine } from './engine-process.js';
import { committedCount, liveSuite, waitCommitted } from './live-env.js';
import { generatedRecords, heldTicks, produceRecords, tickRecords } from './scenario-records.js';

const TWIN_MESSAGE = /^another instance runs with DRIFTWATCH_INSTANCE_ID=twin in consumer group \S+ \(.+\); each instance needs a unique id$/;

/** The JSON log lines that name the cause (the plain stderr line says it too, and is not counted here). */
const twinLines = (e: EngineProcess): LogLine[] => e.logs.filter((l) => !l.raw && TWIN_MESSAGE.test(String(l.msg ?? '')));

/** Resolves with the exit, or 'running' after `ms`. */
const exitWithin = (e: EngineProcess, ms: number) => Promise.race([e.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), ms))]);

describeKafka('live engine: two instances with one instance id', (brokers) => {
  const { kafka, engines, deploy } = liveSuite(brokers);

  it('the second refuses to start beside a running one, naming the id, and leaves it unfenced', async () => {
    const d = await deploy('twinstart', { env: { DRIFTWATCH_SESSION_TIMEOUT: '6s' } });
    const records = generatedRecords(optionsForRecords(3000, 12, { seed: 5 }));
    const ticks = tickRecords(d.partitions);
    await withEngineLogs(() => engines, async () => {
      const first = await d.startEngine('twin', { DRIFTWATCH_METRICS_PORT: '0' });
      engines.push(first);
      await first.waitRestored();
      // Its started line says the metrics server is off (it said "metrics on :0").
      expect(first.stdout).toMatch(/^driftwatch run: instance twin in group \S+; metrics server disabled \(DRIFTWATCH_METRICS_PORT=0\)/);
      const second = await d.startEngine('twin', { DRIFTWATCH_DATA_DIR: `${d.dataDir('twin')}-again` });
      engines.push(second);
      // It waits out a session timeout (6 s + 5 s) first: a crashed predecessor would have left the group by then.
      expect(await exitWithin(second, 60_000)).toEqual({ code: 1, signal: null });
      expect(second.logs.some((l) => /has this instance id: waiting for it to leave/.test(String(l.msg ?? '')))).toBe(true);
      expect(twinLines(second)).toHaveLength(1);
      expect(twinLines(second)[0]).toMatchObject({ level: 50 });
      expect(second.stderrText).toMatch(/^driftwatch run: another instance runs with DRIFTWATCH_INSTANCE_ID=twin .*each instance needs a unique id \[DW_DUPLICATE_INSTANCE\]$/m);
      expect(second.logs.some((l) => l.msg === 'joined group; state will be restored')).toBe(false);
      // The first one was not fenced: it processes and commits everything, and stops cleanly.
      await produceRecords(kafka, d.topics, [...records, ...ticks]);
      await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks), { engines });
      expect(twinLines(first)).toEqual([]);
      expect((await first.terminate()).code).toBe(0);
    });
  }, 120_000);

  it('fenced by a producer with its transactional id, it exits 1 saying another instance has its id, and commits nothing more', async () => {
    const d = await deploy('twinfenced');
    const records = generatedRecords(optionsForRecords(3000, 12, { seed: 6 }));
    await withEngineLogs(() => engines, async () => {
      const first = await d.startEngine('twin');
      engines.push(first);
      await first.waitRestored();
      // What the twin's start does to it: a producer with the same transactional id begins a transaction (kafkajs
      // initialises the transactional id there, not on connect: InitProducerId bumps the epoch, fencing the older one).
      const twin = kafka.producer({ transactionalId: `driftwatch-${d.groupId}-twin`, idempotent: true, maxInFlightRequests: 1 });
      await twin.connect();
      await (await twin.transaction()).abort();
      try {
        const before = await committedCount(kafka, d.groupId, d.inputs);
        await produceRecords(kafka, d.topics, records);
        expect(await exitWithin(first, 60_000)).toEqual({ code: 1, signal: null });
        expect(twinLines(first)).toHaveLength(1);
        expect(twinLines(first)[0]).toMatchObject({ level: 50, msg: expect.stringContaining('its producer was fenced') });
        expect(first.stderrText).toMatch(/^driftwatch run: another instance runs with DRIFTWATCH_INSTANCE_ID=twin .*\[DW_DUPLICATE_INSTANCE\]$/m);
        // Not the generic line, and no attempt at a final commit (it would be fenced again).
        expect(first.logs.some((l) => l.msg === 'consumer stopped after a non-retriable error; exiting')).toBe(false);
        expect(first.logs.some((l) => l.msg === 'final commit failed')).toBe(false);
        expect(await committedCount(kafka, d.groupId, d.inputs)).toBe(before);
      } finally {
        await twin.disconnect();
      }
    });
  }, 120_000);

  it('two started at the same moment: one goes, saying why; the other carries on and commits everything', async () => {
    const d = await deploy('twinboth', { env: { DRIFTWATCH_SESSION_TIMEOUT: '6s' } });
    const records = generatedRecords(optionsForRecords(3000, 12, { seed: 7 }));
    const ticks = tickRecords(d.partitions);
    await withEngineLogs(() => engines, async () => {
      const [a, b] = await Promise.all([d.startEngine('twin'), d.startEngine('twin', { DRIFTWATCH_DATA_DIR: `${d.dataDir('twin')}-again` })]);
      engines.push(a, b);
      await produceRecords(kafka, d.topics, records);
      // Whichever way it goes (refused at start-up, or fenced once both joined), exactly one exits, with the cause.
      const gone = await Promise.race([a.exited.then(() => a), b.exited.then(() => b), new Promise<null>((r) => setTimeout(() => r(null), 90_000))]);
      expect(gone).not.toBeNull();
      const stays = gone === a ? b : a;
      expect(await gone!.exited).toEqual({ code: 1, signal: null });
      expect(twinLines(gone!)).toHaveLength(1);
      await produceRecords(kafka, d.topics, ticks);
      await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks), { engines });
      expect(stays.running).toBe(true);
      expect(twinLines(stays)).toEqual([]);
      expect((await stays.terminate()).code).toBe(0);
    });
  }, 150_000);
});
