/**
 * A small schema language: one definition per shape gives the TypeScript type
 * (`Infer<S>`), runtime validation with messages that name the field, and the
 * Avro schema (`toAvro`). Keeping the three in one place is what stops the
 * types, the validator and the `.avsc` files from drifting apart.
 *
 * Validation is done in place and never copies: unknown fields pass and are
 * ignored; `null` counts as absent for optional fields (Avro encodes absence
 * as null).
 */
import { parseTimestamp } from '../lib/time.js';

export type AvroType = string | Record<string, unknown> | AvroType[];

export interface Schema<T> {
  readonly kind: string;
  readonly isOptional: boolean;
  readonly doc?: string;
  /** Returns undefined when `value` is valid, else a message that starts with `path`. */
  check(value: unknown, path: string): string | undefined;
  /** Avro type of this schema; `name` names records/enums created for it. */
  toAvro(name: string, namespace: string): AvroType;
  /** Phantom, for type inference only. */
  readonly __type?: T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

type Fields = Record<string, Schema<unknown>>;
type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K]['isOptional'] extends true ? never : K }[keyof F];
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K]['isOptional'] extends true ? K : never }[keyof F];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type InferObject<F extends Fields> = Simplify<
  { [K in RequiredKeys<F>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> }
>;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function at(path: string, message: string): string {
  return path ? `${path}: ${message}` : message;
}

interface Base<T> extends Schema<T> {
  readonly isOptional: false;
}

function leaf<T>(kind: string, avro: AvroType, test: (v: unknown) => string | undefined, doc?: string): Base<T> {
  return {
    kind,
    isOptional: false,
    doc,
    check: (v, path) => {
      const problem = test(v);
      return problem === undefined ? undefined : at(path, problem);
    },
    toAvro: () => avro,
  };
}

export const s = {
  string(opts: { nonEmpty?: boolean; doc?: string } = {}): Base<string> {
    const nonEmpty = opts.nonEmpty ?? true;
    return leaf('string', 'string', (v) => {
      if (typeof v !== 'string') return `expected a string, got ${describe(v)}`;
      if (nonEmpty && v.length === 0) return 'must not be empty';
      return undefined;
    }, opts.doc);
  },

  /** A whole number (Avro long). */
  integer(opts: { min?: number; doc?: string } = {}): Base<number> {
    return leaf('integer', 'long', (v) => {
      if (typeof v !== 'number' || !Number.isInteger(v)) return `expected an integer, got ${describe(v)}`;
      if (opts.min !== undefined && v < opts.min) return `must be >= ${opts.min}, got ${v}`;
      return undefined;
    }, opts.doc);
  },

  /** A finite number (Avro double). */
  number(opts: { min?: number; doc?: string } = {}): Base<number> {
    return leaf('number', 'double', (v) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) return `expected a number, got ${describe(v)}`;
      if (opts.min !== undefined && v < opts.min) return `must be >= ${opts.min}, got ${v}`;
      return undefined;
    }, opts.doc);
  },

  boolean(opts: { doc?: string } = {}): Base<boolean> {
    return leaf('boolean', 'boolean', (v) => (typeof v === 'boolean' ? undefined : `expected a boolean, got ${describe(v)}`), opts.doc);
  },

  /** RFC 3339 timestamp string, e.g. 2026-11-27T12:00:00.000Z (Avro string). */
  timestamp(opts: { doc?: string } = {}): Base<string> {
    return leaf('timestamp', 'string', (v) => {
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
      check: (v, path) =>
        typeof v === 'string' && allowed.has(v) ? undefined : at(path, `expected one of ${values.join(', ')}, got ${describe(v)}`),
      toAvro: (name) => ({ type: 'enum', name, symbols: [...values] }),
    };
  },

  optional<T>(inner: Schema<T>): Schema<T> & { readonly isOptional: true } {
    return {
      kind: inner.kind,
      isOptional: true,
      doc: inner.doc,
      check: (v, path) => (v === undefined || v === null ? undefined : inner.check(v, path)),
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
    return {
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
  const error = schema.check(value, '');
  return error === undefined ? { ok: true, value: value as T } : { ok: false, error };
}
