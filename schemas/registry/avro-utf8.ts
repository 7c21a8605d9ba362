/**
 * Avro strings whose bytes are not valid UTF-8.
 *
 * The Avro spec says a string is UTF-8, but avsc decodes one with
 * `utf8Slice`, which turns invalid bytes into U+FFFD without a word. An event
 * whose `instance` or `artifact` came out that way would be processed under a
 * name nobody sent (a phantom instance, a key of its own), where the same
 * bytes in a JSON record are dead-lettered (processors/decode.ts textOf).
 *
 * Checking every string's bytes would mean a second pass over every record's
 * body. Instead: a decoded value without U+FFFD cannot have come from invalid
 * bytes (avsc writes one for each bad sequence), and that look over a dozen
 * short strings is all a record pays. Only a value holding one has its body
 * read again along the writer schema, to tell a producer's real U+FFFD
 * (valid UTF-8, kept) from a replaced byte, and to name the field.
 */
import { isUtf8 } from 'node:buffer';
import { quotedStart } from '../../lib/unicode.js';

const REPLACEMENT = '\uFFFD';

/** Whether a decoded value (plain or avsc record) holds U+FFFD in any string or map key. */
export function holdsReplacementCharacter(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(REPLACEMENT);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || value instanceof Uint8Array) return false;
  // Indexed and for…in loops: this runs on every Avro record, and Object.entries/some allocate per call (~1 µs a record).
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsReplacementCharacter(value[i])) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (key.includes(REPLACEMENT) || holdsReplacementCharacter(record[key])) return true;
  }
  return false;
}

/**
 * The slice of an avsc `Type` the walk reads (avsc is the registry library's
 * dependency, not ours: its types are described here, not imported).
 */
export interface AvroTypeLike {
  readonly typeName: string;
  readonly fields?: ReadonlyArray<{ name: string; type: AvroTypeLike }>;
  readonly types?: ReadonlyArray<AvroTypeLike>;
  readonly itemsType?: AvroTypeLike;
  readonly valuesType?: AvroTypeLike;
  readonly underlyingType?: AvroTypeLike;
  decode(buf: Buffer, pos?: number): { value: unknown; offset: number };
}

/** Thrown inside the walk to stop at the first bad string. */
class Found {
  constructor(readonly path: string) {}
}

/** Reading position in an Avro binary body. */
class Cursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  /** A zigzag varint long (block counts, string lengths, union branches: small numbers). */
  long(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const byte = this.buf[this.pos++];
      if (byte === undefined) throw new RangeError('truncated');
      n += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 128;
    }
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  /** The next string's bytes (a view, not a copy); moves past them. */
  stringBytes(): Buffer {
    const len = this.long();
    const start = this.pos;
    this.pos += len;
    if (len < 0 || this.pos > this.buf.length) throw new RangeError('truncated');
    return this.buf.subarray(start, this.pos);
  }
}

const fieldPath = (path: string, name: string) => (path === '' ? name : `${path}.${name}`);

function walk(type: AvroTypeLike, at: Cursor, path: string): void {
  const { typeName } = type;
  if (typeName === 'string') {
    if (!isUtf8(at.stringBytes())) throw new Found(path);
  } else if (typeName === 'record' || typeName === 'error') {
    for (const field of type.fields ?? []) walk(field.type, at, fieldPath(path, field.name));
  } else if (typeName.startsWith('union:')) {
    const branch = type.types?.[at.long()];
    if (branch === undefined) throw new RangeError('bad union branch');
    walk(branch, at, path);
  } else if (typeName === 'array' || typeName === 'map') {
    // Blocks of items until a count of 0; a negative count is followed by the block's size in bytes.
    for (let index = 0; ; ) {
      let count = at.long();
      if (count === 0) break;
      if (count < 0) {
        count = -count;
        at.long();
      }
      for (let i = 0; i < count; i++, index++) {
        if (type.itemsType !== undefined) {
          walk(type.itemsType, at, `${path}[${index}]`);
          continue;
        }
        const key = at.stringBytes();
        if (!isUtf8(key)) throw new Found(`${path} (a map key)`);
        walk(type.valuesType as AvroTypeLike, at, `${path}[${quotedStart(key.toString('utf8'))}]`);
      }
    }
  } else if (type.underlyingType !== undefined) {
    walk(type.underlyingType, at, path); // a logical type: its bytes are its underlying type's
  } else {
    // Any other type (numbers, booleans, enums, bytes, fixed) holds no text: skip it.
    const { offset } = type.decode(at.buf, at.pos);
    if (offset < 0) throw new RangeError('truncated');
    at.pos = offset;
  }
}

/**
 * The path (`instance`, `gate.name`, `labels[2]`) of the first string in an
 * Avro body whose bytes are not valid UTF-8, or undefined when they all are.
 * `type` is the writer schema the body was decoded with.
 */
export function invalidUtf8Path(type: AvroTypeLike, body: Buffer): string | undefined {
  try {
    walk(type, new Cursor(body), '');
    return undefined;
  } catch (err) {
    if (err instanceof Found) return err.path;
    return undefined; // the body decoded, so this cannot happen; if it did, no field can be named
  }
}
