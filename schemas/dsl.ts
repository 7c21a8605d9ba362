/**
 * A small schema language: one definition per shape gives the TypeScript type
 * (`Infer<S>`), runtime validation with messages that name the field, and the
 * Avro schema (`toAvro`). Keeping the three in one place is what stops the
 * types, the validator and the `.avsc` files from drifting apart.
 *
 * Validation is done in place and never copies: unknown fields pass and are
 * ignored; `null` counts as absent for optional fields (Avro encodes absence
 * as null).
 *
 * Every schema also carries `isValid`, a predicate built once with the
 * schema (for objects: generated code, see compiled-validator.ts) that
 * allocates nothing per call. It answers exactly `check(value, '') ===
 * undefined`; validation runs it first and walks `check` only for an invalid
 * value, to name the problem. Input events are validated once each, so this
 * is on the replay's hot path.
 */
import { parseTimestamp } from '../lib/time.js';
import { isWellFormed, startOf, toWellFormed } from '../lib/unicode.js';
import { compileObjectPredicate, type LeafRule } from './compiled-validator.js';

export type AvroType = string | Record<string, unknown> | AvroType[];

export interface Schema<T> {
  readonly kind: string;
  readonly isOptional: boolean;
  readonly doc?: string;
  /** Returns undefined when `value` is valid, else a message that starts with `path`. */
  check(value: unknown, path: string): string | undefined;
  /** Same verdict as `check(value, '') === undefined`, without building messages (absent on schemas made elsewhere). */
  isValid?(value: unknown): boolean;
  /** Objects: `isValid` for a value whose strings are known to be well-formed Unicode, which it does not check again (compiled-validator.ts). */
  isValidWellFormed?(value: unknown): boolean;
  /** Leaves: what they check, so object predicates can inline it. */
  readonly rule?: LeafRule;
  /** Optional schemas: the schema they wrap. */
  readonly inner?: Schema<unknown>;
  /** Avro type of this schema; `name` names records/enums created for it. */
  toAvro(name: string, namespace: string): AvroType;
  /** Phantom, for type inference only. */
  readonly __type?: T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/**
 * An inferred type as an Avro decoder gives it: `toAvro` makes an optional
 * field `["null", T]` with default null, so a decoded record has every field
 * and an absent one is null (not left out, as in JSON).
 */
export type AvroDecoded<T> = T extends readonly (infer I)[]
  ? AvroDecoded<I>[]
  : T extends object
    ? { [K in keyof T]-?: undefined extends T[K] ? AvroDecoded<Exclude<T[K], undefined>> | null : AvroDecoded<T[K]> }
    : T;

type Fields = Record<string, Schema<unknown>>;
type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K]['isOptional'] extends true ? never : K }[keyof F];
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K]['isOptional'] extends true ? K : never }[keyof F];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type InferObject<F extends Fields> = Simplify<
  { [K in RequiredKeys<F>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> }
>;

/**
 * Why a string holding a lone surrogate (lib/unicode.ts) is refused: no
 * Unicode text, as a line of invalid UTF-8 bytes is none. Stored, it would
 * have to be altered (U+FFFD), a corrupted name or digest being judged.
 */
export const LONE_SURROGATE = 'not well-formed Unicode: holds a lone surrogate (an unpaired \\uD800–\\uDFFF escape)';

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${toWellFormed(value.length > 40 ? startOf(value, 40) + '…' : value)}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function at(path: string, message: string): string {
  return path ? `${path}: ${message}` : message;
}

/** A schema that is required where it is a field (every schema but `s.optional`'s). */
export interface Base<T> extends Schema<T> {
  readonly isOptional: false;
}

/** The compiled predicate of any schema (a fallback through `check` for schemas built by hand). */
function predicateOf(schema: Schema<unknown>): (v: unknown) => boolean {
  return schema.isValid ? (v) => schema.isValid!(v) : (v) => schema.check(v, '') === undefined;
}

function leaf<T>(kind: string, avro: AvroType, rule: LeafRule, test: (v: unknown) => string | undefined, doc?: string): Base<T> {
  return {
    kind,
    isOptional: false,
    doc,
    rule,
    check: (v, path) => {
      const problem = test(v);
      return problem === undefined ? undefined : at(path, problem);
    },
    // `test` builds a message only for an invalid value, so a valid one allocates nothing.
    isValid: (v) => test(v) === undefined,
    toAvro: () => avro,
  };
}

export const s = {
  /**
   * `forbid`: substrings the value must not contain (e.g. the separator of a composite key).
   * `maxLength`: most UTF-16 units the value may hold (Avro cannot say it: put it in the doc too).
   */
  string(opts: { nonEmpty?: boolean; forbid?: readonly string[]; maxLength?: number; doc?: string } = {}): Base<string> {
    const nonEmpty = opts.nonEmpty ?? true;
    const { forbid = [], maxLength } = opts;
    const rule: LeafRule = { type: 'string', nonEmpty, ...(forbid.length === 0 ? {} : { forbid }), ...(maxLength === undefined ? {} : { maxLength }) };
    return leaf('string', 'string', rule, (v) => {
      if (typeof v !== 'string') return `expected a string, got ${describe(v)}`;
      if (nonEmpty && v.length === 0) return 'must not be empty';
      // Before the scans below: a value may be most of a 1 MiB event, and the reason quotes no part of it.
      if (maxLength !== undefined && v.length > maxLength) return `must be at most ${maxLength} characters long, got ${v.length}`;
      if (!isWellFormed(v)) return LONE_SURROGATE;
      for (const f of forbid) if (v.includes(f)) return `must not contain ${JSON.stringify(f)}, got ${describe(v)}`;
      return undefined;
    }, opts.doc);
  },

  /** A whole number (Avro long, which has no bounds: say `min`/`max` in the doc too). */
  integer(opts: { min?: number; max?: number; doc?: string } = {}): Base<number> {
    return leaf('integer', 'long', { type: 'integer', min: opts.min, max: opts.max }, (v) => {
      if (typeof v !== 'number' || !Number.isInteger(v)) return `expected an integer, got ${describe(v)}`;
      if (opts.min !== undefined && v < opts.min) return `must be >= ${opts.min}, got ${v}`;
      if (opts.max !== undefined && v > opts.max) return `must be <= ${opts.max}, got ${v}`;
      return undefined;
    }, opts.doc);
  },

  /** A finite number (Avro double). */
  number(opts: { min?: number; doc?: string } = {}): Base<number> {
    return leaf('number', 'double', { type: 'number', min: opts.min }, (v) => {
      if (typeof v !== 'number') return `expected a number, got ${describe(v)}`;
      // JSON.parse reads 1e999 as Infinity (and Avro doubles may be NaN): a number, but not one to compute with.
      if (!Number.isFinite(v)) return `expected a finite number, got ${v}`;
      if (opts.min !== undefined && v < opts.min) return `must be >= ${opts.min}, got ${v}`;
      return undefined;
    }, opts.doc);
  },

  boolean(opts: { doc?: string } = {}): Base<boolean> {
    return leaf('boolean', 'boolean', { type: 'boolean' }, (v) => (typeof v === 'boolean' ? undefined : `expected a boolean, got ${describe(v)}`), opts.doc);
  },

  /** RFC 3339 timestamp string, e.g. 2026-11-27T12:00:00.000Z (Avro string). */
  timestamp(opts: { doc?: string } = {}): Base<string> {
    return leaf('timestamp', 'string', { type: 'timestamp' }, (v) => {
      if (typeof v !== 'string' || Number.isNaN(parseTimestamp(v))) {
        return `expected an RFC 3339 timestamp such as 2026-11-27T12:00:00.000Z, got ${describe(v)}`;
      }
      return undefined;
    }, opts.doc);
  },

  /** One of a fixed set of strings (Avro enum). */
  enumOf<const V extends readonly string[]>(values: V, opts: { doc?: string } = {}): Base<V[number]> {
    const allowed = new Set<string>(values);
    return {
      kind: 'enum',
      isOptional: false,
      doc: opts.doc,
      rule: { type: 'enum', values: [...values] },
      check: (v, path) =>
        typeof v === 'string' && allowed.has(v) ? undefined : at(path, `expected one of ${values.join(', ')}, got ${describe(v)}`),
      isValid: (v) => typeof v === 'string' && allowed.has(v),
      toAvro: (name) => ({ type: 'enum', name, symbols: [...values] }),
    };
  },

  optional<T>(inner: Schema<T>): Schema<T> & { readonly isOptional: true } {
    return {
      kind: inner.kind,
      isOptional: true,
      doc: inner.doc,
      inner,
      check: (v, path) => (v === undefined || v === null ? undefined : inner.check(v, path)),
      isValid: (() => {
        const innerValid = predicateOf(inner);
        return (v: unknown) => v === undefined || v === null || innerValid(v);
      })(),
      toAvro: (name, ns) => ['null', inner.toAvro(name, ns)],
    };
  },

  array<T>(items: Schema<T>, opts: { doc?: string } = {}): Base<T[]> {
    return {
      kind: 'array',
      isOptional: false,
      doc: opts.doc,
      check: (v, path) => {
        if (!Array.isArray(v)) return at(path, `expected an array, got ${describe(v)}`);
        for (let i = 0; i < v.length; i++) {
          const problem = items.check(v[i], `${path}[${i}]`);
          if (problem) return problem;
        }
        return undefined;
      },
      isValid: (() => {
        const itemValid = predicateOf(items);
        return (v: unknown) => {
          if (!Array.isArray(v)) return false;
          for (let i = 0; i < v.length; i++) if (!itemValid(v[i])) return false;
          return true;
        };
      })(),
      toAvro: (name, ns) => ({ type: 'array', items: items.toAvro(`${name}Item`, ns) }),
    };
  },

  /** String-keyed map (Avro map). */
  map<T>(values: Schema<T>, opts: { doc?: string } = {}): Base<Record<string, T>> {
    return {
      kind: 'map',
      isOptional: false,
      doc: opts.doc,
      check: (v, path) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return at(path, `expected an object, got ${describe(v)}`);
        for (const [k, item] of Object.entries(v)) {
          const problem = values.check(item, path ? `${path}.${k}` : k);
          if (problem) return problem;
        }
        return undefined;
      },
      isValid: (() => {
        const valueValid = predicateOf(values);
        return (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((item) => valueValid(item));
      })(),
      toAvro: (name, ns) => ({ type: 'map', values: values.toAvro(`${name}Value`, ns) }),
    };
  },

  /**
   * A record. `refine` adds cross-field rules (e.g. "version is required when
   * phase is started"); it runs only after every field passed.
   */
  object<const F extends Fields>(
    fields: F,
    opts: { name: string; doc?: string; refine?: (value: InferObject<F>, path: string) => string | undefined } ,
  ): ObjectSchema<F> {
    const entries = Object.entries(fields);
    const refine = opts.refine as ((value: unknown, path: string) => string | undefined) | undefined;
    return {
      isValid: compileObjectPredicate(entries, refine, predicateOf),
      isValidWellFormed: compileObjectPredicate(entries, refine, predicateOf, true),
      kind: 'object',
      isOptional: false,
      doc: opts.doc,
      fields,
      name: opts.name,
      check: (v, path) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return at(path, `expected an object, got ${describe(v)}`);
        const rec = v as Record<string, unknown>;
        for (const [key, schema] of entries) {
          const fieldPath = path ? `${path}.${key}` : key;
          const value = rec[key];
          if ((value === undefined || value === null) && !schema.isOptional) return at(fieldPath, 'is required');
          const problem = schema.check(value, fieldPath);
          if (problem) return problem;
        }
        return opts.refine ? opts.refine(v as InferObject<F>, path) : undefined;
      },
      toAvro: (_name, ns) => ({
        type: 'record',
        name: opts.name,
        namespace: ns,
        ...(opts.doc ? { doc: opts.doc } : {}),
        fields: entries.map(([key, schema]) => {
          const type = schema.toAvro(`${opts.name}${key[0]!.toUpperCase()}${key.slice(1)}`, ns);
          return {
            name: key,
            type,
            ...(schema.isOptional ? { default: null } : {}),
            ...(schema.doc ? { doc: schema.doc } : {}),
          };
        }),
      }),
    };
  },
};

export interface ObjectSchema<F extends Fields> extends Base<InferObject<F>> {
  readonly fields: F;
  readonly name: string;
}

/** Validates and returns the value typed, or throws nothing and returns the message. */
export function validate<T>(schema: Schema<T>, value: unknown): { ok: true; value: T } | { ok: false; error: string } {
  if (schema.isValid?.(value)) return { ok: true, value: value as T };
  const error = schema.check(value, '');
  return error === undefined ? { ok: true, value: value as T } : { ok: false, error };
}
