/**
 * Compiles the content digest of an object schema (schemas/dsl.ts): a 32-bit
 * hash of the values of the schema's own fields, for telling a retry of an
 * event (the same event sent again) from another event under the same
 * eventId (processors/event-digest.ts).
 *
 * What it covers is what the schema defines, read by name: field order,
 * unknown fields and the encoding (JSON, or Avro once made plain) do not
 * count; an absent optional field and a null one are the same (Avro has no
 * "absent"). The timestamp field is taken as the instant the caller parsed
 * (`at`), so two spellings of one instant are the same. Each field present
 * is mixed as its tag (a hash of its path, e.g. `gate.name`) then its value,
 * strings with their lengths, so that no two different contents are the same
 * sequence of words: only a 32-bit collision (one pair in about 4 billion)
 * makes two of them one digest.
 *
 * The digest is persisted (live mode's changelog keeps each key's recent ids
 * with theirs, processors/recent-event-ids.ts) and compared after a restart,
 * maybe by a newer release: so an event's digest must not depend on the
 * schema beyond the fields the event holds. Fields are mixed in the order of
 * their paths, not the schema's, and an absent optional field mixes nothing:
 * a release whose schema gains an optional field, or lists fields in another
 * order, computes the digests the changelog holds (test/unit/schemas/
 * event-digest-evolution.test.ts). Changing how a value or a tag is mixed
 * would make every retry across the upgrade a reused eventId.
 *
 * Generated code, as compiled-validator.ts and for the same reason: it runs
 * once per input event, and a loop reading `value[key]` for every field of
 * every type would make that one read site megamorphic.
 */
import type { CompilableSchema } from './compiled-validator.js';
import { fmix32 } from '../lib/fmix32.js';

/** The digest of a valid value of the schema; `at` is its timestamp field as epoch ms. */
export type DigestFunction = (value: unknown, at: number) => number;

/** The parts of a schema the digest looks at (structurally the dsl's schemas). */
export interface DigestibleSchema extends CompilableSchema {
  readonly kind: string;
  readonly fields?: Readonly<Record<string, DigestibleSchema>>;
  readonly inner?: DigestibleSchema;
}

/** FNV-1a's 32-bit parameters. */
const OFFSET_BASIS = 0x811c9dc5 | 0;
const PRIME = 0x01000193;

function mix(h: number, word: number): number {
  return Math.imul(h ^ word, PRIME);
}

/** FNV-1a over the length, then the UTF-16 units two at a time (half the multiplications of one per unit). */
function mixString(h: number, s: string): number {
  const n = s.length;
  h = mix(h, n);
  let i = 0;
  for (; i + 1 < n; i += 2) h = mix(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) h = mix(h, s.charCodeAt(i));
  return h;
}

const float = new Float64Array(1);
const words = new Int32Array(float.buffer);

/** The number's 64 bits (+0 for -0: the same value). */
function mixNumber(h: number, x: number): number {
  float[0] = x + 0;
  return mix(mix(h, words[0]!), words[1]!);
}

/** A final avalanche, so that every bit of the result depends on every word; never 0 (which callers keep for "not known"). */
function finish(h: number): number {
  h = fmix32(h);
  return h === 0 ? 1 : h;
}

/** A field's tag: a hash of its path (`gate.name`), mixed before its value; see the module comment. */
function fieldTag(path: string): number {
  return finish(mixString(OFFSET_BASIS, path));
}

/** Statements that mix the value in `x` (known present) of a field of `schema`; nested objects use `x<depth>`. */
function mixValue(schema: DigestibleSchema, x: string, depth: number, path: string, tags: Set<number>): string[] {
  const leaf = schema.isOptional ? schema.inner! : schema;
  switch (leaf.kind) {
    case 'string':
    case 'enum':
      return [`h = mixString(h, ${x});`];
    case 'number':
    case 'integer':
      return [`h = mixNumber(h, ${x});`];
    case 'boolean':
      return [`h = mix(h, ${x} ? 1 : 0);`];
    case 'timestamp':
      return ['h = mixNumber(h, at);'];
    case 'object':
      return mixFields(leaf.fields!, x, depth + 1, `${path}.`, tags);
    default:
      // Input events hold none; a schema that gains one must say here what its content is.
      throw new Error(`compileObjectDigest: no digest for a field of kind ${leaf.kind}`);
  }
}

/** Statements that mix the fields of an object in `of`, each present one as its tag then its value, in path order. */
function mixFields(fields: Readonly<Record<string, DigestibleSchema>>, of: string, depth: number, prefix: string, tags: Set<number>): string[] {
  const x = `x${depth}`;
  const lines = [`let ${x};`];
  for (const key of Object.keys(fields).sort()) {
    const schema = fields[key]!;
    const path = prefix + key;
    const tag = fieldTag(path);
    // Two fields with one tag would make a value in one the same as in the other: a schema that meets it must change a name.
    if (tags.has(tag)) throw new Error(`compileObjectDigest: the tag of ${path} is another field's`);
    tags.add(tag);
    lines.push(`${x} = ${of}[${JSON.stringify(key)}];`);
    const mixed = [`h = mix(h, ${tag});`, ...mixValue(schema, x, depth, path, tags)];
    if (!schema.isOptional) lines.push(...mixed);
    else lines.push(`if (${x} !== undefined && ${x} !== null) {`, ...mixed, '}');
  }
  return [`{`, ...lines, `}`];
}

/**
 * The digest function of an object schema, over every field but `skip` (the
 * eventId: equal by definition between the two events it compares).
 */
export function compileObjectDigest(fields: Readonly<Record<string, DigestibleSchema>>, skip: readonly string[]): DigestFunction {
  const kept = Object.fromEntries(Object.entries(fields).filter(([key]) => !skip.includes(key)));
  const body = [`let h = ${OFFSET_BASIS};`, ...mixFields(kept, 'v', 0, '', new Set()), 'return finish(h);'];
  const factory = new Function('mix', 'mixString', 'mixNumber', 'finish', `return function digest(v, at) {\n  ${body.join('\n  ')}\n};`) as (
    ...helpers: [typeof mix, typeof mixString, typeof mixNumber, typeof finish]
  ) => DigestFunction;
  return factory(mix, mixString, mixNumber, finish);
}
