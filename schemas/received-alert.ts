/**
 * Alerts as a consumer of the alert topic receives them (README "Consuming
 * alerts"): a JSON value leaves an absent optional field out, an Avro-decoded
 * one has it as null. The validator accepts both (dsl.ts: null counts as
 * absent), so what it returns is typed as either, and reading an optional
 * field needs `!= null`.
 */
import { validate, type AvroDecoded } from './dsl.js';
import { alertEventSchema, type AlertEvent } from './alert-event.js';

/** An alert decoded from Avro (`content-type: avro/binary`): every optional field present, null when absent. */
export type DecodedAlertEvent = AvroDecoded<AlertEvent>;

/** Checks a decoded alert value (JSON.parse or an Avro decoder's result); the error names the failing field. */
export function validateAlertEvent(value: unknown): { ok: true; alert: AlertEvent | DecodedAlertEvent } | { ok: false; error: string } {
  const result = validate<AlertEvent | DecodedAlertEvent>(alertEventSchema, value);
  return result.ok ? { ok: true, alert: result.value } : result;
}

// fatal: bytes that are not UTF-8 are refused rather than read as U+FFFD (the engine writes UTF-8 only).
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A JSON alert message value (`content-type: application/json`) → the alert; throws an Error that says what is wrong. */
export function parseAlertEvent(json: string | Uint8Array): AlertEvent | DecodedAlertEvent {
  let text: string;
  try {
    text = typeof json === 'string' ? json : utf8.decode(json);
  } catch {
    throw new Error('not a driftwatch alert: not UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`not a driftwatch alert: not JSON (${(err as Error).message})`);
  }
  const result = validateAlertEvent(value);
  if (!result.ok) throw new Error(`not a driftwatch alert: ${result.error}`);
  return result.alert;
}
