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

/**
 * A 404 the registry itself gave: its body names the error ("Schema 7 not
 * found", error_code 40403), which the library puts in the message. Whatever
 * else answers 404 at that URL (a path that is not the API root, an ingress)
 * has no such body, and the library's message reads "Error, status 404…".
 */
export function isRegistryNotFound(err: unknown): boolean {
  return registryStatus(err) === 404 && !/^Error, status 404\b/.test(registryMessage(err));
}

/**
 * True when the failure says nothing about the record being decoded, so it
 * must be waited out and never dead-letter a good record (whose offset would
 * then be committed: lost): a transient failure, credentials the registry
 * refuses (401/403 — expired, or an auth proxy in front of it), or a 404 that
 * is not the registry's own "not found" (SCHEMA_REGISTRY_URL is not the API
 * root). Each is fixed outside the engine, after which the records decode.
 */
export function isRecordIndependentRegistryError(err: unknown): boolean {
  if (isTransientRegistryError(err) || isRegistryRefusal(err)) return true;
  return registryStatus(err) === 404 && !isRegistryNotFound(err);
}

/** The registry refused the request to these credentials: 401 (not authenticated) or 403 (not allowed). */
export function isRegistryRefusal(err: unknown): boolean {
  const status = registryStatus(err);
  return status === 401 || status === 403;
}

/** What an operator should check, for a failure that is not the record's: appended to the log line of the wait. */
export function registryHint(err: unknown): string {
  if (isRegistryRefusal(err)) return ' (the registry refused the credentials: check the user and password of SCHEMA_REGISTRY_URL)';
  if (registryStatus(err) === 404 && !isRegistryNotFound(err)) return ' (not an answer of the registry API: is SCHEMA_REGISTRY_URL its root? Apicurio serves it under /apis/ccompat/v7)';
  return '';
}

/** The registry's own words, without the library's client-name prefix (and without any URL credentials). */
export function registryMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return redactCredentials(message.replace(/^Confluent_Schema_Registry - /, ''));
}
