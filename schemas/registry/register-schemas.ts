/**
 * Registering driftwatch's Avro schemas: one subject per topic, named by the
 * TopicNameStrategy every Confluent serializer uses by default
 * (`<topic>-value`), so producers in any language find them.
 *
 * Each subject gets BACKWARD compatibility before its schema is registered
 * (a consumer with the new schema can read records written with the old one:
 * add fields with defaults, never make a field required). A subject that
 * already has a level of its own keeps it when it is at least as strict
 * (BACKWARD_TRANSITIVE, FULL, FULL_TRANSITIVE); a FORWARD level is an
 * operator's decision in the other direction, reported rather than overridden.
 */
import { avroSchemas } from '../avro-schemas.js';
import type { CompatibilityLevel, RegistryAdmin } from './registry-admin.js';
import { SchemaIncompatibleError, SchemaRegistryError } from './registry-errors.js';

export interface SubjectSpec {
  topic: string;
  /** `<topic>-value`. */
  subject: string;
  /** Base name in schemas/avro, e.g. promotion-event. */
  schemaName: string;
  schema: unknown;
}

export interface RegistrationReport {
  subject: string;
  schemaName: string;
  id: number;
  version: number;
  /** `registered`: a new version; `unchanged`: this exact schema was already there. */
  status: 'registered' | 'unchanged';
  compatibility: CompatibilityLevel;
  /** The level before this run when it was changed; undefined when left as it was. */
  compatibilityWas?: CompatibilityLevel | null;
}

const STRICT_ENOUGH: readonly CompatibilityLevel[] = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'];

/** The subjects of the three input topics and the alerts topic, with the schemas generated into schemas/avro. */
export function driftwatchSubjects(topics: { promotion: string; hydration: string; index: string; alerts: string }): SubjectSpec[] {
  const schemas = avroSchemas();
  const pairs: Array<[string, string]> = [
    [topics.promotion, 'promotion-event'],
    [topics.hydration, 'hydration-event'],
    [topics.index, 'index-event'],
    [topics.alerts, 'alert-event'],
  ];
  return pairs.map(([topic, schemaName]) => ({ topic, subject: `${topic}-value`, schemaName, schema: schemas[schemaName] }));
}

async function ensureCompatibility(admin: RegistryAdmin, subject: string, wanted: CompatibilityLevel) {
  const current = await admin.getCompatibility(subject);
  // NONE is also what Apicurio reports for a subject without a rule of its own.
  if (current === null || current === 'NONE') {
    await admin.setCompatibility(subject, wanted);
    return { compatibility: wanted, compatibilityWas: current };
  }
  if (current === wanted || (wanted === 'BACKWARD' && STRICT_ENOUGH.includes(current))) return { compatibility: current };
  throw new SchemaRegistryError(
    `subject ${subject} has compatibility ${current}, but driftwatch needs ${wanted} (or stricter: ${STRICT_ENOUGH.slice(1).join(', ')}) ` +
      `so that consumers can always read older records. Change it (PUT /config/${subject} {"compatibility":"${wanted}"}) and run again.`,
  );
}

/** driftwatch.promotion.v1 → driftwatch.promotion.v2; other names get a .v2 suffix. */
function nextTopicVersion(topic: string): string {
  const m = /^(.*\.v)(\d+)$/.exec(topic);
  return m ? `${m[1]}${Number(m[2]) + 1}` : `${topic}.v2`;
}

/** Sets the compatibility level and registers the schema of one subject; idempotent. */
export async function registerSubject(
  admin: RegistryAdmin,
  spec: SubjectSpec,
  options: { compatibility?: CompatibilityLevel } = {},
): Promise<RegistrationReport> {
  const compat = await ensureCompatibility(admin, spec.subject, options.compatibility ?? 'BACKWARD');
  const base = { subject: spec.subject, schemaName: spec.schemaName, ...compat };
  const existing = await admin.lookUp(spec.subject, spec.schema);
  if (existing) return { ...base, ...existing, status: 'unchanged' };
  try {
    await admin.register(spec.subject, spec.schema);
  } catch (err) {
    if (!(err instanceof SchemaIncompatibleError)) throw err;
    throw new SchemaIncompatibleError(
      spec.subject,
      `${err.message}. Schema ${spec.schemaName} (schemas/avro/${spec.schemaName}.avsc) is not ${compat.compatibility}-compatible with what ` +
        `${spec.subject} already holds: a new field needs a default (e.g. "type": ["null", "string"], "default": null), and a field ` +
        `without a default must not be added, renamed or retyped. A breaking change needs a new topic (e.g. ${nextTopicVersion(spec.topic)}).`,
      { cause: err },
    );
  }
  const registered = await admin.lookUp(spec.subject, spec.schema);
  if (!registered) throw new SchemaRegistryError(`registered a schema in ${spec.subject}, but the registry cannot find it again`);
  return { ...base, ...registered, status: 'registered' };
}

export function formatRegistrationReport(r: RegistrationReport): string {
  const compat =
    r.compatibilityWas === undefined ? r.compatibility : `${r.compatibility} (was ${r.compatibilityWas ?? 'unset'})`;
  return `${r.subject}: ${r.schemaName} ${r.status === 'registered' ? 'registered as' : 'already registered as'} version ${r.version}, schema id ${r.id}; compatibility ${compat}`;
}
