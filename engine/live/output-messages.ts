/** Kafka messages the engine produces: alerts (key = fingerprint) and dead letters (SPEC §2 headers). */
import type { Message } from 'kafkajs';
import type { AlertEvent } from '../../schemas/alert-event.js';
import type { DeadLetter } from '../../processors/facts.js';

export function alertMessage(alert: AlertEvent): Message {
  return {
    key: alert.fingerprint,
    value: JSON.stringify(alert),
    headers: { 'dw-rule': alert.rule, 'dw-status': alert.status, 'dw-severity': alert.severity, 'content-type': 'application/json' },
  };
}

/** The original bytes and key, the original headers, plus why and where from. */
export function deadLetterMessage(dl: DeadLetter): Message {
  const source = dl.source ?? {};
  return {
    key: dl.key ?? null,
    value: typeof dl.raw === 'string' ? Buffer.from(dl.raw, 'utf8') : dl.raw,
    headers: {
      ...(dl.headers ?? {}),
      'dw-error': dl.reason,
      'dw-source-topic': source.topic ?? '',
      'dw-source-partition': source.partition === undefined ? '' : String(source.partition),
      'dw-source-offset': source.offset ?? '',
    },
  };
}
