/**
 * The three input events (SPEC §3). One definition each gives the TypeScript
 * type, the validator and the Avro schema.
 */
import { s, type Infer, type Schema } from './dsl.js';
import { quotedStart, startOf } from '../lib/unicode.js';
import { ID_PART_SEPARATOR } from '../lib/ids.js';

/**
 * Most characters an identifying string may hold: names, ids, versions,
 * digests (`reason` and a hydration's `error`, free text, are bounded by the
 * event's size alone). An alert repeats these strings — labels, summary,
 * description, a percent-encoded runbookUrl — and a key's state keeps them,
 * so one event with a 450 000-character artifact made a 2.25 MB alert the
 * broker refused (MESSAGE_TOO_LARGE, not retriable): live mode failed that
 * commit on every restart. At this bound the largest alert stays far below
 * one send (test/scenarios/long-strings.test.ts); real names are a few dozen.
 */
export const MAX_IDENTIFIER_CHARS = 1024;

/**
 * A required identifying string, at most MAX_IDENTIFIER_CHARS long; the bound is in its doc (Avro cannot say it).
 * `idPart`: the field is joined into ids (incident ids, alert fingerprints and so alert ids), whose parts lib/ids.ts
 * separates with NUL: env "a\0b" with artifact "c" and env "a" with artifact "b\0c" would share them (two keys'
 * incidents under one id, one of them lost). Such a field refuses NUL, which no real name holds; renumbering every
 * issued id to another scheme would not be worth it. The other strings are stored as sent, NUL and all.
 */
function identifier(opts: { forbid?: readonly string[]; doc?: string; idPart?: boolean } = {}) {
  const bound = `at most ${MAX_IDENTIFIER_CHARS} characters`;
  const rules = opts.idPart ? `${bound}; no NUL (U+0000)` : bound;
  const forbid = [...(opts.forbid ?? []), ...(opts.idPart ? [ID_PART_SEPARATOR] : [])];
  return s.string({ forbid, maxLength: MAX_IDENTIFIER_CHARS, doc: opts.doc === undefined ? rules : `${opts.doc}; ${rules}` });
}

const common = {
  eventId: identifier({ doc: 'unique per event; duplicates are processed once' }),
  occurredAt: s.timestamp({ doc: 'event time, RFC 3339 UTC with ms' }),
  // No "/" in env: the key is `<env>/<artifact>` (SPEC §2), and env "prod/eu" with artifact "search" would share the
  // key, and so the state, of env "prod" with artifact "eu/search". Artifact ids may hold "/" (org/repo).
  env: identifier({ forbid: ['/'], idPart: true, doc: 'environment the event is about (for promotions: the target); must not contain "/" (the key is <env>/<artifact>)' }),
  artifact: identifier({ idPart: true, doc: 'artifact id' }),
  correlationId: s.optional(identifier({ doc: 'carried into alerts, incidents and audit records' })),
};

export const promotionPhases = ['started', 'gate', 'snapshot', 'succeeded', 'failed', 'rolled_back'] as const;
export type PromotionPhase = (typeof promotionPhases)[number];

export const promotionEventSchema = s.object(
  {
    type: s.enumOf(['promotion'] as const),
    ...common,
    promotionId: identifier(),
    phase: s.enumOf(promotionPhases),
    version: s.optional(identifier({ doc: 'artifact version being promoted (required on started and succeeded)' })),
    digest: s.optional(identifier({ doc: 'artifact content digest being promoted (required on started and succeeded)' })),
    fromEnv: s.optional(identifier()),
    gate: s.optional(
      s.object(
        {
          name: identifier({ idPart: true }),
          result: s.enumOf(['passed', 'failed'] as const),
          durationMs: s.number({ min: 0 }),
        },
        { name: 'Gate' },
      ),
    ),
    snapshot: s.optional(s.object({ snapshotId: identifier(), verified: s.boolean() }, { name: 'Snapshot' })),
    rollbackTo: s.optional(s.object({ version: identifier(), digest: identifier() }, { name: 'RollbackTarget' })),
    actor: s.optional(identifier()),
    reason: s.optional(s.string()),
  },
  {
    name: 'PromotionEvent',
    doc: 'Promotion lifecycle event (driftwatch.promotion.v1)',
    refine: (e) => {
      if ((e.phase === 'started' || e.phase === 'succeeded') && (e.version == null || e.digest == null)) {
        return `${e.version == null ? 'version' : 'digest'}: is required when phase is ${e.phase}`;
      }
      if (e.phase === 'gate' && e.gate == null) return 'gate: is required when phase is gate';
      if (e.phase === 'snapshot' && e.snapshot == null) return 'snapshot: is required when phase is snapshot';
      if (e.phase === 'rolled_back' && e.rollbackTo == null) return 'rollbackTo: is required when phase is rolled_back';
      return undefined;
    },
  },
);

export const hydrationEventSchema = s.object(
  {
    type: s.enumOf(['hydration'] as const),
    ...common,
    ruleId: identifier({ idPart: true }),
    instance: identifier({ doc: 'the replica that ran the rule' }),
    inputDigest: identifier({ doc: 'digest of the artifact it loaded' }),
    outputDigest: identifier({ doc: 'digest of the hydrated result' }),
    durationMs: s.number({ min: 0 }),
    status: s.enumOf(['ok', 'error'] as const),
    error: s.optional(s.string()),
  },
  { name: 'HydrationEvent', doc: 'Hydration rule execution (driftwatch.hydration.v1)' },
);

export const indexEventSchema = s.object(
  {
    type: s.enumOf(['index'] as const),
    ...common,
    op: s.enumOf(['read', 'write'] as const),
    instance: identifier(),
    servedDigest: identifier({ doc: 'digest of the artifact state the index serves' }),
    latencyMs: s.number({ min: 0 }),
    status: s.enumOf(['ok', 'error'] as const),
    shard: s.optional(identifier()),
  },
  { name: 'IndexEvent', doc: 'Index read/write operation (driftwatch.index.v1)' },
);

export type PromotionEvent = Infer<typeof promotionEventSchema>;
export type HydrationEvent = Infer<typeof hydrationEventSchema>;
export type IndexEvent = Infer<typeof indexEventSchema>;
export type InputEvent = PromotionEvent | HydrationEvent | IndexEvent;
export type InputEventType = InputEvent['type'];

export const inputEventSchemas: { [K in InputEventType]: Schema<Extract<InputEvent, { type: K }>> } = {
  promotion: promotionEventSchema,
  hydration: hydrationEventSchema,
  index: indexEventSchema,
};

/** The three types, in SPEC order (the keys of inputEventSchemas). */
export const inputEventTypes = Object.keys(inputEventSchemas) as readonly InputEventType[];

/** The `type` a reason quotes: a string by its start (lib/unicode.ts quotedStart), anything else as JSON, as briefly. */
function quotedType(type: unknown): string {
  if (typeof type === 'string') return quotedStart(type);
  const text = JSON.stringify(type) ?? String(type);
  return text.length <= 40 ? text : `${startOf(text, 40)}…`;
}

/**
 * The optional top-level string fields of each type (correlationId, error,
 * shard, fromEnv, actor, reason; version and digest, which `refine` requires
 * on some phases).
 */
const optionalStrings: { [K in InputEventType]: readonly string[] } = {
  promotion: optionalStringFields(promotionEventSchema.fields),
  hydration: optionalStringFields(hydrationEventSchema.fields),
  index: optionalStringFields(indexEventSchema.fields),
};

function optionalStringFields(fields: Record<string, Schema<unknown>>): string[] {
  return Object.entries(fields).filter(([, f]) => f.isOptional && f.kind === 'string').map(([name]) => name);
}

/**
 * `value` without the optional string fields sent as "" (a shallow copy; the
 * same object when there is none): a producer's zero value (Go without
 * omitempty, a Java field never set) means "none", and SPEC §3 dead-letters
 * only a missing or ill-typed required field — an ok hydration with
 * `"error": ""` is a valid event. A field `refine` requires on a phase is
 * then missing there, as it should be. A copy, not a delete in place: the
 * value may be a producer's own object (validateInputEvent is exported by
 * driftwatch/schemas), frozen even.
 */
function withoutEmptyOptionals(value: Record<string, unknown>, type: InputEventType): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const name of optionalStrings[type]) {
    if (value[name] !== '') continue;
    copy ??= { ...value };
    delete copy[name];
  }
  return copy ?? value;
}

/**
 * The schema of an event `type`, or undefined: an own property of
 * inputEventSchemas only. A plain look-up by the value found, for a type
 * such as "constructor" or "toString", what every object inherits (a
 * function), and decoding threw instead of dead-lettering the record: a
 * replay stopped there.
 */
function schemaOfType(type: unknown): Schema<InputEvent> | undefined {
  return typeof type === 'string' && Object.hasOwn(inputEventSchemas, type) ? (inputEventSchemas as Record<string, Schema<InputEvent>>)[type] : undefined;
}

/**
 * Validates any input event, dispatching on `type`; the message names the
 * failing field. An optional string sent as "" is taken as absent: the event
 * returned is then a copy without it (withoutEmptyOptionals), looked for only
 * once the event failed; `value` itself is never changed.
 */
export function validateInputEvent(value: unknown): { ok: true; event: InputEvent } | { ok: false; error: string } {
  return validateDecodedEvent(value, false);
}

/**
 * validateInputEvent, told whether every string in `value` is known to be
 * well-formed Unicode (processors/decode.ts knows it of most JSON texts): the
 * check for lone surrogates is then left out of the first, compiled pass
 * (`isValidWellFormed`), with the same verdict.
 */
export function validateDecodedEvent(value: unknown, stringsWellFormed: boolean): { ok: true; event: InputEvent } | { ok: false; error: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'expected a JSON object' };
  }
  const type = (value as { type?: unknown }).type;
  const schema = schemaOfType(type);
  if (!schema) {
    return { ok: false, error: `type: expected one of promotion, hydration, index, got ${type === undefined ? 'nothing' : quotedType(type)}` };
  }
  // The compiled predicate first; the walk that names the problem only for an invalid event.
  if ((stringsWellFormed ? schema.isValidWellFormed : schema.isValid)?.(value)) return { ok: true, event: value as InputEvent };
  const cleared = withoutEmptyOptionals(value as Record<string, unknown>, type as InputEventType);
  if (cleared !== value && schema.isValid?.(cleared)) return { ok: true, event: cleared as InputEvent };
  const error = schema.check(cleared, '');
  return error === undefined ? { ok: true, event: cleared as InputEvent } : { ok: false, error };
}
