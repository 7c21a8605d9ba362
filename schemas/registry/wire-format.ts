/**
 * The Confluent wire format: magic byte 0, the schema id as a 4-byte
 * big-endian signed integer, then the Avro binary body. A JSON document never starts
 * with byte 0 (it starts with `{`, `[`, whitespace…), so the first byte alone
 * tells the two encodings apart on a topic that carries both.
 */
export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

/** True when `raw` claims the Confluent wire format (a Buffer starting with byte 0). */
export function isConfluentWireFormat(raw: string | Buffer): boolean {
  return typeof raw !== 'string' && raw.length > 0 && raw[0] === MAGIC_BYTE;
}

/**
 * The schema id in the header, or null when the record is too short to have
 * one. Signed, as Confluent's deserializers (ByteBuffer.getInt) and the
 * registry client read it: the id asked for and named in the registry's
 * answer, so a dead letter's reason quotes one id, not two.
 */
export function schemaIdOf(raw: Buffer): number | null {
  return raw.length >= HEADER_BYTES ? raw.readInt32BE(1) : null;
}

/** Header + body, as a Confluent serializer writes it. */
export function toWireFormat(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}
