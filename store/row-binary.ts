/**
 * ClickHouse RowBinary encoding of rows, appended to one growing native
 * buffer per table (the raw-history hot path: one row per input event).
 *
 * Why RowBinary: ClickHouse spends about a third as much CPU parsing a
 * RowBinary row as the same row in JSONCompactEachRow (measured alone with
 * chDB on the hydration table: ≈ 2.4 vs ≈ 7 µs per row; in a whole replay
 * the store's threads spend about a fifth less), and on a small machine that
 * CPU is taken from the processors. Encoding costs about what JSON.stringify
 * of the values array did (≈ 1.1 µs per event).
 *
 * Format (per column, no row or column separators): String = unsigned LEB128
 * byte length + UTF-8 bytes; Nullable(T) = one byte (1 = NULL, then nothing;
 * 0 = a value of T follows); integers and Float64 little-endian at their
 * width; DateTime64(3) = Int64 milliseconds; LowCardinality(T) is sent as T.
 * A column that is not Nullable has no "absent": the encoder writes the
 * column's DEFAULT itself (see `ColumnCodec`).
 */

import { BatchBytes } from './batch-bytes.js';

/** How one column's value is written. `orDefault` codecs write their default when the value is undefined. */
export type ColumnCodec =
  | { type: 'String' }
  | { type: 'Nullable(String)' }
  | { type: 'Float64' }
  | { type: 'Nullable(Float64)' }
  | { type: 'Nullable(UInt8)' }
  | { type: 'DateTime64' }
  | { type: 'UInt8' | 'Int32' | 'Int64' | 'UInt64'; orDefault: number }
  | { type: 'String'; orDefault: string };

/** The codec's type as a `file()` structure names it (the target column converts, e.g. to LowCardinality). */
export function structureType(codec: ColumnCodec): string {
  return codec.type === 'DateTime64' ? "DateTime64(3, 'UTC')" : codec.type;
}

/** Writes one row's values, `values[i]` encoded by the i-th codec it was compiled from. */
export type RowEncoder = (out: RowBinaryBuffer, values: readonly unknown[]) => void;

/**
 * Compiles a row's codecs into one straight-line function (`out.string(v[0]);
 * out.int64(v[1]); …`), as the schema validators are compiled: per row this
 * runs on every input event, and a loop dispatching on each column's codec
 * cost about twice as much as the encoding itself.
 */
export function compileRowEncoder(codecs: readonly ColumnCodec[]): RowEncoder {
  return new Function('out', 'v', encoderStatements(codecs, (i) => `v[${i}]`)) as RowEncoder;
}

/**
 * The statements that write the i-th value, named by `value(i)` (an
 * identifier or element read without side effects: it may be read twice),
 * with the i-th codec, for a compiled function whose RowBinaryBuffer is `out`.
 */
export function encoderStatements(codecs: readonly ColumnCodec[], value: (i: number) => string): string {
  const lines = codecs.map((codec, i) => {
    const v = value(i);
    const or = (d: unknown) => `(${v} === undefined ? ${JSON.stringify(d)} : ${v})`;
    switch (codec.type) {
      case 'String':
        return 'orDefault' in codec ? `out.string(${or(codec.orDefault)});` : `out.string(${v});`;
      case 'Nullable(String)':
        return `if (out.notNull(${v})) out.string(${v});`;
      case 'Float64':
        return `out.float64(${or(0)});`;
      case 'Nullable(Float64)':
        return `if (out.notNull(${v})) out.float64(${v});`;
      case 'Nullable(UInt8)':
        return `if (out.notNull(${v})) out.uint8(${v});`;
      case 'UInt8':
        return `out.uint8(${or(codec.orDefault)});`;
      case 'Int32':
        return `out.int32(${or(codec.orDefault)});`;
      case 'DateTime64':
        return `out.int64(${v});`;
      case 'Int64':
      case 'UInt64':
        return `out.int64(${or(codec.orDefault)});`;
    }
  });
  return lines.join('\n');
}

const TWO_32 = 4294967296;

/** One table's pending RowBinary rows (BatchBytes); the compiled encoders call the typed writers below. */
export class RowBinaryBuffer extends BatchBytes {
  /** Appends one row with `encode` (a compiled RowEncoder). */
  push(values: readonly unknown[], encode: RowEncoder): void {
    encode(this, values);
    this.rows++;
  }

  /** Appends one row that `write` encodes with the typed writers below, from whatever it reads its values from. */
  pushWith<A, B>(write: (out: RowBinaryBuffer, a: A, b: B) => void, a: A, b: B): void {
    write(this, a, b);
    this.rows++;
  }

  /** The Nullable marker: writes 1 (NULL) and returns false when `v` is absent, else writes 0 and returns true. */
  notNull(v: unknown): boolean {
    this.reserve(1);
    const isNull = v === undefined || v === null;
    this.bytes[this.length++] = isNull ? 1 : 0;
    return !isNull;
  }

  uint8(v: unknown): void {
    this.reserve(1);
    this.bytes[this.length++] = Number(v) & 0xff;
  }

  int32(v: unknown): void {
    this.reserve(4);
    this.view.setInt32(this.length, Number(v), true);
    this.length += 4;
  }

  float64(v: unknown): void {
    this.reserve(8);
    this.view.setFloat64(this.length, Number(v), true);
    this.length += 8;
  }

  /** A safe integer (|v| < 2^53) as 64-bit two's complement: low word modulo 2^32, high word the floor quotient. */
  int64(v: unknown): void {
    const n = Number(v);
    this.reserve(8);
    this.view.setUint32(this.length, n >>> 0, true);
    this.view.setInt32(this.length + 4, Math.floor(n / TWO_32) | 0, true);
    this.length += 8;
  }

  string(value: unknown): void {
    const s = typeof value === 'string' ? value : String(value);
    const n = s.length;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit, plus up to 5 bytes of length.
    this.reserve(n * 3 + 5);
    const bytes = this.bytes;
    // Short ASCII strings (ids, names, digests: nearly every value) are copied
    // byte by byte after a one-byte length: cheaper than a native call each.
    if (n < 128) {
      const start = this.length + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 128) break;
        bytes[start + i] = c;
      }
      if (i === n) {
        bytes[this.length] = n;
        this.length = start + n;
        return;
      }
    }
    const size = Buffer.byteLength(s, 'utf8');
    let x = size;
    while (x >= 128) {
      bytes[this.length++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    bytes[this.length++] = x;
    this.length += bytes.write(s, this.length, 'utf8');
  }
}
