import { pino, destination, stdSerializers, stdTimeFunctions, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Structured logs (pino). Secrets never reach a log line: known secret-bearing
 * keys are redacted wherever they appear, and URLs are logged through
 * `redactUrl`. Child loggers carry correlation ids (`correlationId`,
 * `incidentId`, `runId`) so one incident can be followed across components.
 */
export function createLogger(options: { level?: string; destination?: DestinationStream; name?: string } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'driftwatch',
      level: logLevelOr(options.level ?? process.env.LOG_LEVEL, 'info'),
      base: { pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      serializers: { err: serializeErr },
      redact: {
        paths: ['password', '*.password', 'secret', '*.secret', 'token', '*.token', 'authorization', '*.authorization', 'sasl', '*.sasl'],
        censor: '[redacted]',
      },
    },
    options.destination ?? destination(2),
  );
}

/**
 * `err` of a log line. An Error goes through pino's serializer (type, message,
 * stack). What is already serialised — a coded error's `toJSON()`, logged so
 * that a user mistake shows no stack — is kept as it is: pino's serializer
 * takes anything with a message for an error, and turned it into type
 * "Object", its cause's message appended to its own (which usually quotes it
 * already) and a stack of "\ncaused by: ", the cause itself dropped.
 */
function serializeErr(value: unknown): unknown {
  return value instanceof Error ? stdSerializers.err(value) : value;
}

/** pino's levels, the values LOG_LEVEL takes. */
export const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * `level` when it is one of LOG_LEVELS (trimmed, any case), else `fallback`.
 * The logger exists before the configuration is validated (it reports that
 * validation), so it must not throw on a bad LOG_LEVEL: the configuration
 * check names the variable (config/env-config.ts).
 */
export function logLevelOr(level: string | undefined, fallback: string): string {
  const l = level?.trim().toLowerCase();
  return l && LOG_LEVELS.includes(l) ? l : fallback;
}

/** Userinfo as it appears in free text: `//user:pass@` (the scheme's `//` up to the first `@`). */
export const URL_USERINFO = /\/\/[^/@\s]*@/g;

/** The query string of a URL in free text: from `?` after `scheme://…` up to whitespace, `#` or a closing quote. */
const URL_QUERY = /(\bhttps?:\/\/[^\s?#"']*\?)([^\s#"']*)/gi;

/** Every `name=value` of a query string with its value replaced: a token may go by any name (token, sig, apikey…). */
function redactQuery(query: string): string {
  return query.replace(/=[^&]*/g, '=redacted');
}

/**
 * Removes `user:pass@` from any URL inside `text` (error messages of fetch,
 * of an HTTP library, of a server that echoes a URL), and the values of its
 * query string, so no password or token is ever logged or shown.
 */
export function redactCredentials(text: string): string {
  return text.replace(URL_USERINFO, '//[redacted]@').replace(URL_QUERY, (_m, head: string, query: string) => head + redactQuery(query));
}

/**
 * Removes the password, the query values (`?token=…`) and the fragment from a
 * URL before it is logged or shown. Text that does not parse as a URL still
 * loses whatever sits between `//` and `@`, and its query values.
 */
export function redactUrl(url: string): string {
  if (!SCHEME_AND_AUTHORITY.test(url)) return redactWithoutAuthority(url);
  try {
    const u = new URL(url);
    if (u.password) u.password = 'redacted';
    for (const key of new Set(u.searchParams.keys())) u.searchParams.set(key, 'redacted');
    if (u.hash.length > 1) u.hash = 'redacted'; // a fragment may hold a token too (#access_token=…)
    return u.toString();
  } catch {
    return redactCredentials(url);
  }
}

/** `scheme://` at the start: only then can the URL parser see a password (a `//` further on is path or query). */
const SCHEME_AND_AUTHORITY = /^[a-z][a-z\d+.-]*:\/\//i;

/**
 * A URL written without its `//` — most often its scheme forgotten: `bob:s3cret@ch:8123` parses as scheme `bob:`
 * with the path `s3cret@ch:8123`, so there is no password field to clear. Whatever precedes its last `@` may be
 * credentials, and its query values tokens.
 */
function redactWithoutAuthority(text: string): string {
  const at = text.lastIndexOf('@');
  const hidden = at < 0 ? text : `[redacted]${text.slice(at)}`;
  return hidden.replace(/\?([^\s#"']*)/, (_m, query: string) => `?${redactQuery(query)}`).replace(/#.+$/, '#redacted');
}

/** A logger that discards everything; for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
