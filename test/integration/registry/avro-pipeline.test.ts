/**
 * The engine on Avro input from a real registry: every scenario fixture,
 * Avro-encoded (lines that are not valid events stay as they are and take
 * the JSON path), decoded through the registry decoder and run through
 * createPipeline, gives the same incidents, alerts and dead letters as the
 * JSON fixture. Plus: records written with schema v2 (a new optional field)
 * are decoded by the engine; an unknown schema id is a dead letter at once.
 */
import { beforeAll, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { createPipeline } from '../../../engine/pipeline.js';
import { IncidentBook } from '../../../engine/incident-book.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import type { Decoder } from '../../../processors/decode.js';
import type { Envelope } from '../../../processors/facts.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { validateInputEvent } from '../../../schemas/input-events.js';
import { silentLogger } from '../../../lib/logger.js';
import { createRegistryClient } from '../../../schemas/registry/registry-client.js';
import { createRegistryDecoder } from '../../../schemas/registry/registry-decoder.js';
import { RegistryAdmin } from '../../../schemas/registry/registry-admin.js';
import { driftwatchSubjects, registerSubject, type SubjectSpec } from '../../../schemas/registry/register-schemas.js';
import { toWireFormat } from '../../../schemas/registry/wire-format.js';
import { alertShape, fixturesDir } from '../../helpers/replay-fixture.js';
import { deleteSubjects, describeRegistry, uniqueTopics } from './registry-env.js';

type EventType = 'promotion' | 'hydration' | 'index';

function fixtureLines(name: string): string[] {
  // As replay does: blank lines are not records.
  return readFileSync(join(fixturesDir, name), 'utf8').split('\n').filter((l) => l.trim() !== '');
}

/** Runs the pipeline (no store) over raw Kafka-like values; alert ids and clock fixed. */
async function runPipeline(values: Buffer[], decoder?: Decoder) {
  const book = new IncidentBook();
  const alerts: AlertEvent[] = [];
  const deadLetters: string[] = [];
  const envelopes: Envelope[] = [];
  let n = 0;
  const pipeline = createPipeline({
    processing: defaultProcessingOptions,
    alerts: defaultAlertsConfig(),
    alerting: { now: () => Date.parse('2026-11-27T00:00:00.000Z'), newAlertId: () => `alert-${++n}` },
    writer: null,
    decoder,
    onEnvelope: (e) => envelopes.push(e),
    onFact: (fact) => {
      book.observe(fact);
      if (fact.kind === 'alert') alerts.push(fact.alert);
    },
    onDeadLetter: (dl) => deadLetters.push(dl.reason),
  });
  values.forEach((value, i) => pipeline.push({ value, source: { topic: 't', partition: 0, offset: String(i) } }));
  await pipeline.end();
  return { incidents: book.records(), alerts, deadLetters, envelopes, counters: pipeline.counters };
}

describeRegistry('engine on Avro input (real registry)', (url) => {
  const topics = uniqueTopics();
  const specs = driftwatchSubjects(topics);
  const ids: Record<EventType, number> = { promotion: 0, hydration: 0, index: 0 };
  let client: SchemaRegistry;

  beforeAll(async () => {
    const admin = new RegistryAdmin(url);
    for (const spec of specs.slice(0, 3)) {
      const report = await registerSubject(admin, spec);
      ids[spec.schemaName.replace('-event', '') as EventType] = report.id;
    }
    client = createRegistryClient(url);
    return () => deleteSubjects(url, specs.map((s) => s.subject));
  });

  /** Each valid event as Confluent Avro (schema of its type), everything else as the original bytes. */
  async function toAvro(lines: string[], extra: Record<string, unknown> = {}, idOf: (t: EventType) => number = (t) => ids[t]) {
    let avro = 0;
    const values: Buffer[] = [];
    for (const line of lines) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      const checked = validateInputEvent(parsed);
      if (checked.ok) {
        values.push(await client.encode(idOf(checked.event.type), { ...checked.event, ...extra }));
        avro++;
      } else values.push(Buffer.from(line));
    }
    return { values, avro };
  }

  const fixtures = readdirSync(fixturesDir).filter((f) => f.endsWith('.ndjson')).sort();
  const withoutAlerts = new Set([
    'failed-canary-rolled-back.ndjson',
    'late-promotion-audit.ndjson',
    'late-success-after-rollback.ndjson',
    'promotion-retried.ndjson',
    'retry-after-rollback.ndjson',
    'rollback-in-later-window.ndjson',
  ]);

  it.each(fixtures)('%s: Avro-encoded events give the same incidents, alerts and dead letters as JSON', async (fixture) => {
    const lines = fixtureLines(fixture);
    const json = await runPipeline(lines.map((l) => Buffer.from(l)));
    // A comparison worth making: every fixture yields incidents or alerts, except those whose point is that none come
    // (their events, counted in `counters`, are still compared): a failed canary rolled back, and promotions only
    // (rollback-in-later-window, promotion-retried, retry-after-rollback, late-success-after-rollback: what their
    // promotion windows and outcomes say: too few promotions for a rate rule; late-promotion-audit: its audit records).
    expect(json.incidents.length + json.alerts.length > 0 || withoutAlerts.has(fixture)).toBe(true);
    const { values, avro } = await toAvro(lines);
    expect(avro).toBeGreaterThan(0);
    const decoder = createRegistryDecoder({ registry: createRegistryClient(url), logger: silentLogger });
    const fromAvro = await runPipeline(values, decoder);

    expect(decoder.stats.avro).toBe(avro);
    expect(decoder.stats.outages).toBe(0);
    expect(fromAvro.incidents).toEqual(json.incidents);
    expect(fromAvro.alerts).toEqual(json.alerts);
    expect(fromAvro.alerts.map(alertShape)).toEqual(json.alerts.map(alertShape));
    // Same records dead-lettered for the same reasons; only the decoder's name in the prefix differs.
    expect(fromAvro.deadLetters).toEqual(
      json.deadLetters.map((r) => r.replace(/^invalid JSON: /, 'invalid Avro/JSON: not JSON, and not Avro (no magic byte 0): ')),
    );
    expect(fromAvro.counters).toEqual(json.counters);
  });

  it('decodes records written with schema v2 (a new optional field with default null)', async () => {
    const promotion = specs[0]!;
    const schema = structuredClone(promotion.schema) as { fields: unknown[] };
    schema.fields.push({ name: 'ticket', type: ['null', 'string'], default: null, doc: 'change ticket' });
    const v2: SubjectSpec = { ...promotion, schema };
    const report = await registerSubject(new RegistryAdmin(url), v2);
    expect(report).toMatchObject({ status: 'registered', version: 2 });

    const lines = fixtureLines('rollback.ndjson');
    const json = await runPipeline(lines.map((l) => Buffer.from(l)));
    const { values } = await toAvro(lines, { ticket: 'CHG-42' }, (t) => (t === 'promotion' ? report.id : ids[t]));
    const fromAvro = await runPipeline(values, createRegistryDecoder({ registry: createRegistryClient(url) }));

    expect(fromAvro.incidents).toEqual(json.incidents);
    expect(fromAvro.alerts).toEqual(json.alerts);
    const promotions = fromAvro.envelopes.filter((e) => e.event.type === 'promotion');
    expect(promotions.length).toBeGreaterThan(0);
    for (const e of promotions) expect((e.event as unknown as { ticket: string }).ticket).toBe('CHG-42');
  });

  it('dead-letters an event whose Avro string is not valid UTF-8, as its JSON twin, instead of processing a phantom instance', async () => {
    const event = { type: 'index', eventId: 'utf8-1', occurredAt: '2026-11-27T10:00:00.000Z', env: 'prod', artifact: 'api', op: 'read', instance: 'idx-7', servedDigest: 'sha256:a', latencyMs: 2.5, status: 'ok' };
    // "idx-7" → "idx" 0xFF "7", in the Avro body and in the JSON text alike.
    const patch = (bytes: Buffer) => {
      const at = bytes.indexOf('idx-7');
      const out = Buffer.from(bytes);
      out[at + 3] = 0xff;
      return out;
    };
    const avro = patch(await client.encode(ids.index, event));
    const json = patch(Buffer.from(JSON.stringify(event)));
    const result = await runPipeline([avro, json], createRegistryDecoder({ registry: createRegistryClient(url) }));
    expect(result.envelopes).toEqual([]);
    expect(result.deadLetters).toEqual([
      `invalid Avro/JSON: schema id ${ids.index}: field instance: its bytes are not valid UTF-8 (an Avro string must be); not processed with a replacement character`,
      'invalid Avro/JSON: not JSON, and not Avro (no magic byte 0): not valid UTF-8',
    ]);
  });

  it('dead-letters a record whose schema id the registry does not know, without waiting', async () => {
    const started = Date.now();
    const result = await runPipeline([toWireFormat(987_654, Buffer.from([2, 4, 6]))], createRegistryDecoder({ registry: createRegistryClient(url) }));
    expect(result.deadLetters).toHaveLength(1);
    expect(result.deadLetters[0]).toMatch(/^invalid Avro\/JSON: schema id 987654 is not in the schema registry \(/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
