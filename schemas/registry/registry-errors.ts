/**
 * Schema-registry failures, and the one decision the engine needs about them:
 * is it worth waiting (the registry is down, restarting or overloaded) or is
 * the request itself hopeless (unknown schema id, incompatible schema)?
 *
 * `@kafkajs/confluent-schema-registry` reports HTTP errors as a `ResponseError`
 * with `status`; a connection that never got a response (ECONNREFUSED, reset,
 * DNS, timeout) surfaces as status 400 whose message carries the Node error
 * code, because its HTTP layer (mappersmith) maps client-side failures to 400.
 */
import { DriftwatchError } from '../../lib/errors.js';
import { redactCredentials } from './registry-endpoint.js';

export { SchemaRegistryError, SchemaIncompatibleError } from '../../lib/errors.js';

/** Node/undici error codes of a connection that failed before any HTTP answer. */
const NETWORK_CODES = [
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
];
const NETWORK_MESSAGE = new RegExp(`\\b(${NETWORK_CODES.join('|')})\\b|socket hang up|Timeout \\(\\d+ms\\)|fetch failed`, 'i');

function field(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/** The HTTP status of a registry answer, or undefined when there was none. */
export function registryStatus(err: unknown): number | undefined {
  const status = field(err, 'status');
  return typeof status === 'number' ? status : undefined;
}

/** 5xx, 408 (timeout) and 429 (throttled): answers worth waiting out, whichever client got them. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * True when the failure says nothing about the request itself: no connection,
 * a timeout, 5xx, 408 or 429. Such look-ups are retried, never dead-lettered.
 */
export function isTransientRegistryError(err: unknown): boolean {
  if (err instanceof DriftwatchError) return err.canRetry;
  const code = field(err, 'code');
  if (typeof code === 'string' && NETWORK_CODES.includes(code)) return true;
  const cause = field(err, 'cause');
  if (cause !== undefined && cause !== err && isTransientRegistryError(cause)) return true;
  const status = registryStatus(err);
  if (status !== undefined && isTransientStatus(status)) return true;
  const message = err instanceof Error ? err.message : String(err);
  // A mappersmith client-side failure: status 400 (or none) with the Node error in the message.
  return (status === undefined || status === 400) && NETWORK_MESSAGE.test(message);
}

/** The registry's own words, without the library's client-name prefix (and without any URL credentials). */
export function registryMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return redactCredentials(message.replace(/^Confluent_Schema_Registry - /, ''));
}
