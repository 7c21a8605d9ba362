/**
 * What the ClickHouse server transport throws: every failure becomes a
 * `StoreError` whose message says what to fix and whose `canRetry` tells the
 * writer whether trying again can help.
 *
 * Inputs are what the transport sees: the HTTP status and body of a failed
 * response, or the error of a request that got no response at all. The
 * ClickHouse code is parsed from the text (`clickhouseCodeInText`, which reads
 * both `Code: 193.` and an old server's `Code: 193, e.displayText() = …`)
 * because the client's own parser does not recognise 18.16's format and then
 * hands over a plain Error without a code.
 *
 * Retryable: no connection (refused, reset, DNS, timeout), 502/503/504 from a
 * proxy, any 5xx that carries no ClickHouse code, and the ClickHouse codes of
 * passing conditions (TRANSIENT_CLICKHOUSE_CODES). Not retryable: rejected
 * credentials, missing privileges, TLS failures, wrong SQL, unknown tables.
 */
import { causeChain, StoreError } from '../lib/errors.js';
import { redactUrl } from '../lib/logger.js';
import { clickhouseCodeInText, TRANSIENT_CLICKHOUSE_CODES } from './store-errors.js';

/** UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD, AUTHENTICATION_FAILED (newer servers report every login failure as 516). */
export const AUTH_FAILURE_CODES: ReadonlySet<number> = new Set([192, 193, 194, 516]);
const IP_ADDRESS_NOT_ALLOWED = 195;
const ACCESS_DENIED = 497;

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET',
]);
const CONNECTION_MESSAGE = /socket hang up|timeout error|timed? ?out|connection (reset|refused)/i;
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_SELF_SIGNED_CERT|HOSTNAME_MISMATCH)/;

export interface ServerErrorContext {
  /** The server URL (credentials in it are redacted before use). */
  url: string;
  user: string;
  /** The login came from CLICKHOUSE_URL's `user:password@` rather than CLICKHOUSE_USER / CLICKHOUSE_PASSWORD. */
  loginInUrl?: boolean;
  /** What was attempted, e.g. `insert into driftwatch.alerts`. */
  what: string;
  /** CLICKHOUSE_TLS_CA_FILE, when set: a TLS failure then names it rather than asking for it. */
  tlsCaFile?: string;
}

/** Whether a failure with this HTTP status / ClickHouse code / node error code may pass by itself. */
export function isRetryableServerFailure(f: { status?: number; code?: number; nodeCode?: string; message?: string }): boolean {
  if (f.code !== undefined && (AUTH_FAILURE_CODES.has(f.code) || f.code === ACCESS_DENIED || f.code === IP_ADDRESS_NOT_ALLOWED)) return false;
  if (f.status === 401 || f.status === 403) return false;
  if (f.status === 502 || f.status === 503 || f.status === 504) return true;
  if (f.code !== undefined) return TRANSIENT_CLICKHOUSE_CODES.has(f.code);
  if (f.status !== undefined) return f.status >= 500;
  if (f.nodeCode !== undefined && TLS_CODE.test(f.nodeCode)) return false;
  if (f.nodeCode !== undefined && CONNECTION_CODES.has(f.nodeCode)) return true;
  return CONNECTION_MESSAGE.test(f.message ?? '');
}

/** A failed HTTP response (status outside 2xx, or an exception header) as a StoreError. */
export function responseError(status: number, body: string, ctx: ServerErrorContext): StoreError {
  const code = clickhouseCodeInText(body);
  const detail = oneLine(body) || `HTTP ${status}`;
  return classify({ status, code, message: detail }, detail, ctx, undefined);
}

/** A request that got no usable response (connection, TLS, timeout) or any other thrown error, as a StoreError. */
export function requestError(err: unknown, ctx: ServerErrorContext): StoreError {
  if (err instanceof StoreError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const nodeCode = typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;
  const code = clickhouseCodeInText(message);
  return classify({ code, nodeCode, message }, oneLine(message) || nodeCode || 'unknown error', ctx, err);
}

/**
 * The errors `classify` made of a refused login (authentication) or a
 * missing privilege / a host the user may not connect from (authorization),
 * for the security audit of live mode (engine/live/live-audit.ts). Kept
 * beside the errors rather than in their messages, which are for people.
 */
const accessRefusals = new WeakMap<object, StoreAccessRefusal>();

export type StoreAccessRefusal = 'authentication' | 'authorization';

/** Whether the server refused the login or a privilege, for `err` or an error it wraps (the writer's final error wraps the attempt's). */
export function storeAccessRefusal(err: unknown): StoreAccessRefusal | undefined {
  for (const e of causeChain(err)) {
    const refusal = accessRefusals.get(e);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

function classify(
  f: { status?: number; code?: number; nodeCode?: string; message: string },
  detail: string,
  ctx: ServerErrorContext,
  cause: unknown,
): StoreError {
  const url = redactUrl(ctx.url);
  const canRetry = isRetryableServerFailure(f);
  let message: string;
  let refusal: StoreAccessRefusal | undefined;
  if ((f.code !== undefined && AUTH_FAILURE_CODES.has(f.code)) || (f.code === undefined && f.status === 401)) {
    refusal = 'authentication';
    message = ctx.loginInUrl
      ? `the user and password in CLICKHOUSE_URL rejected by ${url}: ${detail} (user "${ctx.user}"; they take precedence over CLICKHOUSE_USER/CLICKHOUSE_PASSWORD)`
      : `CLICKHOUSE_USER/CLICKHOUSE_PASSWORD rejected by ${url}: ${detail} (user "${ctx.user}"; check both variables)`;
  } else if (f.code === IP_ADDRESS_NOT_ALLOWED) {
    refusal = 'authorization';
    message = `CLICKHOUSE_USER "${ctx.user}" may not connect to ${url} from this host: ${detail} (the server's user config restricts its networks)`;
  } else if (f.code === ACCESS_DENIED || (f.code === undefined && f.status === 403)) {
    refusal = 'authorization';
    message = `CLICKHOUSE_USER "${ctx.user}" lacks a privilege for ${ctx.what} on ${url}: ${detail} (grant it the role driftwatch_writer from sql/roles/roles.sql)`;
  } else if (f.nodeCode !== undefined && TLS_CODE.test(f.nodeCode)) {
    const fix = ctx.tlsCaFile === undefined
      ? 'set CLICKHOUSE_TLS_CA_FILE to the CA that signed the server certificate'
      : `CLICKHOUSE_TLS_CA_FILE (${ctx.tlsCaFile}) is not the CA that signed the server certificate, or the certificate does not name the host of CLICKHOUSE_URL`;
    message = `TLS to ${url} failed (${f.nodeCode}): ${detail} (${fix})`;
  } else if (f.status === undefined && f.code === undefined && canRetry) {
    message = `ClickHouse at ${url} (CLICKHOUSE_URL) is unreachable during ${ctx.what}: ${detail}`;
  } else {
    message = `${ctx.what} on ${url} failed${f.status !== undefined ? ` (HTTP ${f.status})` : ''}: ${detail}`;
  }
  const error = new StoreError(message, { cause, canRetry });
  if (refusal !== undefined) accessRefusals.set(error, refusal);
  return error;
}

/** First 300 characters of the text on one line (proxy error pages can be long HTML). */
function oneLine(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 297)}...` : t;
}
