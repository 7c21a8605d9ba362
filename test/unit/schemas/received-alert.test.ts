/**
 * The alert validators of `driftwatch/schemas` (schemas/received-alert.ts) on
 * what a consumer receives: JSON text or bytes, and a value avsc decoded
 * from the alert schema, whose absent optional fields are null.
 */
import { describe, it, expect } from 'vitest';
import avro from 'avsc';
import { avroSchemas } from '../../../schemas/avro-schemas.js';
import { T0, alert as fixtureAlert } from '../store/fixtures.js';
import { parseAlertEvent, validateAlertEvent, type DecodedAlertEvent } from '../../../schemas/received-alert.js';
import { alertEventSchema } from '../../../schemas/alert-event.js';

/** Firing: no endsAt, and none of the optional annotations. */
const alert = fixtureAlert(T0);

describe('received alerts', () => {
  it('an Avro-decoded alert has its absent optional fields as null, as DecodedAlertEvent says, and validates', () => {
    // Typed: the compiler holds the type to this shape (every field present, null), avsc the runtime.
    const expected: DecodedAlertEvent = {
      ...alert,
      endsAt: null,
      incidentId: 'inc-1',
      correlationId: 'corr-1',
      annotations: { ...alert.annotations, runbookUrl: null, notify: null, channels: null, respondWithin: null },
    };
    const type = avro.Type.forSchema(avroSchemas()['alert-event'] as avro.Schema);
    // avsc writes the default (null) for a field left undefined.
    const decoded: unknown = type.fromBuffer(type.toBuffer(alert));
    expect(decoded).toEqual(expected);
    expect(validateAlertEvent(decoded)).toEqual({ ok: true, alert: decoded });
  });

  it('parses JSON text and bytes, and says what is wrong with anything else', () => {
    expect(parseAlertEvent(JSON.stringify(alert))).toEqual(alert);
    expect(parseAlertEvent(Buffer.from(JSON.stringify(alert)))).toEqual(alert);
    expect(() => parseAlertEvent(JSON.stringify({ ...alert, startsAt: undefined }))).toThrow('not a driftwatch alert: startsAt: is required');
    expect(() => parseAlertEvent('{"rule":')).toThrow(/^not a driftwatch alert: not JSON \(/);
    expect(() => parseAlertEvent(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow('not a driftwatch alert: not UTF-8');
  });

  it('escalationLevel is one of L1–L4 (SPEC §6): 0 and 5 are refused, naming the field, by the check and the compiled predicate alike', () => {
    for (const level of [1, 2, 3, 4]) expect(validateAlertEvent({ ...alert, escalationLevel: level }).ok, String(level)).toBe(true);
    expect(() => parseAlertEvent(JSON.stringify({ ...alert, escalationLevel: 5 }))).toThrow('not a driftwatch alert: escalationLevel: must be <= 4, got 5');
    expect(() => parseAlertEvent(JSON.stringify({ ...alert, escalationLevel: 0 }))).toThrow('not a driftwatch alert: escalationLevel: must be >= 1, got 0');
    expect(alertEventSchema.isValid!({ ...alert, escalationLevel: 5 })).toBe(false);
    // Avro cannot bound a long: the .avsc says it in the field's doc.
    const fields = (avroSchemas()['alert-event'] as { fields: Array<{ name: string; doc?: string }> }).fields;
    expect(fields.find((f) => f.name === 'escalationLevel')?.doc).toMatch(/^1\.\.4\b/);
  });
});
