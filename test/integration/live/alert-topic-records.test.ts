/**
 * The alert topic as a consumer that pages from it reads it (SPEC §2, §6;
 * README "Consuming alerts"), from `driftwatch run` on the real broker over
 * alert-lifecycle-edges.ndjson (several instances of one fingerprint, four
 * rules on one key, a drift open when the input ends), in JSON and in Avro:
 * - every record's key is its alert's fingerprint, on the partition murmur2
 *   of that key gives, so each fingerprint's events are on one partition in
 *   the order replay decided them;
 * - its headers are copies of the value's fields (`dw-rule`, `dw-status`,
 *   `dw-severity`, `dw-escalation-level`, `dw-starts-at`), `dw-first-firing`
 *   is `true` on each instance's first firing only, `content-type` names the
 *   encoding;
 * - the value, decoded as the README does (Avro: by the schema id in the
 *   record, from the registry; the schema registered under
 *   `<alerts topic>-value` is schemas/avro/alert-event.avsc), is replay's
 *   alert field by field but for the wall-clock `emittedAt` (and Avro's nulls
 *   for absent optional fields), and passes the package's validator.
 */
import { it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avsc from 'avsc';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { validateAlertEvent } from '../../../schemas/received-alert.js';
import { partitionOfKey } from '../../../topics/key-partition.js';
import { describeKafka, readToEnd, type ReadRecord } from '../kafka/kafka-env.js';
import { repoRoot, runCli } from './engine-process.js';
import { liveSuite } from './live-env.js';
import { soloFixtureRun } from './solo-fixture-run.js';

const REGISTRY = (process.env.SCHEMA_REGISTRY_URL ?? '').trim();
/** The Avro case needs the registry: skipped without one, except under CI=true (where it must run). */
const noRegistry = REGISTRY === '' && process.env.CI !== 'true';

/** What a decoded Avro alert holds for a JSON one: the optional fields JSON leaves out are null. */
function withNulls(a: AlertEvent): Record<string, unknown> {
  const { runbookUrl = null, notify = null, channels = null, respondWithin = null } = a.annotations;
  return { ...a, endsAt: a.endsAt ?? null, incidentId: a.incidentId ?? null, correlationId: a.correlationId ?? null, annotations: { ...a.annotations, runbookUrl, notify, channels, respondWithin } };
}

/** Per alertId, whether replay's emission was its instance's first firing (a firing with no firing before it since its fingerprint last resolved). */
function firstFirings(alerts: readonly AlertEvent[]): Map<string, boolean> {
  const open = new Set<string>();
  const first = new Map<string, boolean>();
  for (const a of alerts) {
    first.set(a.alertId, a.status === 'firing' && !open.has(a.fingerprint));
    if (a.status === 'firing') open.add(a.fingerprint);
    else open.delete(a.fingerprint);
  }
  return first;
}

/** alertIds per fingerprint, in order. */
function idsByFingerprint(alerts: ReadonlyArray<Pick<AlertEvent, 'fingerprint' | 'alertId'>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of alerts) out.set(a.fingerprint, [...(out.get(a.fingerprint) ?? []), a.alertId]);
  return out;
}

describeKafka('alert topic records', (brokers) => {
  const suite = liveSuite(brokers);
  const { kafka } = suite;

  for (const format of ['json', 'avro'] as const) {
    it.skipIf(format === 'avro' && noRegistry)(`keys, partitions, headers and values of ${format} alerts are the contract's`, async () => {
      const avro = format === 'avro';
      const d = await suite.deploy(`alert-records-${format}`, { env: avro ? { DRIFTWATCH_ALERT_FORMAT: 'avro', SCHEMA_REGISTRY_URL: REGISTRY } : {} });
      if (avro) await runCli(['schemas', 'register'], d.env);
      const startedAt = Date.now();
      await soloFixtureRun(suite, d, 'alert-lifecycle-edges.ndjson', async (ref) => {
        expect(ref.alerts).toHaveLength(23); // alert-lifecycle-edges.test.ts

        const registry = new SchemaRegistry({ host: REGISTRY });
        if (avro) {
          // The registry client's schema for the subject's latest id is an avsc Type: the same canonical form as the file's.
          const registered = (await registry.getLatestSchemaId(`${d.topics.alerts}-value`).then((id) => registry.getSchema(id))) as unknown as avsc.Type;
          expect(registered.equals(avsc.Type.forSchema(JSON.parse(readFileSync(join(repoRoot, 'schemas/avro/alert-event.avsc'), 'utf8')) as avsc.Schema))).toBe(true);
        }
        const raw: ReadRecord[] = await readToEnd(kafka, d.topics.alerts, { timeoutMs: 30_000 });
        const read = await Promise.all(
          raw.map(async (r) => ({ record: r, alert: (avro ? JSON.parse(JSON.stringify(await registry.decode(r.valueBytes!))) : JSON.parse(r.value!)) as AlertEvent })),
        );
        expect(read.map((x) => x.alert.alertId).sort()).toEqual(ref.alerts.map((a) => a.alertId).sort());

        const byId = new Map(ref.alerts.map((a) => [a.alertId, a]));
        const first = firstFirings(ref.alerts);
        for (const { record, alert } of read) {
          const expected = byId.get(alert.alertId)!;
          expect({ ...alert, emittedAt: 'wall clock' }).toEqual(avro ? { ...withNulls(expected), emittedAt: 'wall clock' } : { ...expected, emittedAt: 'wall clock' });
          expect(validateAlertEvent(alert).ok).toBe(true);
          expect(alert.emittedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
          expect(Date.parse(alert.emittedAt)).toBeGreaterThanOrEqual(startedAt);
          expect(record.key).toBe(alert.fingerprint);
          expect(record.partition).toBe(partitionOfKey(alert.fingerprint, d.partitions));
          expect(record.headers).toEqual({
            'dw-rule': alert.rule,
            'dw-status': alert.status,
            'dw-severity': alert.severity,
            'dw-escalation-level': String(alert.escalationLevel),
            'dw-starts-at': alert.startsAt,
            'dw-first-firing': String(first.get(alert.alertId)),
            'content-type': avro ? 'avro/binary' : 'application/json',
          });
        }
        // readToEnd sorts by partition and offset: each fingerprint's events in replay's order.
        expect(idsByFingerprint(read.map((x) => x.alert))).toEqual(idsByFingerprint(ref.alerts));
        // The fixture spreads its fingerprints over more than one partition (else the key check says little).
        expect(new Set(raw.map((r) => r.partition)).size).toBeGreaterThan(1);
      });
    });
  }
});
