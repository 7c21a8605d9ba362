/**
 * Late events of still-open windows, and the per-key state they leave, in
 * live mode (`driftwatch run`, child processes, the real broker): the alert
 * topic (read_committed) and the store equal `replay` of the same records,
 * run uninterrupted and with kill -9 while that state is open — a window
 * holding late-counted events, snapshot_not_verified firing from a late
 * snapshot, a determinism window with an input that only failed — each
 * followed by a restart that must bring it back from the changelog.
 * Which events are late is fixed by the phases (late-state-scenario.ts).
 */
import { it, expect } from 'vitest';
import { describeKafka } from '../kafka/kafka-env.js';
import { storeIncidents, withEngineLogs, type EngineProcess } from './engine-process.js';
import { liveSuite, until, waitCommitted, type LiveDeployment } from './live-env.js';
import { heldTicks, produceRecords, tickTime } from './scenario-records.js';
import { committedAlerts, expectReplayAlerts } from './reference.js';
import { alertShape } from '../../helpers/replay-fixture.js';
import { LATENESS_MS, at, lateStateEnv, lateStatePhases, type Phase } from './late-state-scenario.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';

describeKafka('live engine: late events of open windows and their state, across kill -9', (brokers) => {
  const { kafka, engines, deploy, start } = liveSuite(brokers);
  const logs = () => engines;
  /** The engine's metrics, once its endpoint answers (it opens a moment after the process starts). */
  const metricsOf = (e: EngineProcess) => until(`${e.name}'s metrics`, () => e.metrics().catch(() => undefined), { intervalMs: 100, engines });
  const lateEvents = async (e: EngineProcess) => (await metricsOf(e)).get('driftwatch_late_events_total') ?? 0;

  /** Until the engine's watermark is at `clock` − lateness: every partition's clock record consumed. */
  async function waitEventTime(engine: EngineProcess, clock: string): Promise<void> {
    const watermark = Date.parse(clock) - LATENESS_MS;
    await until(
      `event time to reach ${clock}`,
      async () => {
        const delay = (await metricsOf(engine)).get('driftwatch_watermark_delay_seconds');
        // The gauge is wall clock minus watermark as of the engine's last tick: 10 s of slack (clocks are minutes apart).
        return delay !== undefined && Date.now() - delay * 1000 >= watermark - 10_000 ? true : undefined;
      },
      { intervalMs: 100, engines },
    );
  }

  /**
   * Produces the phases one after the other: each clock phase (but the
   * final one, left to `finish`) until the engine's event time reaches its
   * clock, each late phase until the engine has judged all of it as late, each
   * barrier until its alert is committed. `afterPhase` may replace the engine (a crash).
   */
  async function drive(d: LiveDeployment, engine: EngineProcess, phases: readonly Phase[], afterPhase?: (index: number, engine: EngineProcess) => Promise<EngineProcess>) {
    for (const [i, phase] of phases.entries()) {
      const lateBefore = await lateEvents(engine);
      await produceRecords(kafka, d.topics, phase.records);
      if (phase.kind === 'clock' && i < phases.length - 1) await waitEventTime(engine, phase.clock);
      if (phase.kind !== 'clock') {
        const expected = lateBefore + phase.records.length;
        await until(`${phase.name}: ${phase.records.length} late events`, async () => ((await lateEvents(engine)) === expected ? true : undefined), { intervalMs: 100, engines });
      }
      if (phase.kind === 'barrier') {
        const fired = (a: AlertEvent) => a.rule === 'snapshot_not_verified' && a.labels.artifact === phase.artifact;
        await until(`${phase.name} on the alert topic`, async () => ((await committedAlerts(kafka, d.topics.alerts)).some(fired) ? true : undefined), { intervalMs: 200, engines });
      }
      if (afterPhase) engine = await afterPhase(i, engine);
    }
    return engine;
  }

  /** Everything but the final clock committed: the alert topic as committed, a clean exit, the store's incidents. */
  async function finish(d: LiveDeployment, engine: EngineProcess, instanceId: string, phases: readonly Phase[]) {
    await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, phases.at(-1)!.records.filter((r) => r.key?.startsWith('tick/'))), { engines });
    const alerts = await committedAlerts(kafka, d.topics.alerts);
    expect((await engine.terminate()).code).toBe(0);
    return { alerts, incidents: await storeIncidents(d.storeDir(instanceId)) };
  }

  /** The hand-worked outcome (late-state-scenario.ts) in the replay the runs are compared with, so the match is not vacuous. */
  function expectWorkedOut(alerts: readonly AlertEvent[]) {
    const shapes = alerts.map(alertShape);
    expect(alerts).toHaveLength(36);
    expect(shapes).toEqual(
      expect.arrayContaining([
        // Late ops of the open window counted in it: 2 errors in 22 ops when it closes.
        `index_error_rate_high firing medium L1 ix ${at('10:05:00.000')}`,
        // The late `failed` of the open window ended its promotion, 6 minutes after its start.
        `promotion_duration_high firing medium L1 pr ${at('10:05:00.000')}`,
        // The late conflict, from the frontier; in [10:05, 10:10) input in1 only failed: no resolution at 10:10.
        `hydration_nondeterminism resolved high L2 dev/det ${at('10:03:00.000')} → ${at('10:15:00.000')}`,
        // The late unverified snapshot fired from the frontier; the older verified ones (one reported before the
        // first crash, one after it) resolved nothing: only the in-order verified snapshot of 10:12 did.
        `snapshot_not_verified firing high L1 stage/snap ${at('10:03:00.000')}`,
        `snapshot_not_verified resolved high L2 stage/snap ${at('10:03:00.000')} → ${at('10:12:00.000')}`,
        `rollback_failed firing critical L1 prod/rb ${at('10:36:00.000')}`,
        // Never verified, and no other snapshot of the key: resolved a day after it was judged (the rule's window).
        `snapshot_not_verified resolved high L4 stage/barrier-1 ${at('10:03:00.000')} → 2026-11-28T10:03:00.000Z`,
      ]),
    );
  }

  it('uninterrupted: the late events are late in live mode too, and alerts and incidents are those of replay', async () => {
    const d = await deploy('late-solo', { env: lateStateEnv });
    const phases = lateStatePhases(d.partitions, tickTime());
    await withEngineLogs(logs, async () => {
      const engine = await drive(d, await start(d, 'solo'), phases);
      expect(await lateEvents(engine)).toBe(13);
      const { alerts, incidents } = await finish(d, engine, 'solo', phases);
      const ref = await expectReplayAlerts(alerts, phases.flatMap((p) => p.records), d.env, { exactly: 36 });
      expectWorkedOut(ref.alerts);
      expect(incidents).toHaveLength(2);
      expect(incidents).toEqual(ref.incidents);
    });
  }, 120_000);

  it('kill -9 while windows hold late-counted events and a late snapshot fires, twice, restarts: no alert twice, none missing, same incidents', async () => {
    // A killed member holds its partitions for the session timeout: 10 s instead of 30 s per restart.
    const d = await deploy('late-crash', { env: { ...lateStateEnv, DRIFTWATCH_SESSION_TIMEOUT: '10s' } });
    const phases = lateStatePhases(d.partitions, tickTime());
    // Right after each commit barrier: after the late snapshots (first window open), after the late events past its close.
    const crashes = phases.flatMap((p, i) => (p.kind === 'barrier' ? [i] : []));
    expect(crashes).toHaveLength(2);
    const atCrash: string[][] = [];
    await withEngineLogs(logs, async () => {
      const engine = await drive(d, await start(d, 'crashy'), phases, async (i, running) => {
        if (!crashes.includes(i)) return running;
        atCrash.push((await committedAlerts(kafka, d.topics.alerts)).map((a) => `${a.rule} ${a.labels.artifact ?? a.labels.env} ${a.status} L${a.escalationLevel}`).sort());
        expect((await running.kill()).signal).toBe('SIGKILL');
        const restarted = await start(d, 'crashy'); // same instance id: fences the dead one's open transaction
        await restarted.waitRestored();
        return restarted;
      });
      // No late event after the last restart: the ones before it were committed, not judged again.
      expect(await lateEvents(engine)).toBe(0);
      const { alerts, incidents } = await finish(d, engine, 'crashy', phases);
      const ref = await expectReplayAlerts(alerts, phases.flatMap((p) => p.records), d.env, { exactly: 36 });
      expectWorkedOut(ref.alerts);
      expect(incidents).toEqual(ref.incidents);
      // What the crashes must not lose was open. First: the late conflict and the late snapshot had fired, the
      // window holding the late ops and the late promotion end had not closed (its alerts come at 10:05). Second:
      // both still firing (the older verified snapshots resolved nothing), [10:05, 10:10) open with L's failed in1.
      const first = ['hydration_nondeterminism det firing L1', 'snapshot_not_verified barrier-1 firing L1', 'snapshot_not_verified snap firing L1'];
      expect(atCrash).toEqual([
        first,
        [...first, 'drift_detected rb firing L1', 'index_error_rate_high ix firing L1', 'promotion_duration_high pr firing L1', 'snapshot_not_verified barrier-2 firing L1'].sort(),
      ]);
    });
  }, 180_000);
});
