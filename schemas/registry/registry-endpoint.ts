/**
 * Where the schema registry is, and how to log in: SCHEMA_REGISTRY_URL may
 * carry `user:password@`, the usual way to configure a registry behind basic
 * auth. The credentials are split out once, here, because neither client can
 * take them inside the URL:
 *
 * - Node's fetch refuses a URL with credentials ("Request cannot be
 *   constructed from a URL that includes credentials: <the whole URL>"), and
 *   that error text carries the password into logs;
 * - any URL that goes into an error message or a log line would carry it too.
 *
 * So both clients get the URL without credentials and the credentials on
 * their own: RegistryAdmin as an `Authorization: Basic` header,
 * @kafkajs/confluent-schema-registry as its `auth` option.
 */

/** A type, not an interface: the registry library takes it as a string record. */
export type RegistryAuth = {
  username: string;
  password: string;
};

export interface RegistryEndpoint {
  /** The API root without credentials and without a trailing slash. */
  baseUrl: string;
  /** Basic-auth credentials from the URL, percent-decoded; undefined when it has none. */
  auth?: RegistryAuth;
}

import { URL_USERINFO } from '../../lib/logger.js';

// The registry's error texts go through the project's one redaction (lib/logger.ts).
export { redactCredentials } from '../../lib/logger.js';

/** URL components are percent-encoded (`p%40ss` for `p@ss`); a malformed escape is kept as typed. */
function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Splits the credentials out of a registry URL, e.g.
 * `http://reg:s3cret@host:8081/apis/ccompat/v7/` →
 * `{ baseUrl: 'http://host:8081/apis/ccompat/v7', auth: { username: 'reg', password: 's3cret' } }`.
 */
export function registryEndpoint(url: string): RegistryEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL (the configuration check normally prevents this): the request
    // will fail on its own, but the text must still not carry a password.
    return { baseUrl: url.replace(URL_USERINFO, '//').replace(/\/+$/, '') };
  }
  const auth =
    parsed.username || parsed.password
      ? { username: decodeComponent(parsed.username), password: decodeComponent(parsed.password) }
      : undefined;
  parsed.username = '';
  parsed.password = '';
  const baseUrl = parsed.toString().replace(/\/+$/, '');
  return auth ? { baseUrl, auth } : { baseUrl };
}

/** The `Authorization` header value for basic auth (RFC 7617, UTF-8). */
export function basicAuthorization(auth: RegistryAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}
