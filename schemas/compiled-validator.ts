/**
 * Compiles the validity predicate of an object schema (schemas/dsl.ts) to
 * straight-line code, once per schema, with `new Function` (as JSON-schema
 * validators such as ajv do).
 *
 * Why generated code rather than a loop over the fields: input events come
 * in a dozen object shapes (optional fields present or not), and a loop that
 * reads `value[key]` for every field of every schema shares one property
 * access site among all of them, which V8 then handles as megamorphic (a
 * slow generic lookup per field). Generated code reads each field at its own
 * site with a constant name, sees only that schema's few shapes, and inlines
 * the leaf checks (typeof, length, enum comparisons) without a call per field.
 *
 * The predicate answers exactly `check(value, '') === undefined`: the same
 * fields in the same order, the same rules per leaf, then `refine`. Field
 * names are embedded as JSON string literals, so any name is safe.
 */
import { parseTimestamp } from '../lib/time.js';

/** What a leaf schema checks, for code generation (see `leafTest`). */
export type LeafRule =
  | { type: 'string'; nonEmpty: boolean; forbid?: readonly string[]; maxLength?: number }
  | { type: 'integer'; min?: number; max?: number }
  | { type: 'number'; min?: number }
  | { type: 'boolean' }
  | { type: 'timestamp' }
  | { type: 'enum'; values: readonly string[] };

/** The parts of a schema the compiler looks at (structurally the dsl's Schema). */
export interface CompilableSchema {
  readonly isOptional: boolean;
  readonly rule?: LeafRule;
  /** For optional schemas: the wrapped schema. */
  readonly inner?: CompilableSchema;
  check(value: unknown, path: string): string | undefined;
  isValid?(value: unknown): boolean;
}

type Predicate = (value: unknown) => boolean;

/**
 * JS condition that is true when `x` (a non-null value) passes `rule`;
 * with `wellFormed`, for a value whose strings are known to be well-formed
 * Unicode (see `compileObjectPredicate`).
 */
function leafTest(rule: LeafRule, x: string, wellFormed: boolean): string {
  switch (rule.type) {
    case 'string': {
      const forbid = (rule.forbid ?? []).map((f) => ` && ${x}.indexOf(${JSON.stringify(f)}) === -1`).join('');
      const length = [rule.nonEmpty ? ` && ${x}.length > 0` : '', rule.maxLength === undefined ? '' : ` && ${x}.length <= ${JSON.stringify(rule.maxLength)}`].join('');
      // isWellFormed: no lone surrogate (lib/unicode.ts); ES2024, native in Node 20.
      return `(typeof ${x} === 'string'${length}${wellFormed ? '' : ` && ${x}.isWellFormed()`}${forbid})`;
    }
    case 'integer': {
      const max = rule.max === undefined ? '' : ` && !(${x} > ${JSON.stringify(rule.max)})`;
      return `(typeof ${x} === 'number' && Number.isInteger(${x})${rule.min === undefined ? '' : ` && !(${x} < ${JSON.stringify(rule.min)})`}${max})`;
    }
    case 'number':
      return `(typeof ${x} === 'number' && Number.isFinite(${x})${rule.min === undefined ? '' : ` && !(${x} < ${JSON.stringify(rule.min)})`})`;
    case 'boolean':
      return `typeof ${x} === 'boolean'`;
    case 'timestamp':
      return `(typeof ${x} === 'string' && !Number.isNaN(parseTimestamp(${x})))`;
    case 'enum':
      return `(${rule.values.map((v) => `${x} === ${JSON.stringify(v)}`).join(' || ') || 'false'})`;
  }
}

/** A number literal such as a `min`, `max` or `maxLength` may be -0 or a non-finite value; those leaves go through the schema instead. */
function inlinable(rule: LeafRule): boolean {
  const literal = (n: number | undefined) => n === undefined || (Number.isFinite(n) && !Object.is(n, -0));
  const bounds = rule as { min?: number; max?: number; maxLength?: number };
  return literal(bounds.min) && literal(bounds.max) && literal(bounds.maxLength);
}

/**
 * The predicate of an object with these fields (in order) and optional
 * cross-field `refine`. `predicateOf` gives the predicate of a field schema
 * that is not a plain or optional leaf (nested objects, arrays, maps, or
 * schemas built elsewhere).
 *
 * `wellFormed`: the predicate of a value whose strings are known to hold no
 * lone surrogate (a JSON text's values, when the text holds none and no
 * escape: decode.ts), which then leaves out the check of each top-level
 * string leaf — for such a value the same verdict. That check is a call of a
 * native builtin per string field, ten or so per input event.
 */
export function compileObjectPredicate<S extends CompilableSchema>(
  entries: ReadonlyArray<readonly [string, S]>,
  refine: ((value: unknown, path: string) => string | undefined) | undefined,
  predicateOf: (schema: S) => Predicate,
  wellFormed = false,
): Predicate {
  const subs: Predicate[] = [];
  const lines: string[] = [`if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;`, 'let x;'];
  for (const [key, schema] of entries) {
    lines.push(`x = v[${JSON.stringify(key)}];`);
    const leaf = schema.isOptional ? schema.inner : schema;
    let test: string;
    if (leaf?.rule && inlinable(leaf.rule)) {
      test = leafTest(leaf.rule, 'x', wellFormed);
    } else {
      subs.push(predicateOf(schema));
      test = `subs[${subs.length - 1}](x)`;
    }
    if (schema.isOptional) {
      // Absent (undefined or null) passes; a present value must pass the inner schema.
      lines.push(leaf?.rule && inlinable(leaf.rule) ? `if (x !== undefined && x !== null && !(${test})) return false;` : `if (!(${test})) return false;`);
    } else {
      lines.push(`if (x === undefined || x === null) return false;`, `if (!(${test})) return false;`);
    }
  }
  lines.push(`return refine === undefined || refine(v, '') === undefined;`);
  const factory = new Function('parseTimestamp', 'subs', 'refine', `return function isValid(v) {\n  ${lines.join('\n  ')}\n};`) as (
    parse: typeof parseTimestamp,
    subs: Predicate[],
    refine: ((value: unknown, path: string) => string | undefined) | undefined,
  ) => Predicate;
  return factory(parseTimestamp, subs, refine);
}
