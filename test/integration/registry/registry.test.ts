/**
 * Against a real Confluent-compatible registry (SCHEMA_REGISTRY_URL, see
 * registry-env.ts): the client library, `driftwatch schemas register`,
 * schema evolution and its refusal, and alerts encoded in Avro.
 */
import { afterAll, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { main } from '../../../cli/driftwatch.js';
import { silentLogger } from '../../../lib/logger.js';
import { createRegistryClient } from '../../../schemas/registry/registry-client.js';
import { RegistryAdmin } from '../../../schemas/registry/registry-admin.js';
import { driftwatchSubjects, registerSubject, type SubjectSpec } from '../../../schemas/registry/register-schemas.js';
import { SchemaIncompatibleError } from '../../../schemas/registry/registry-errors.js';
import { createAvroAlertEncoder } from '../../../schemas/registry/alert-encoder.js';
import { plainFromAvro } from '../../../schemas/registry/plain-value.js';
import { schemaIdOf } from '../../../schemas/registry/wire-format.js';
import { replayFixture } from '../../helpers/replay-fixture.js';
import { deleteSubjects, describeRegistry, uniqueTopics } from './registry-env.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, cb) => (chunks.push(String(chunk)), cb()) });
  return { stream, text: () => chunks.join('') };
}

function withField(spec: SubjectSpec, field: Record<string, unknown>): SubjectSpec {
  const schema = structuredClone(spec.schema) as { fields: unknown[] };
  schema.fields.push(field);
  return { ...spec, schema };
}

/** The environment of `driftwatch schemas register` for `topics` in the registry at `url`. */
function commandEnv(url: string, topics: ReturnType<typeof uniqueTopics>): Record<string, string> {
  return {
    SCHEMA_REGISTRY_URL: url,
    DRIFTWATCH_TOPIC_PROMOTION: topics.promotion,
    DRIFTWATCH_TOPIC_HYDRATION: topics.hydration,
    DRIFTWATCH_TOPIC_INDEX: topics.index,
    DRIFTWATCH_TOPIC_ALERTS: topics.alerts,
    LOG_LEVEL: 'silent',
  };
}

describeRegistry('schema registry (real)', (url) => {
  const created: string[] = [];
  afterAll(() => deleteSubjects(url, created));

  it('works with @kafkajs/confluent-schema-registry: register with BACKWARD, encode, decode, refuse a breaking change', async () => {
    const subject = `${uniqueTopics().promotion}-value`;
    created.push(subject);
    const client = new SchemaRegistry({ host: url });
    const schema = driftwatchSubjects(uniqueTopics())[2]!.schema; // index-event
    const { id } = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject });
    expect(await new RegistryAdmin(url).getCompatibility(subject)).toBe('BACKWARD');
    const event = { type: 'index', eventId: 'x-1', occurredAt: '2026-11-27T10:00:00.000Z', env: 'prod', artifact: 'api', op: 'read', instance: 'i-1', servedDigest: 'sha256:a', latencyMs: 2.5, status: 'ok' };
    const bytes = await client.encode(id, event);
    expect(bytes[0]).toBe(0);
    expect(schemaIdOf(bytes)).toBe(id);
    const decoded = await new SchemaRegistry({ host: url }).decode(bytes);
    expect(plainFromAvro(decoded)).toEqual(event);
    const breaking = structuredClone(schema) as { fields: unknown[] };
    breaking.fields.push({ name: 'owner', type: 'string' });
    await expect(client.register({ type: SchemaType.AVRO, schema: JSON.stringify(breaking) }, { subject })).rejects.toMatchObject({ status: 409 });
  });

  it('`driftwatch schemas register` registers the four subjects with BACKWARD, and is idempotent', async () => {
    const topics = uniqueTopics();
    const subjects = driftwatchSubjects(topics).map((s) => s.subject);
    created.push(...subjects);
    const env = commandEnv(url, topics);
    const first = sink();
    const err = sink();
    expect(await main(['schemas', 'register'], { logger: silentLogger, env, stdout: first.stream, stderr: err.stream })).toBe(0);
    expect(err.text()).toBe('');
    const lines = first.text().trim().split('\n');
    expect(lines.slice(0, 4).map((l) => l.replace(/version \d+, schema id \d+/, 'version N, schema id N'))).toEqual([
      `${topics.promotion}-value: promotion-event registered as version N, schema id N; compatibility BACKWARD (was unset)`,
      `${topics.hydration}-value: hydration-event registered as version N, schema id N; compatibility BACKWARD (was unset)`,
      `${topics.index}-value: index-event registered as version N, schema id N; compatibility BACKWARD (was unset)`,
      `${topics.alerts}-value: alert-event registered as version N, schema id N; compatibility BACKWARD (was unset)`,
    ]);
    expect(lines[4]).toBe(`all 4 subjects registered in ${url}`);
    const admin = new RegistryAdmin(url);
    for (const subject of subjects) expect(await admin.getCompatibility(subject)).toBe('BACKWARD');

    const second = sink();
    expect(await main(['schemas', 'register'], { logger: silentLogger, env, stdout: second.stream, stderr: err.stream })).toBe(0);
    expect(second.text()).toMatch(new RegExp(`^${topics.promotion.replaceAll('.', '\\.')}-value: promotion-event already registered as version 1`));
    expect(second.text().match(/already registered/g)).toHaveLength(4);
  });

  it('`driftwatch schemas register` fails (exit 1) on a subject whose schema its own cannot read, with the registry\'s reason, and registers the others', async () => {
    const topics = uniqueTopics();
    const subjects = driftwatchSubjects(topics).map((s) => s.subject);
    created.push(...subjects);
    // What the promotion subject already holds: records of another shape, which driftwatch's schema (required
    // fields without a default) cannot read under BACKWARD.
    const admin = new RegistryAdmin(url);
    await admin.setCompatibility(subjects[0]!, 'BACKWARD');
    await admin.register(subjects[0]!, { type: 'record', name: 'PromotionEvent', namespace: 'io.driftwatch.v1', fields: [{ name: 'eventId', type: 'string' }] });
    const env = commandEnv(url, topics);
    const out = sink();
    const err = sink();
    expect(await main(['schemas', 'register'], { logger: silentLogger, env, stdout: out.stream, stderr: err.stream })).toBe(1);
    const refusal = err.text().trim();
    expect(refusal).toMatch(new RegExp(`^${subjects[0]!.replaceAll('.', '\\.')}: the registry refused the schema for .* as incompatible: .*Incompatible artifact`));
    expect(refusal).toContain('Schema promotion-event (schemas/avro/promotion-event.avsc) is not BACKWARD-compatible');
    expect(refusal).toContain(`A breaking change needs a new topic (e.g. ${topics.promotion.replace(/v1$/, 'v2')})`);
    expect(out.text().trim().split('\n').at(-1)).toBe(`3 of 4 subjects registered in ${url}`);
  });

  it('accepts v2 with an optional field (default null), refuses a required one with a clear message', async () => {
    const admin = new RegistryAdmin(url);
    const spec = driftwatchSubjects(uniqueTopics())[0]!;
    created.push(spec.subject);
    const v1 = await registerSubject(admin, spec);
    const v2 = await registerSubject(admin, withField(spec, { name: 'ticket', type: ['null', 'string'], default: null }));
    expect(v2).toMatchObject({ status: 'registered', version: v1.version + 1, compatibility: 'BACKWARD' });
    expect(v2.id).not.toBe(v1.id);

    const refused = await registerSubject(admin, withField(spec, { name: 'owner', type: 'string' })).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(SchemaIncompatibleError);
    const message = (refused as Error).message;
    // The registry's own reason (Apicurio: "Incompatible artifact: … [owner at /fields/16]"), then how to fix it.
    expect(message).toMatch(new RegExp(`^the registry refused the schema for ${spec.subject.replaceAll('.', '\\.')} as incompatible: .*owner`));
    expect(message).toContain('is not BACKWARD-compatible');
    expect(message).toContain('a new field needs a default');
  });

  it('encodes alerts in Avro that decode with the registered alert schema', async () => {
    const topics = uniqueTopics();
    const admin = new RegistryAdmin(url);
    const spec = driftwatchSubjects(topics)[3]!;
    created.push(spec.subject);
    const registered = await registerSubject(admin, spec);
    const { alerts } = await replayFixture('lagging-replica.ndjson');
    expect(alerts.length).toBeGreaterThan(0);

    const encoder = createAvroAlertEncoder({ registry: createRegistryClient(url), subject: spec.subject, logger: silentLogger });
    await encoder.ready();
    expect(encoder.schemaId).toBe(registered.id);
    const reader = createRegistryClient(url); // a fresh client: the schema comes from the registry, not a cache
    for (const alert of alerts) {
      const bytes = encoder.encode(alert) as Buffer;
      expect(schemaIdOf(bytes)).toBe(registered.id);
      expect(plainFromAvro(await reader.decode(bytes))).toEqual(JSON.parse(JSON.stringify(alert)));
    }
  });
});
