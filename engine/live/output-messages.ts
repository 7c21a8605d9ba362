/** Kafka messages the engine produces: alerts (key = fingerprint) and dead letters (SPEC §2 headers). */
import type { IHeaders, Message } from 'kafkajs';
import type { AlertEvent } from '../../schemas/alert-event.js';
import type { DeadLetter } from '../../processors/facts.js';
import { startOf } from '../../lib/unicode.js';

/**
 * Headers name the alert's rule, status, severity, escalation level and start
 * (`dw-starts-at`, RFC 3339 like the value's `startsAt`), and whether it is
 * the instance's first firing (`dw-first-firing`: `true` for the emission that
 * raised it; `false` for a re-emission on escalation or a severity change, and
 * for a resolution), so a consumer can route without decoding the value (JSON
 * or Avro), and the engine can count what it committed (live-metrics.ts)
 * without decoding its own messages.
 */
export function alertMessage(alert: AlertEvent, firstFiring: boolean): Message {
  return {
    key: alert.fingerprint,
    value: JSON.stringify(alert),
    headers: {
      'dw-rule': alert.rule,
      'dw-status': alert.status,
      'dw-severity': alert.severity,
      'dw-escalation-level': String(alert.escalationLevel),
      'dw-starts-at': alert.startsAt,
      'dw-first-firing': String(firstFiring),
      'content-type': 'application/json',
    },
  };
}

/**
 * A dead letter's value is cut to this many bytes, its key to
 * DEAD_LETTER_MAX_KEY_BYTES, and the original headers are dropped past
 * DEAD_LETTER_MAX_HEADER_BYTES. An input record can be larger than the broker
 * accepts uncompressed (a producer may compress it), and a dead letter the
 * broker refuses would fail every commit that carries it: the engine would
 * stop on that record for good (see send-chunks.ts).
 */
export const DEAD_LETTER_MAX_VALUE_BYTES = 256 * 1024;
export const DEAD_LETTER_MAX_KEY_BYTES = 16 * 1024;
export const DEAD_LETTER_MAX_HEADER_BYTES = 64 * 1024;
/**
 * The reason (`dw-error`) is cut to this many characters: a reason may quote
 * part of the record (a field's value, an Avro map key), and one quoting
 * nearly all of a 1 MB record made a dead letter the broker refused.
 */
export const DEAD_LETTER_MAX_REASON_CHARS = 16 * 1024;

/** The reason within DEAD_LETTER_MAX_REASON_CHARS, never cutting a surrogate pair, saying how much was cut. */
function boundedReason(reason: string): string {
  if (reason.length <= DEAD_LETTER_MAX_REASON_CHARS) return reason;
  const kept = startOf(reason, DEAD_LETTER_MAX_REASON_CHARS);
  return `${kept}… (${reason.length - kept.length} more characters cut)`;
}

/**
 * The original bytes and key, the original headers, plus why and where from
 * (the `dw-*` headers are always the engine's: an input's own are dropped).
 * What is cut says so — `dw-truncated` (value), `dw-original-bytes`,
 * `dw-key-truncated`, `dw-headers-dropped` — and the full record stays in the
 * input topic at the offset the headers give.
 */
export function deadLetterMessage(dl: DeadLetter): Message {
  const source = dl.source ?? {};
  const value = typeof dl.raw === 'string' ? Buffer.from(dl.raw, 'utf8') : dl.raw;
  const key = dl.key ?? null;
  const keyBytes = key === null ? null : typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const original: IHeaders = {};
  let headerBytes = 0;
  for (const name in dl.headers ?? {}) {
    const v = dl.headers![name];
    if (v === undefined || name.startsWith('dw-')) continue;
    original[name] = v;
    headerBytes += Buffer.byteLength(name);
    for (const x of Array.isArray(v) ? v : [v]) headerBytes += typeof x === 'string' ? Buffer.byteLength(x) : x.length;
  }
  const headersDropped = headerBytes > DEAD_LETTER_MAX_HEADER_BYTES;
  const valueCut = value.length > DEAD_LETTER_MAX_VALUE_BYTES;
  const keyCut = keyBytes !== null && keyBytes.length > DEAD_LETTER_MAX_KEY_BYTES;
  return {
    key: keyCut ? keyBytes.subarray(0, DEAD_LETTER_MAX_KEY_BYTES) : key,
    value: valueCut ? value.subarray(0, DEAD_LETTER_MAX_VALUE_BYTES) : value,
    headers: {
      ...(headersDropped ? {} : original),
      'dw-error': boundedReason(dl.reason),
      'dw-source-topic': source.topic ?? '',
      'dw-source-partition': source.partition === undefined ? '' : String(source.partition),
      'dw-source-offset': source.offset ?? '',
      ...(valueCut ? { 'dw-truncated': 'true', 'dw-original-bytes': String(value.length) } : {}),
      ...(keyCut ? { 'dw-key-truncated': 'true' } : {}),
      ...(headersDropped ? { 'dw-headers-dropped': String(Object.keys(original).length) } : {}),
    },
  };
}
