import { describe, it, expect } from 'vitest';
import { RegistryAdmin } from '../../../schemas/registry/registry-admin.js';
import { driftwatchSubjects, formatRegistrationReport, registerSubject, type SubjectSpec } from '../../../schemas/registry/register-schemas.js';
import { SchemaIncompatibleError, SchemaRegistryError } from '../../../schemas/registry/registry-errors.js';
import { avroSchemas } from '../../../schemas/avro-schemas.js';
import { fakeRegistryFetch } from './fake-registry-fetch.js';

const topics = { promotion: 'driftwatch.promotion.v1', hydration: 'driftwatch.hydration.v1', index: 'driftwatch.index.v1', alerts: 'driftwatch.alerts.v1' };
const URL_ = 'http://registry.test/api';

function promotionSpec(): SubjectSpec {
  return driftwatchSubjects(topics)[0]!;
}

/** The promotion schema plus one field. */
function withField(spec: SubjectSpec, field: Record<string, unknown>): SubjectSpec {
  const schema = structuredClone(spec.schema) as { fields: unknown[] };
  schema.fields.push(field);
  return { ...spec, schema };
}

describe('driftwatchSubjects', () => {
  it('names one <topic>-value subject per input topic and the alerts topic, with the generated schemas', () => {
    const subjects = driftwatchSubjects(topics);
    expect(subjects.map((s) => `${s.subject} ${s.schemaName}`)).toEqual([
      'driftwatch.promotion.v1-value promotion-event',
      'driftwatch.hydration.v1-value hydration-event',
      'driftwatch.index.v1-value index-event',
      'driftwatch.alerts.v1-value alert-event',
    ]);
    expect(subjects[3]!.schema).toEqual(avroSchemas()['alert-event']);
  });
});

describe('registerSubject', () => {
  it('sets BACKWARD on a new subject before registering its first version', async () => {
    const fake = fakeRegistryFetch();
    const report = await registerSubject(new RegistryAdmin(URL_, { fetch: fake.fetch }), promotionSpec());
    expect(report).toEqual({
      subject: 'driftwatch.promotion.v1-value',
      schemaName: 'promotion-event',
      id: 1,
      version: 1,
      status: 'registered',
      compatibility: 'BACKWARD',
      compatibilityWas: null,
    });
    expect(fake.requests).toEqual([
      'GET /config/driftwatch.promotion.v1-value',
      'PUT /config/driftwatch.promotion.v1-value',
      'POST /subjects/driftwatch.promotion.v1-value',
      'POST /subjects/driftwatch.promotion.v1-value/versions',
      'POST /subjects/driftwatch.promotion.v1-value',
    ]);
    expect(formatRegistrationReport(report)).toBe(
      'driftwatch.promotion.v1-value: promotion-event registered as version 1, schema id 1; compatibility BACKWARD (was unset)',
    );
  });

  it('is idempotent: an unchanged schema is reported, not registered again', async () => {
    const fake = fakeRegistryFetch();
    const admin = new RegistryAdmin(URL_, { fetch: fake.fetch });
    await registerSubject(admin, promotionSpec());
    fake.requests.length = 0;
    const again = await registerSubject(admin, promotionSpec());
    expect(again).toMatchObject({ status: 'unchanged', id: 1, version: 1, compatibility: 'BACKWARD' });
    expect(again.compatibilityWas).toBeUndefined();
    expect(fake.requests).toEqual(['GET /config/driftwatch.promotion.v1-value', 'POST /subjects/driftwatch.promotion.v1-value']);
    expect(formatRegistrationReport(again)).toBe(
      'driftwatch.promotion.v1-value: promotion-event already registered as version 1, schema id 1; compatibility BACKWARD',
    );
  });

  it('accepts an evolution that adds an optional field with default null as version 2', async () => {
    const fake = fakeRegistryFetch();
    const admin = new RegistryAdmin(URL_, { fetch: fake.fetch });
    await registerSubject(admin, promotionSpec());
    const v2 = await registerSubject(admin, withField(promotionSpec(), { name: 'ticket', type: ['null', 'string'], default: null }));
    expect(v2).toMatchObject({ status: 'registered', version: 2, id: 2 });
  });

  it('refuses an incompatible change with the registry reason and how to fix it', async () => {
    const fake = fakeRegistryFetch();
    const admin = new RegistryAdmin(URL_, { fetch: fake.fetch });
    await registerSubject(admin, promotionSpec());
    const err = await registerSubject(admin, withField(promotionSpec(), { name: 'owner', type: 'string' })).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaIncompatibleError);
    const message = (err as Error).message;
    expect(message).toContain('the registry refused the schema for driftwatch.promotion.v1-value as incompatible: Schema being registered is incompatible: owner has no default');
    expect(message).toContain('is not BACKWARD-compatible');
    expect(message).toContain('"default": null');
    expect(message).toContain('A breaking change needs a new topic (e.g. driftwatch.promotion.v2)');
  });

  it('keeps a stricter level, and treats Apicurio\'s NONE for an existing subject as unset', async () => {
    const fake = fakeRegistryFetch({ style: 'apicurio' });
    const admin = new RegistryAdmin(URL_, { fetch: fake.fetch });
    fake.levels.set('driftwatch.promotion.v1-value', 'FULL_TRANSITIVE');
    expect(await registerSubject(admin, promotionSpec())).toMatchObject({ compatibility: 'FULL_TRANSITIVE', status: 'registered' });

    const hydration = driftwatchSubjects(topics)[1]!;
    fake.subjects.set(hydration.subject, { versions: [] }); // created by someone else, no level of its own
    expect(await registerSubject(admin, hydration)).toMatchObject({ compatibility: 'BACKWARD', compatibilityWas: 'NONE' });
  });

  it('does not override a FORWARD level: it says what to change', async () => {
    const fake = fakeRegistryFetch();
    fake.levels.set('driftwatch.promotion.v1-value', 'FORWARD');
    const err = await registerSubject(new RegistryAdmin(URL_, { fetch: fake.fetch }), promotionSpec()).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaRegistryError);
    expect((err as Error).message).toMatch(
      /^subject driftwatch.promotion.v1-value has compatibility FORWARD, but driftwatch needs BACKWARD .*PUT \/config\/driftwatch.promotion.v1-value \{"compatibility":"BACKWARD"\}/,
    );
    expect(fake.subjects.size).toBe(0);
  });

  it('reports an unreachable registry as retryable, with a hint about the URL', async () => {
    const fake = fakeRegistryFetch();
    fake.state.down = true;
    const err = await registerSubject(new RegistryAdmin(URL_, { fetch: fake.fetch }), promotionSpec()).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaRegistryError);
    expect((err as SchemaRegistryError).canRetry).toBe(true);
    expect((err as Error).message).toBe(
      'cannot reach the schema registry at http://registry.test/api (ECONNREFUSED); is it running, and does SCHEMA_REGISTRY_URL include the API path (Apicurio: …/apis/ccompat/v7)?',
    );
  });

  it('recognises a URL that is not the API root (a 404 without a registry error code)', async () => {
    const fake = fakeRegistryFetch();
    const admin = new RegistryAdmin('http://registry.test/wrong', { fetch: fake.fetch });
    const err = await registerSubject(admin, promotionSpec()).then(() => null, (e: unknown) => e);
    expect((err as Error).message).toMatch(/answered 404: <html>Not Found<\/html> \(is http:\/\/registry.test\/wrong the API root\? Apicurio serves it under \/apis\/ccompat\/v7\)/);
  });
});
