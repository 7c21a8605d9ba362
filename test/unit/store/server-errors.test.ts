import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../lib/errors.js';
import { requestError, responseError } from '../../../store/server-errors.js';

const ctx = { url: 'http://driftwatch:hunter2@ch.internal:8123', user: 'driftwatch', what: 'insert into driftwatch.alerts' };
const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('responseError (the server answered with an error)', () => {
  it.each([
    ['wrong password (18.16)', 401, 'Code: 193, e.displayText() = DB::Exception: Wrong password for user driftwatch, e.what() = DB::Exception\n'],
    ['unknown user (18.16)', 401, 'Code: 192, e.displayText() = DB::Exception: Unknown user ghost, e.what() = DB::Exception\n'],
    ['password required (18.16)', 401, 'Code: 194, e.displayText() = DB::Exception: Password required for user driftwatch, e.what() = DB::Exception\n'],
    ['authentication failed (current)', 516, 'Code: 516. DB::Exception: driftwatch: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED) (version 24.8.4.13)'],
    ['401 from a proxy, no code', 401, 'Unauthorized'],
  ])('%s: names both options, the redacted URL, and is not retryable', (_name, status, body) => {
    const e = responseError(status, body, ctx);
    expect(e).toBeInstanceOf(StoreError);
    expect(e.canRetry).toBe(false);
    expect(e.message).toMatch(/^CLICKHOUSE_USER\/CLICKHOUSE_PASSWORD rejected by http:\/\/driftwatch:redacted@ch\.internal:8123\/: /);
    expect(e.message).toContain('user "driftwatch"');
    expect(e.message).not.toContain('hunter2');
  });

  it('a missing privilege says which role to grant', () => {
    const e = responseError(403, 'Code: 497. DB::Exception: driftwatch: Not enough privileges. To execute this query, it is necessary to have the grant INSERT ON driftwatch.alerts. (ACCESS_DENIED)', ctx);
    expect(e.canRetry).toBe(false);
    expect(e.message).toMatch(/CLICKHOUSE_USER "driftwatch" lacks a privilege for insert into driftwatch\.alerts .*driftwatch_writer.*sql\/roles\/roles\.sql/);
  });

  it('gateway errors and code-less 5xx are retryable; a 5xx with a permanent code is not', () => {
    expect(responseError(502, '<html><body><h1>502 Bad Gateway</h1></body></html>', ctx)).toMatchObject({ canRetry: true });
    expect(responseError(503, 'Code: 49. DB::Exception: Logical error', ctx)).toMatchObject({ canRetry: true });
    expect(responseError(500, '', ctx)).toMatchObject({ canRetry: true, message: expect.stringContaining('(HTTP 500): HTTP 500') });
    expect(responseError(500, 'Code: 241. DB::Exception: Memory limit (total) exceeded (MEMORY_LIMIT_EXCEEDED)', ctx)).toMatchObject({ canRetry: true });
    expect(responseError(500, 'Code: 252. DB::Exception: Too many parts (TOO_MANY_PARTS)', ctx)).toMatchObject({ canRetry: true });
    expect(responseError(500, 'Code: 49. DB::Exception: Logical error (LOGICAL_ERROR)', ctx)).toMatchObject({ canRetry: false });
  });

  it('wrong SQL and unknown tables are not retryable and keep the server text', () => {
    const e = responseError(404, "Code: 60, e.displayText() = DB::Exception: Table driftwatch.nope doesn't exist., e.what() = DB::Exception\n", ctx);
    expect(e.canRetry).toBe(false);
    expect(e.message).toBe(
      "insert into driftwatch.alerts on http://driftwatch:redacted@ch.internal:8123/ failed (HTTP 404): Code: 60, e.displayText() = DB::Exception: Table driftwatch.nope doesn't exist., e.what() = DB::Exception",
    );
    expect(responseError(400, 'Code: 62. DB::Exception: Syntax error (SYNTAX_ERROR)', ctx).canRetry).toBe(false);
  });

  it('cuts a long body to one line of at most 300 characters', () => {
    const e = responseError(502, `<html>\n${'x'.repeat(1000)}\n</html>`, ctx);
    expect(e.message.length).toBeLessThan(420);
    expect(e.message).not.toContain('\n');
  });
});

describe('requestError (no usable response)', () => {
  it('connection failures and timeouts are retryable and name CLICKHOUSE_URL', () => {
    for (const err of [
      nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8123'),
      nodeError('ECONNRESET', 'socket hang up'),
      nodeError('ENOTFOUND', 'getaddrinfo ENOTFOUND ch.internal'),
      new Error('Timeout error.'),
    ]) {
      const e = requestError(err, ctx);
      expect(e.canRetry).toBe(true);
      expect(e.message).toMatch(/^ClickHouse at http:\/\/driftwatch:redacted@ch\.internal:8123\/ \(CLICKHOUSE_URL\) is unreachable during insert into driftwatch\.alerts: /);
      expect(e.cause).toBe(err);
    }
  });

  it('TLS failures are not retryable and point at CLICKHOUSE_TLS_CA_FILE', () => {
    const e = requestError(nodeError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), ctx);
    expect(e.canRetry).toBe(false);
    expect(e.message).toMatch(/TLS to .* failed \(SELF_SIGNED_CERT_IN_CHAIN\).*CLICKHOUSE_TLS_CA_FILE/);
  });

  it('a TLS failure with CLICKHOUSE_TLS_CA_FILE set names the file instead of asking to set it', () => {
    const e = requestError(nodeError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), { ...ctx, tlsCaFile: '/etc/ssl/other-ca.pem' });
    expect(e.canRetry).toBe(false);
    expect(e.message).toMatch(/\(CLICKHOUSE_TLS_CA_FILE \(\/etc\/ssl\/other-ca\.pem\) is not the CA that signed the server certificate/);
    expect(e.message).not.toContain('set CLICKHOUSE_TLS_CA_FILE');
  });

  it('a plain Error with an 18.16 auth message is classified by its code', () => {
    const e = requestError(new Error('Code: 193, e.displayText() = DB::Exception: Wrong password for user driftwatch, e.what() = DB::Exception'), ctx);
    expect(e.canRetry).toBe(false);
    expect(e.message).toMatch(/^CLICKHOUSE_USER\/CLICKHOUSE_PASSWORD rejected by/);
  });

  it('keeps a StoreError as it is', () => {
    const original = new StoreError('already classified', { canRetry: true });
    expect(requestError(original, ctx)).toBe(original);
  });

  it('an unknown error is not retryable', () => {
    expect(requestError(new TypeError('values.pipe is not a function'), ctx)).toMatchObject({ canRetry: false });
  });
});
