/**
 * Avro-decoded values, made to look like the JSON the engine already knows.
 *
 * Avro has no "absent": an optional field decodes as `null`, and records
 * decode as instances of generated classes. The validators accept null for
 * optional fields, but downstream code (incident records, alerts, audit
 * trail) copies fields such as `correlationId` as they are, so an Avro event
 * would produce `correlationId: null` where the same JSON event produces no
 * field at all. Dropping null record fields makes both encodings yield the
 * same events, hence the same incidents and alerts.
 */

/** A deep copy with plain objects for records and without null-valued fields; arrays keep their nulls. */
export function plainFromAvro(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return value; // Avro bytes/fixed
  if (Array.isArray(value)) return value.map(plainFromAvro);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== null && field !== undefined) out[key] = plainFromAvro(field);
  }
  return out;
}
