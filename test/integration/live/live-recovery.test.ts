/**
 * Crash, shutdown and restart of `driftwatch run` (child processes, real
 * signals): whatever happens to the process, the alert topic (read_committed)
 * and the store end up as if it had run uninterrupted — `replay` of the same
 * records — with no alert twice and none missing, and state survives in the
 * changelog.
 */
import { it, expect } from 'vitest';
import { describeKafka } from '../kafka/kafka-env.js';
import { optionsForRecords } from '../../../engine/demo/scenario-options.js';
import { storeIncidents, storeRows, withEngineLogs, type EngineProcess } from './engine-process.js';
import { committedCount, liveSuite, groupMembers, until, waitCommitted, type LiveDeployment } from './live-env.js';
import { generatedRecords, heldTicks, produceRecords, tickRecords, type InputRecord } from './scenario-records.js';
import { alertLines, committedAlerts, replayReference, expectReplayAlerts } from './reference.js';

describeKafka('live engine: crash, shutdown, restart', (brokers) => {
  const { kafka, engines, deploy, start } = liveSuite(brokers);
  const logs = () => engines;

  /** Finishes a run: far-future ticks, everything committed, then the alert topic and the store as the tests compare them. */
  async function finish(d: LiveDeployment, engine: EngineProcess, instanceId: string, ticks: InputRecord[]) {
    await produceRecords(kafka, d.topics, ticks);
    await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks));
    const alerts = await committedAlerts(kafka, d.topics.alerts);
    // The scenarios stay well inside the allowed lateness: a late event here means event time ran ahead of records still to come.
    expect((await engine.metrics()).get('driftwatch_late_events_total')).toBe(0);
    expect((await engine.terminate()).code).toBe(0);
    return { alerts, incidents: await storeIncidents(d.storeDir(instanceId)) };
  }

  it('kill -9 in the middle of a scenario, restart: no alert twice, none missing, same incidents', async () => {
    // A 5 s idle timeout (the suite's is 1 s): on a loaded machine the test's own production can stall for more than a
    // second; a partition it has not reached yet is then confirmed idle, event time moves past it, and its records come
    // late — the likely cause of one CI run's 1264 late events here.
    const d = await deploy('crash', { env: { DRIFTWATCH_IDLE_TIMEOUT: '5s' } });
    // The demo generator: 24 keys, injected incidents of every kind, a few duplicates and malformed lines.
    const scenario = generatedRecords(optionsForRecords(60_000, 24, { seed: 7 }));
    const [first, rest] = [scenario.slice(0, 15_000), scenario.slice(15_000)];
    const ticks = tickRecords(d.partitions);
    await produceRecords(kafka, d.topics, first);

    await withEngineLogs(logs, async () => {
      const crashing = await start(d, 'crashy');
      // The rest goes in while the engine still works through `first`: a pause in production longer than the idle
      // timeout would let event time run on at wall-clock speed and make the (synthetic-time) rest late.
      await until('the engine to be part-way through the first records', async () => ((await committedCount(kafka, d.groupId, d.inputs)) > 5_000 ? true : undefined), { engines });
      // Half of the rest now, the other half only after the restart: however fast the engine commits, the kill
      // lands with part of the scenario still ahead of it (it once finished everything before the probe saw it).
      const [restNow, restLater] = [rest.slice(0, rest.length / 2), rest.slice(rest.length / 2)];
      await produceRecords(kafka, d.topics, restNow);
      // Kill while it works through the rest: some of it committed, not all (alerts of an open transaction are aborted).
      const atKill = await until(
        'the engine to be part-way through the rest',
        async () => {
          const n = await committedCount(kafka, d.groupId, d.inputs);
          return n > first.length + 2_000 ? n : undefined;
        },
        { intervalMs: 50, engines },
      );
      expect((await crashing.metrics()).get('driftwatch_late_events_total')).toBe(0);
      expect((await crashing.kill()).signal).toBe('SIGKILL');
      expect(atKill).toBeLessThan(first.length + restNow.length);
      const restarted = await start(d, 'crashy'); // same instance id: its transactional id fences the dead one's open transaction
      await produceRecords(kafka, d.topics, restLater); // at once: no pause in the synthetic event time (see above)
      await restarted.waitRestored();
      // Some alerts were committed before the crash. Checked only now: offsets and alerts commit in one transaction,
      // but its markers reach __consumer_offsets and the alert partitions separately (right after the offsets are
      // visible the alerts may not be yet), and the dead engine's open transaction blocks read_committed readers
      // until the restarted one has fenced it.
      expect((await committedAlerts(kafka, d.topics.alerts)).length).toBeGreaterThan(0);
      const { alerts, incidents } = await finish(d, restarted, 'crashy', ticks);
      const ref = await expectReplayAlerts(alerts, [...scenario, ...ticks], d.env, { moreThan: 100 });
      // alertId is derived from the emission: what the restarted engine decided again has replay's ids too.
      expect(alerts.map((a) => a.alertId).sort()).toEqual(ref.alerts.map((a) => a.alertId).sort());
      expect(incidents).toEqual(ref.incidents);
    });
  }, 180_000);

  it('SIGTERM: finishes the batch, commits, leaves the group and exits 0; a restart carries on exactly', async () => {
    const d = await deploy('sigterm');
    const scenario = generatedRecords(optionsForRecords(40_000, 24, { seed: 11 }));
    const ticks = tickRecords(d.partitions);
    await produceRecords(kafka, d.topics, scenario);

    await withEngineLogs(logs, async () => {
      const engine = await start(d, 'graceful');
      const before = await until('processing to be under way', async () => {
        const n = await committedCount(kafka, d.groupId, d.inputs);
        return n > 5_000 ? n : undefined;
      }, { intervalMs: 50, engines });
      expect((await engine.metrics()).get('driftwatch_late_events_total')).toBe(0);
      const stopping = Date.now();
      const exit = await engine.terminate();
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - stopping).toBeLessThan(10_000);
      expect(engine.logs.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM')).toBe(true);
      expect(engine.errors()).toEqual([]);
      // Left the group (no member waits out the session timeout) and committed on the way out.
      expect(await groupMembers(kafka, d.groupId)).toEqual({ state: 'Empty', members: [] });
      const after = await committedCount(kafka, d.groupId, d.inputs);
      expect(after).toBeGreaterThanOrEqual(before);
      expect(after).toBeLessThan(scenario.length); // it was stopped part-way
      // No transaction left open: a read_committed read of the alert topic ends at once.
      const started = Date.now();
      await committedAlerts(kafka, d.topics.alerts);
      expect(Date.now() - started).toBeLessThan(10_000);

      const { alerts, incidents } = await finish(d, await start(d, 'graceful'), 'graceful', ticks);
      const ref = await replayReference([...scenario, ...ticks], d.env);
      expect(alertLines(alerts)).toEqual(alertLines(ref.alerts));
      expect(incidents).toEqual(ref.incidents);

      // Its own metrics went to engine_metrics (every 500 ms here) for the Operational Metrics dashboard.
      const series = await storeRows(
        d.storeDir('graceful'),
        "SELECT name, count() AS points, uniqExact(labels['partition']) AS partitions FROM driftwatch.engine_metrics WHERE labels['instance'] = 'graceful' " +
          "AND name IN ('consumer_lag', 'watermark_delay_seconds', 'process_cpu_seconds_total', 'events_in_total') GROUP BY name ORDER BY name",
      );
      expect(series.map((r) => r.name)).toEqual(['consumer_lag', 'events_in_total', 'process_cpu_seconds_total', 'watermark_delay_seconds']);
      expect(series.every((r) => Number(r.points) >= 1)).toBe(true);
      expect(Number(series.find((r) => r.name === 'consumer_lag')!.partitions)).toBe(d.partitions);
    });
  }, 120_000);

  it('desired state survives in the changelog: observations long after the promotions, on a new engine, are judged against it', async () => {
    const d = await deploy('restore');
    const at = (hhmm: string) => `2026-11-27T${hhmm}:00.000Z`;
    const promotion = (artifact: string, phase: string, time: string, n: number) =>
      JSON.stringify({ type: 'promotion', eventId: `${artifact}-p${n}`, occurredAt: at(time), env: 'prod', artifact, promotionId: `${artifact}-1`, phase, version: '1.0.0', digest: 'sha256:v1' });
    const observe = (artifact: string, type: 'hydration' | 'index', digest: string, n: number) =>
      type === 'hydration'
        ? JSON.stringify({ type, eventId: `${artifact}-o${n}`, occurredAt: at('12:00'), env: 'prod', artifact, ruleId: 'r1', instance: 'h1', inputDigest: digest, outputDigest: `out-${digest}`, durationMs: 10, status: 'ok' })
        : JSON.stringify({ type, eventId: `${artifact}-o${n}`, occurredAt: at('12:00'), env: 'prod', artifact, op: 'read', instance: 'i1', servedDigest: digest, latencyMs: 3, status: 'ok' });
    const rec = (value: string): InputRecord => {
      const e = JSON.parse(value) as { type: InputRecord['type']; env: string; artifact: string };
      return { value, key: `${e.env}/${e.artifact}`, type: e.type };
    };
    const promotions = ['svc-keep', 'svc-drift'].flatMap((a) => [promotion(a, 'started', '09:00', 1), promotion(a, 'succeeded', '09:01', 2)]).map(rec);
    // Event time must pass the promotions for them to be processed: a tick per partition half an hour later.
    const clock = tickRecords(d.partitions, at('09:30'));
    await produceRecords(kafka, d.topics, [...promotions, ...clock]);

    await withEngineLogs(logs, async () => {
      const first = await start(d, 'before');
      await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, clock));
      expect((await first.terminate()).code).toBe(0);
      expect(await committedAlerts(kafka, d.topics.alerts)).toEqual([]);

      // A producer retry of a promotion the first engine processed, found by a new engine (other instance id, other
      // data dir): its id came back with the key's state. It comes first, while event time is still within the dedup
      // horizon of it (the first engine's held ticks come again too, at 09:30); an hour of newer events would
      // expire the id, restored or not, as in one process.
      const retry = promotions[3]!;
      await produceRecords(kafka, d.topics, [retry]);
      const second = await start(d, 'after');
      const restored = await second.waitRestored();
      expect(restored.keys).toBeGreaterThanOrEqual(2); // both keys' desired state came back from the changelog
      await until('the retry to be dropped as a duplicate', async () => ((await second.metrics()).get('driftwatch_duplicate_events_total') === 1 ? true : undefined), { intervalMs: 100, engines });
      expect((await second.metrics()).get('driftwatch_late_events_total')).toBe(0);

      // Three hours later: only observations.
      const observations = [
        observe('svc-keep', 'hydration', 'sha256:v1', 1),
        observe('svc-keep', 'index', 'sha256:v1', 2),
        observe('svc-drift', 'hydration', 'sha256:v1', 1),
        observe('svc-drift', 'index', 'sha256:rogue', 2),
      ].map(rec);
      await produceRecords(kafka, d.topics, observations);
      const ticks = tickRecords(d.partitions);
      const { alerts, incidents } = await finish(d, second, 'after', ticks);

      const ref = await replayReference([...promotions, ...clock, retry, ...observations, ...ticks], d.env);
      expect(alertLines(alerts)).toEqual(alertLines(ref.alerts));
      expect(incidents).toEqual(ref.incidents);
      // The divergent observation fired drift against the restored desired digest; the acceptable one did not.
      expect(alerts.find((a) => a.status === 'firing' && a.escalationLevel === 1)).toMatchObject({
        rule: 'drift_detected',
        labels: { env: 'prod', artifact: 'svc-drift' },
        startsAt: at('12:00'),
      });
      expect(alerts.every((a) => a.labels.artifact === 'svc-drift')).toBe(true);
      expect(incidents).toEqual([expect.objectContaining({ kind: 'state', artifact: 'svc-drift', expected_digest: 'sha256:v1', divergent_digests: ['sha256:rogue'] })]);
    });
  });

  it('restarted into a quiet period, it restores its state without waiting for input, and its timers fire', async () => {
    // Event time = wall time here. A promotion from v1 to v2 while the replica still serves v1: lagging within the grace,
    // drift once the grace ends (SPEC §4.4). The first engine stops before that; the second gets no record at all.
    const graceMs = 25_000;
    const d = await deploy('quiet', { env: { DRIFTWATCH_CONVERGENCE_GRACE: `${graceMs / 1000}s`, DRIFTWATCH_ALLOWED_LATENESS: '200ms' } });
    const t0 = Date.now();
    const iso = (t: number) => new Date(t).toISOString();
    const promotion = (id: string, phase: string, t: number, version: string, n: number) =>
      JSON.stringify({ type: 'promotion', eventId: `q-p${n}`, occurredAt: iso(t), env: 'prod', artifact: 'svc-quiet', promotionId: id, phase, version, digest: `sha256:${version}` });
    const observe = (t: number, digest: string, n: number) =>
      JSON.stringify({ type: 'index', eventId: `q-o${n}`, occurredAt: iso(t), env: 'prod', artifact: 'svc-quiet', op: 'read', instance: 'i1', servedDigest: digest, latencyMs: 3, status: 'ok' });
    const rec = (value: string): InputRecord => ({ value, key: 'prod/svc-quiet', type: (JSON.parse(value) as { type: InputRecord['type'] }).type });
    const records = [
      promotion('q-1', 'started', t0 - 600_000, 'v1', 1),
      promotion('q-1', 'succeeded', t0 - 590_000, 'v1', 2),
      observe(t0 - 580_000, 'sha256:v1', 1),
      promotion('q-2', 'started', t0 - 2000, 'v2', 3),
      promotion('q-2', 'succeeded', t0 - 1000, 'v2', 4),
      observe(t0, 'sha256:v1', 2), // the previous digest: acceptable until the grace ends
    ].map(rec);
    await produceRecords(kafka, d.topics, records);

    await withEngineLogs(logs, async () => {
      const first = await start(d, 'quiet');
      // Every record released (event time passed them once the partitions went idle) and committed.
      await waitCommitted(kafka, d.groupId, d.inputs, new Map(), { engines });
      expect((await first.terminate()).code).toBe(0);
      // Still inside the grace: nothing fired yet (else this test would prove nothing).
      expect(Date.now()).toBeLessThan(t0 - 1000 + graceMs);
      expect(await committedAlerts(kafka, d.topics.alerts)).toEqual([]);

      const second = await start(d, 'quiet');
      expect((await second.waitRestored(30_000)).keys).toBeGreaterThanOrEqual(1); // no input needed to restore
      const fired = await until(
        'the drift alert after the grace, with no input since the restart',
        async () => (await committedAlerts(kafka, d.topics.alerts)).find((a) => a.rule === 'drift_detected' && a.status === 'firing'),
        { timeoutMs: 60_000, intervalMs: 500, engines },
      );
      expect(fired).toMatchObject({ labels: { env: 'prod', artifact: 'svc-quiet' }, startsAt: iso(t0 - 1000 + graceMs) });
      expect((await second.terminate()).code).toBe(0);
    });
  }, 120_000);
});
