/**
 * `driftwatch run` (a child process against the real broker) on Avro input
 * through the real schema registry (SCHEMA_REGISTRY_URL): a scenario produced
 * in Confluent wire format, JSON lines of another scenario on the same
 * topics, and records that claim the wire format but cannot be decoded. The
 * alerts and incidents are replay's of the JSON lines; every undecodable
 * record is on the DLQ topic with its original bytes, key and the reason, and
 * processing goes on past it.
 */
import { it, expect } from 'vitest';
import { describeKafka, readToEnd } from '../kafka/kafka-env.js';
import { storeIncidents, withEngineLogs } from './engine-process.js';
import { liveSuite, waitCommitted } from './live-env.js';
import { fixtureRecords, heldTicks, mergeByEventTime, produceRecords, tickRecords, type InputRecord } from './scenario-records.js';
import { alertLines, committedAlerts, replayReference } from './reference.js';
import { avroRecords } from '../../soak/avro-records.js';
import { schemaIdOf, toWireFormat } from '../../../schemas/registry/wire-format.js';

const REGISTRY = (process.env.SCHEMA_REGISTRY_URL ?? '').trim();
/** Needs the registry: skipped without one, except under CI=true (where it must run). */
const noRegistry = REGISTRY === '' && process.env.CI !== 'true';

describeKafka('live engine on Avro input (real registry)', (brokers) => {
  const { kafka, deploy } = liveSuite(brokers);

  it.skipIf(noRegistry)('Avro and JSON on the same topics give replay\'s alerts and incidents; undecodable Avro goes to the DLQ with its reason', async () => {
    if (REGISTRY === '') throw new Error('SCHEMA_REGISTRY_URL is unset (CI=true: this test must run, not skip)');
    const d = await deploy('avroin', { env: { SCHEMA_REGISTRY_URL: REGISTRY } });
    const inAvro = fixtureRecords('lagging-replica.ndjson', { artifactSuffix: '-avro' });
    const inJson = fixtureRecords('rollback.ndjson', { artifactSuffix: '-json' });
    const encoded = await avroRecords(REGISTRY, d.topics, inAvro);
    try {
      expect(encoded.avro).toBe(inAvro.length);
      const scenario = mergeByEventTime([encoded.records, inJson]);
      // Undecodable records on the hydration topic, in the middle of the scenario: a good Avro record cut short,
      // its header with garbage after it, and a schema id the registry has never given.
      const good = encoded.records.find((r) => r.type === 'hydration')!;
      const key = good.key;
      const bad = [
        { wire: good.wire!.subarray(0, good.wire!.length - 4), reason: /^invalid Avro\/JSON: schema id \d+: truncated buffer$/ },
        { wire: toWireFormat(schemaIdOf(good.wire!)!, Buffer.from('garbage garbage garbage')), reason: /^invalid Avro\/JSON: schema id \d+: invalid io\.driftwatch\.v1\.HydrationEventType enum index: -52$/ },
        { wire: toWireFormat(2_000_000_002, Buffer.from([2, 4, 6])), reason: /^invalid Avro\/JSON: schema id 2000000002 is not in the schema registry \(.+\)$/ },
      ];
      const badRecords: InputRecord[] = bad.map((b) => ({ value: '(undecodable)', wire: b.wire, key, type: 'hydration' }));
      const half = Math.floor(scenario.length / 2);
      const ticks = tickRecords(d.partitions);
      await produceRecords(kafka, d.topics, [...scenario.slice(0, half), ...badRecords, ...scenario.slice(half), ...ticks]);

      const engine = await d.startEngine('solo');
      const { alerts, dlq } = await withEngineLogs(() => [engine], async () => {
        await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks));
        const result = { alerts: await committedAlerts(kafka, d.topics.alerts), dlq: await readToEnd(kafka, d.topics.dlq) };
        expect((await engine.terminate()).code).toBe(0);
        return result;
      });
      const incidents = await storeIncidents(d.storeDir('solo'));
      // Replay reads the JSON line of every record (the Avro ones' too); the undecodable records are no events of it.
      const ref = await replayReference([...scenario, ...ticks], d.env);
      expect(ref.alerts.length).toBeGreaterThan(0);
      expect(alertLines(alerts)).toEqual(alertLines(ref.alerts));
      expect(incidents).toEqual(ref.incidents);

      expect(dlq).toHaveLength(bad.length);
      for (const [i, b] of bad.entries()) {
        const dead = dlq.find((r) => r.valueBytes?.equals(b.wire));
        expect(dead, `bad record ${i}`).toBeDefined();
        expect(dead!.key).toBe(key);
        expect(dead!.headers['dw-source-topic']).toBe(d.topics.hydration);
        expect(dead!.headers['dw-error']).toMatch(b.reason);
      }
    } finally {
      await encoded.cleanup();
    }
  }, 180_000);
});
