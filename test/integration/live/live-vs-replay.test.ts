/**
 * `driftwatch run` (a child process against the real broker) and `replay`
 * of the same events agree: same alerts on the alert topic (read_committed),
 * same incidents in the store. Malformed records go to the DLQ topic with
 * their original bytes, key and headers, and processing goes on.
 */
import { it, expect } from 'vitest';
import kafkajs from 'kafkajs';
import { describeKafka, readToEnd } from '../kafka/kafka-env.js';
import { storeIncidents, withEngineLogs, type EngineProcess } from './engine-process.js';
import { liveSuite, waitCommitted, type LiveDeployment } from './live-env.js';
import { fixtureRecords, heldTicks, lineRecord, mergeByEventTime, produceRecords, tickRecords, type InputRecord } from './scenario-records.js';
import { extremeEvents } from '../../helpers/extreme-events.js';
import { DAY, HOUR } from '../../../lib/time.js';
import { MAX_EVENT_BYTES } from '../../../processors/decode.js';
import { partitionOfKey } from '../../../topics/key-partition.js';
import { alertLines, committedAlerts, expectReplayAlerts, replayReference } from './reference.js';

describeKafka('live engine vs replay', (brokers) => {
  const { kafka, deploy } = liveSuite(brokers);

  /**
   * One engine over everything produced, to the end (all but the held ticks
   * committed): the alert and DLQ topics as committed, after `inspect` (e.g.
   * its metrics) and a clean exit. `explained` runs the comparisons with the
   * exited engine's log lines and late-event count in their failure message:
   * live and replay disagree when records were judged late (a partition taken
   * for idle too early), and only the engine's own account tells which —
   * or when the alert topic was read before the commit holding the missing
   * alerts was visible, which the alert counts tell (alertCountsNote).
   */
  async function runToEnd(d: LiveDeployment, instanceId: string, ticks: readonly InputRecord[], inspect?: (engine: EngineProcess) => Promise<void>) {
    const engine = await d.startEngine(instanceId);
    let note = '';
    const result = await withEngineLogs(
      () => [engine],
      async () => {
        await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks));
        const result = { alerts: await committedAlerts(kafka, d.topics.alerts), dlq: await readToEnd(kafka, d.topics.dlq) };
        note = await lateEventsNote(engine);
        await inspect?.(engine);
        expect((await engine.terminate()).code).toBe(0);
        return result;
      },
    );
    const failureNote = async () => `${note}\n${await alertCountsNote(engine, d.topics.alerts, result.alerts.length)}`;
    const explained = (comparisons: () => Promise<void>) => withEngineLogs(() => [engine], comparisons, { lines: 60, note: failureNote });
    return { ...result, explained };
  }

  /**
   * For a failure message only: the alert emissions the engine logged, the alerts the comparison read, and those the
   * alert topic holds now that the engine has exited. Fewer read than held: the read came before the commit holding
   * the rest was visible (the test's race, not the engine's). As many held as read: the engine never published the
   * missing ones — then the late count and the log lines say why. More logged than held: emissions of a commit that
   * failed or was abandoned (an engine rebuilt from the changelog emits them again).
   */
  async function alertCountsNote(engine: EngineProcess, alertTopic: string, read: number): Promise<string> {
    const logged = engine.logs.filter((l) => /^alert (firing|resolved):/.test(l.msg ?? '')).length;
    const held = await committedAlerts(kafka, alertTopic).then((a) => String(a.length), (err: unknown) => `not read (${String(err)})`);
    return `--- ${engine.name}: alert emissions logged ${logged}, alerts read for the comparison ${read}, on the alert topic after the engine exited ${held}`;
  }

  /** driftwatch_late_events_total before the engine exits (only read for a failure message, never asserted). */
  async function lateEventsNote(engine: EngineProcess): Promise<string> {
    try {
      return `--- ${engine.name}: driftwatch_late_events_total = ${(await engine.metrics()).get('driftwatch_late_events_total') ?? 'absent'}`;
    } catch (err) {
      return `--- ${engine.name}: metrics not read (${String(err)})`;
    }
  }

  // Each test starts a live engine process and waits for it to drain its input: 42 s measured under the shared load of CI's two forks, past 60 s (the suite default) under more; a timeout there says nothing about the engine.
  it('a scenario produced to the input topics yields the alerts and incidents of its replay', async () => {
    const d = await deploy('equiv');
    // Every fixture, each on its own keys. The messy fixture's deliberately late line is left out:
    // whether an event is late in live mode depends on when each partition is fetched (SPEC §4.7), not on the data alone.
    const names = ['lagging-replica', 'failed-canary', 'rollback', 'rogue-version', 'messy-rogue-version', 'nondeterministic-rule'];
    const scenario = mergeByEventTime(names.map((n, i) => fixtureRecords(`${n}.ndjson`, { artifactSuffix: `-f${i}`, skipEventIds: /^late-/ })));
    const ticks = tickRecords(d.partitions);
    const records: InputRecord[] = [...scenario, ...ticks];
    await produceRecords(kafka, d.topics, records);

    const { alerts, explained } = await runToEnd(d, 'solo', ticks);
    const incidents = await storeIncidents(d.storeDir('solo'));

    const ref = await replayReference(records, d.env);
    await explained(async () => {
      expect(ref.alerts.length).toBe(20); // 3 + 4 + 4 + 3 + 3 + 3: each fixture's own alerts (test/scenarios)
      expect(alertLines(alerts)).toEqual(alertLines(ref.alerts));
      expect(incidents).toHaveLength(6);
      expect(incidents).toEqual(ref.incidents);
      expect(new Set(alerts.map((a) => a.alertId)).size).toBe(alerts.length);
    });
  }, 180_000);

  // Awkward keys (quotes, control characters, separators, emoji, 5000 characters; NUL in the other fields) travel as message keys,
  // changelog keys and state: live and replay must still agree, and nothing valid may be dead-lettered.
  it('schema-valid extreme values: alerts and incidents as in replay, nothing dead-lettered', async () => {
    const d = await deploy('extreme');
    const ticks = tickRecords(d.partitions);
    // Begun two and a quarter days before the ticks (now), the events are over more than a day before them: live event
    // time passes every end replay's end of input passes — snapshot_not_verified's, a day after a key's last snapshot.
    const records: InputRecord[] = [...extremeEvents(4, 2 * DAY + 6 * HOUR).lines.map(lineRecord), ...ticks];
    await produceRecords(kafka, d.topics, records);

    const { alerts, dlq, explained } = await runToEnd(d, 'extreme', ticks);
    await explained(async () => {
      expect(dlq).toEqual([]);
      const ref = await expectReplayAlerts(alerts, records, d.env, { moreThan: 0 });
      expect(ref.dlq).toEqual([]);
      expect(ref.incidents.length).toBeGreaterThan(0);
      expect(await storeIncidents(d.storeDir('extreme'))).toEqual(ref.incidents);
    });
  }, 180_000);

  it('malformed records go to the DLQ with their original bytes, key and headers, and processing goes on', async () => {
    const d = await deploy('dlq');
    const bad: InputRecord[] = [
      { value: 'this is not json ✓ ünïcödé', key: 'prod/api', type: 'promotion', headers: { 'x-trace': 'trace-1', 'content-type': 'application/json' } },
      { value: '{"type":"index","eventId":"bad-missing","occurredAt":"2026-11-27T10:00:00.000Z","env":"prod","artifact":"api","op":"read"}', key: 'prod/api', type: 'index' },
      { value: '[1,2,3]', key: null, type: 'hydration', headers: { 'x-trace': 'trace-3' } },
      { value: '{"type":"deploy","eventId":"bad-type","occurredAt":"2026-11-27T10:00:00.000Z","env":"prod","artifact":"api"}', key: 'prod/api', type: 'promotion' },
      // Valid but dated far ahead of the clock: processed, it would move the watermark to 9999 and leave the second
      // half of the scenario late (no alert); dead-lettered (DRIFTWATCH_MAX_FUTURE_SKEW), it changes nothing.
      {
        value: '{"type":"index","eventId":"bad-future","occurredAt":"9999-12-31T23:59:59.999Z","env":"prod","artifact":"api","op":"read","instance":"i9","servedDigest":"sha256:x","latencyMs":1,"status":"ok"}',
        key: 'prod/api',
        type: 'index',
      },
    ];
    const valid = fixtureRecords('lagging-replica.ndjson');
    const half = Math.floor(valid.length / 2);
    // Bad records first, one in the middle: everything after them must still be processed.
    const ticks = tickRecords(d.partitions);
    const records = [...bad.slice(0, 3), ...valid.slice(0, half), bad[3]!, bad[4]!, ...valid.slice(half), ...ticks];
    // Records only a Kafka input can carry (no replay line can; they stay out of the replay reference, and none
    // concerns a key the scenario judges): a value larger than the broker takes uncompressed (sent gzip'ed — its
    // dead letter once failed every commit and stopped the engine for good), an event keyed for another key
    // (co-partitioning), bytes that are not UTF-8, and a valid event on the topic of another type.
    const other = (id: string, instance: string) =>
      `{"type":"index","eventId":"${id}","occurredAt":"2026-11-27T10:00:00.000Z","env":"prod","artifact":"other","op":"read","instance":"${instance}","servedDigest":"sha256:x","latencyMs":1,"status":"ok"}`;
    const big = Buffer.from('{"type":"index","padding":"' + 'x'.repeat(2 * 1024 * 1024));
    const misKeyed = other('mis-keyed', 'i1');
    const [head, tail] = other('not-utf8', '@@').split('@@');
    const notUtf8 = Buffer.concat([Buffer.from(head!), Buffer.from([0xff, 0xfe]), Buffer.from(tail!)]); // instance: the bytes ff fe
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({
      topic: d.topics.index,
      compression: kafkajs.CompressionTypes.GZIP,
      messages: [
        { key: 'prod/api', value: big },
        { key: 'staging/zzz', value: misKeyed },
        { key: 'prod/other', value: notUtf8 },
      ],
    });
    const wrongTopic = other('wrong-topic', 'i2');
    await producer.send({ topic: d.topics.hydration, messages: [{ key: 'prod/other', value: wrongTopic }] });
    // The right key on a partition murmur2 of it does not give (a producer with librdkafka's default partitioner,
    // CRC32, or an explicit partition): its key's events would be split between members, never joined.
    const misplaced = other('wrong-partition', 'i3');
    const misplacedOn = (partitionOfKey('prod/other', d.partitions) + 1) % d.partitions;
    await producer.send({ topic: d.topics.index, messages: [{ key: 'prod/other', partition: misplacedOn, value: misplaced }] });
    await producer.disconnect();
    await produceRecords(kafka, d.topics, records);

    const { alerts, dlq, explained } = await runToEnd(d, 'solo', ticks, async (engine) => {
      // Dead letters are counted by kind: a clock problem (future_time) is told apart from malformed input.
      const metrics = await engine.metrics();
      expect(metrics.get(`driftwatch_dead_lettered_total{topic="${d.topics.index}",category="future_time"}`)).toBe(1);
      expect(metrics.get(`driftwatch_dead_lettered_total{topic="${d.topics.index}",category="wrong_key"}`)).toBe(1);
      expect(metrics.get(`driftwatch_dead_lettered_total{topic="${d.topics.index}",category="too_large"}`)).toBe(1);
      expect(metrics.get(`driftwatch_dead_lettered_total{topic="${d.topics.index}",category="wrong_partition"}`)).toBe(1);
    });
    const ref = await replayReference(records, d.env);
    await explained(async () => {
      expect(alertLines(alerts)).toEqual(alertLines(ref.alerts));
      expect(alerts.map((a) => `${a.rule} ${a.status} L${a.escalationLevel}`)).toEqual([
        'drift_detected firing L1',
        'drift_detected firing L2',
        'drift_detected resolved L2',
      ]);
    });

    // Where each bad record was: its topic, partition and offset on the input topics.
    const inputs = (await Promise.all(d.inputs.map((t) => readToEnd(kafka, t)))).flat();
    expect(dlq).toHaveLength(bad.length + 5);
    const deadBig = dlq.find((r) => r.headers['dw-truncated'] === 'true');
    expect(deadBig?.headers).toMatchObject({ 'dw-original-bytes': String(big.length), 'dw-source-topic': d.topics.index });
    // Over the 1 MiB an input event may take (replay bounds its lines the same way), whatever it holds.
    expect(deadBig?.headers['dw-error']).toBe(`message of ${big.length} bytes: longer than the ${MAX_EVENT_BYTES} an input event may take (replay rejects such a line too)`);
    expect(deadBig?.value).toBe(big.subarray(0, 256 * 1024).toString('utf8'));
    expect(dlq.find((r) => r.value === misKeyed)?.headers['dw-error']).toBe(
      'key: expected "prod/other" (<env>/<artifact> of the event, which the input topics are partitioned by), got "staging/zzz"',
    );
    expect(dlq.find((r) => r.value === misplaced)?.headers).toMatchObject({
      'dw-error': expect.stringMatching(new RegExp(`^partition: key "prod/other" belongs on partition ${partitionOfKey('prod/other', d.partitions)} of the ${d.partitions} of ${d.topics.index} .*, got partition ${misplacedOn}: `)),
      'dw-source-partition': String(misplacedOn),
    });
    expect(dlq.find((r) => r.value === notUtf8.toString('utf8'))?.headers['dw-error']).toBe('invalid JSON: not valid UTF-8');
    expect(dlq.find((r) => r.value === wrongTopic)?.headers).toMatchObject({
      'dw-error': `type: expected "hydration" on topic ${d.topics.hydration} (each input topic carries one event type), got "index"`,
      'dw-source-topic': d.topics.hydration,
    });
    for (const b of bad) {
      const source = inputs.find((r) => r.value === b.value)!;
      const dead = dlq.find((r) => r.value === b.value);
      expect(dead, b.value).toBeDefined();
      expect(dead!.key).toBe(b.key);
      expect(dead!.headers).toMatchObject({
        ...b.headers,
        'dw-source-topic': d.topics[b.type],
        'dw-source-partition': String(source.partition),
        'dw-source-offset': String(source.offset),
      });
      const reason = ref.dlq.find((x) => x.raw === b.value)?.reason;
      expect(reason).toBeTruthy();
      expect(dead!.headers['dw-error']).toBe(reason);
    }
  }, 180_000);
});
