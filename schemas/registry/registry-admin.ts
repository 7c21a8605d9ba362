/**
 * The few administrative calls of the Confluent Schema Registry REST API that
 * `driftwatch schemas register` needs, over fetch. (The Avro client library
 * registers too, but hides whether a schema was new and which version it got,
 * and turns "subject has another compatibility" into an error without the
 * level; an operator needs both.) Works with Confluent's registry and with
 * Apicurio's Confluent-compatible API (`/apis/ccompat/v7`), whose differences
 * are noted where they matter.
 */
import { redactUrl } from '../../lib/logger.js';
import { basicAuthorization, redactCredentials, registryEndpoint } from './registry-endpoint.js';
import { isTransientRegistryError, isTransientStatus, SchemaIncompatibleError, SchemaRegistryError } from './registry-errors.js';

export const compatibilityLevels = [
  'NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof compatibilityLevels)[number];

export interface RegisteredVersion {
  id: number;
  version: number;
}

export interface RegistryAdminOptions {
  /** Per-request timeout. @default 10 s */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface Answer {
  status: number;
  data: unknown;
}

function errorText(data: unknown): string {
  if (typeof data === 'object' && data !== null) {
    const d = data as Record<string, unknown>;
    for (const key of ['message', 'title', 'detail']) if (typeof d[key] === 'string') return redactCredentials(d[key]);
  }
  // A proxy's error page may echo the request URL.
  return redactCredentials((typeof data === 'string' ? data : JSON.stringify(data)).slice(0, 300));
}

/** Registry errors carry `error_code`; a 404 without one comes from something else at that URL. */
function isRegistryError(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'error_code' in data;
}

/** Why fetch failed, redacted: fetch puts the whole request URL into some of its messages. */
function causeText(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return redactCredentials(cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err)));
}

/**
 * True when fetch never got an answer because of the network: connection
 * refused or reset, DNS, a timeout. Only that is worth waiting out; fetch also
 * throws (a TypeError) for requests that can never work, e.g. a URL it refuses
 * or a TLS certificate it does not trust, and those fail at once.
 */
function isNetworkFailure(err: unknown): boolean {
  if (err instanceof Error && err.name === 'TimeoutError') return true; // AbortSignal.timeout
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  if (cause === undefined || cause === null) return false;
  // Several addresses tried (happy eyeballs): an AggregateError of their failures.
  const errors = (cause as { errors?: unknown }).errors;
  return isTransientRegistryError(cause) || (Array.isArray(errors) && errors.some((e) => isTransientRegistryError(e)));
}

export class RegistryAdmin {
  /** The API root without credentials: fetch refuses URLs that carry them. */
  private readonly base: string;
  private readonly authorization: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  /** `url` may carry `user:password@`; they are sent as basic auth, never as part of the URL. */
  constructor(url: string, options: RegistryAdminOptions = {}) {
    const endpoint = registryEndpoint(url);
    this.base = endpoint.baseUrl;
    this.authorization = endpoint.auth && basicAuthorization(endpoint.auth);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchFn = options.fetch ?? fetch;
  }

  /** The subject's own compatibility level; null when it has none (or does not exist yet). */
  async getCompatibility(subject: string): Promise<CompatibilityLevel | null> {
    const a = await this.request('GET', `/config/${encodeURIComponent(subject)}`);
    // Confluent: 404 when the subject has no level of its own. Apicurio: 404 for an
    // unknown subject, and NONE for a subject without a compatibility rule.
    if (a.status === 404) return null;
    this.expectOk(a, `read the compatibility of ${subject}`);
    const level = (a.data as { compatibilityLevel?: string; compatibility?: string }) ?? {};
    const text = String(level.compatibilityLevel ?? level.compatibility ?? '').toUpperCase();
    if (!(compatibilityLevels as readonly string[]).includes(text)) {
      throw new SchemaRegistryError(`unexpected compatibility answer for ${subject}: ${JSON.stringify(a.data)}`);
    }
    return text as CompatibilityLevel;
  }

  /** Sets the subject's compatibility level (allowed before its first version). */
  async setCompatibility(subject: string, level: CompatibilityLevel): Promise<void> {
    const a = await this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
    this.expectOk(a, `set the compatibility of ${subject} to ${level}`);
  }

  /** The id and version under which exactly this schema is registered in `subject`, or null. */
  async lookUp(subject: string, schema: unknown): Promise<RegisteredVersion | null> {
    const a = await this.request('POST', `/subjects/${encodeURIComponent(subject)}`, { schema: JSON.stringify(schema) });
    if (a.status === 404) return null; // unknown subject (40401) or schema not in it (40403)
    this.expectOk(a, `look up the schema in ${subject}`);
    const { id, version } = a.data as { id: number; version: number };
    return { id, version };
  }

  /**
   * Registers `schema` as the next version of `subject` and returns its id
   * (the existing id when it is already registered). A schema that breaks the
   * subject's compatibility rule throws SchemaIncompatibleError.
   */
  async register(subject: string, schema: unknown): Promise<number> {
    const a = await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: JSON.stringify(schema) });
    if (a.status === 409) {
      throw new SchemaIncompatibleError(subject, `the registry refused the schema for ${subject} as incompatible: ${errorText(a.data)}`);
    }
    if (a.status === 422) {
      throw new SchemaRegistryError(`the registry refused the schema for ${subject} as invalid: ${errorText(a.data)}`);
    }
    this.expectOk(a, `register a schema in ${subject}`);
    return (a.data as { id: number }).id;
  }

  private expectOk(a: Answer, doing: string): void {
    if (a.status >= 200 && a.status < 300) return;
    // A 404 without a registry error code: the URL is not the API root.
    const hint = a.status === 404 && !isRegistryError(a.data) ? ` (is ${redactUrl(this.base)} the API root? Apicurio serves it under /apis/ccompat/v7)` : '';
    throw new SchemaRegistryError(`could not ${doing}: the schema registry answered ${a.status}: ${errorText(a.data)}${hint}`, {
      canRetry: isTransientStatus(a.status),
    });
  }

  private async request(method: string, path: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = {
      accept: 'application/vnd.schemaregistry.v1+json, application/json',
      'content-type': 'application/vnd.schemaregistry.v1+json',
    };
    if (this.authorization) headers.authorization = this.authorization;
    let response: Response;
    try {
      response = await this.fetchFn(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      if (!isNetworkFailure(err)) {
        // Not an outage: retrying would only repeat it.
        throw new SchemaRegistryError(`the request ${method} ${redactUrl(this.base)}${path} to the schema registry failed: ${causeText(err)}`, { cause: err });
      }
      throw new SchemaRegistryError(
        `cannot reach the schema registry at ${redactUrl(this.base)} (${causeText(err)}); is it running, and does SCHEMA_REGISTRY_URL include the API path (Apicurio: …/apis/ccompat/v7)?`,
        { canRetry: true, cause: err },
      );
    }
    const text = await response.text();
    let data: unknown = text;
    try {
      data = text === '' ? null : JSON.parse(text);
    } catch {
      // not JSON: keep the text for the error message
    }
    return { status: response.status, data };
  }
}
