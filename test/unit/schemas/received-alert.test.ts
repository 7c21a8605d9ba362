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
});
