/**
 * One `driftwatch run` over a scenario fixture (or records made of one) on a
 * fresh deployment, to the end: the fixture's records and the ticks that carry event time past every
 * timer (as the end of a replay's input does) are produced, one engine
 * consumes them until all but the held ticks are committed, and `inspect`
 * gets replay's reference of the same records — the engine's logs shown if
 * it fails.
 */
import { withEngineLogs } from './engine-process.js';
import { waitCommitted, type LiveDeployment, type liveSuite } from './live-env.js';
import { fixtureRecords, heldTicks, produceRecords, tickRecords, type InputRecord } from './scenario-records.js';
import { replayReference, type ReplayReference } from './reference.js';

export async function soloFixtureRun(
  suite: ReturnType<typeof liveSuite>,
  d: LiveDeployment,
  fixture: string | readonly InputRecord[],
  inspect: (ref: ReplayReference) => Promise<void>,
): Promise<void> {
  const { kafka, start, engines } = suite;
  const ticks = tickRecords(d.partitions);
  const records = [...(typeof fixture === 'string' ? fixtureRecords(fixture) : fixture), ...ticks];
  await produceRecords(kafka, d.topics, records);
  await start(d, 'solo');
  await withEngineLogs(
    () => engines,
    async () => {
      await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks), { engines });
      await inspect(await replayReference(records, d.env));
    },
  );
}
