import { describe, expect, it } from 'vitest';
import { createLogger, logLevelOr, redactUrl } from '../../../lib/logger.js';
import { InputError } from '../../../lib/errors.js';

describe('redactUrl', () => {
  it('replaces the password of a URL', () => {
    expect(redactUrl('http://bob:s3cret@ch.example:8123/')).toBe('http://bob:redacted@ch.example:8123/');
    expect(redactUrl('http://ch.example:8123/')).toBe('http://ch.example:8123/');
  });

  it('replaces the values of the query string, whatever their names (a token, a signature)', () => {
    expect(redactUrl('http://reg:pw@h:8081/apis/ccompat/v7?token=pa55tok&sig=abc&sig=def')).toBe('http://reg:redacted@h:8081/apis/ccompat/v7?token=redacted&sig=redacted');
    expect(redactUrl('http://h:8123/?password=pa55q')).toBe('http://h:8123/?password=redacted');
  });

  // The registry URL check already hid a fragment (config/option-parsers.ts); CLICKHOUSE_URL showed it in every message.
  it('replaces a fragment, which may hold a token as well (an OAuth-style #access_token=…)', () => {
    expect(redactUrl('http://bob:s3cret@ch.example:8123/#access_token=pa55frag')).toBe('http://bob:redacted@ch.example:8123/#redacted');
    expect(redactUrl('http://h:8123/?a=1#pa55frag')).toBe('http://h:8123/?a=redacted#redacted');
    expect(redactUrl('bob:s3cret@ch.example:8123/#pa55frag')).toBe('[redacted]@ch.example:8123/#redacted');
    expect(redactUrl('http://h:8123/')).toBe('http://h:8123/');
  });

  it('hides the credentials of a URL written without its scheme, which parses as a scheme-only URL (user: as the scheme)', () => {
    // `new URL('bob:s3cret@ch:8123')` is scheme `bob:` with the path `s3cret@ch:8123`: no password field to clear.
    expect(redactUrl('bob:s3cret@ch.example:8123')).toBe('[redacted]@ch.example:8123');
    expect(redactUrl('reg:pa55@h:8081/apis/ccompat/v7')).toBe('[redacted]@h:8081/apis/ccompat/v7');
    expect(redactUrl('localhost:8123')).toBe('localhost:8123');
  });

  it('hides them too when such a URL holds "//" after its scheme-like start (a password with "//", a path or query with one)', () => {
    // Not `scheme://`: still scheme `bob:` with no password field; "//" elsewhere must not send it down the parsed-URL path.
    expect(redactUrl('bob:ab//cd@ch.example:8123')).toBe('[redacted]@ch.example:8123');
    expect(redactUrl('bob:s3cret@ch.example:8123/?next=//x')).toBe('[redacted]@ch.example:8123/?next=redacted');
    expect(redactUrl('http://bob:s3cret@ch.example:8123/?next=//x')).toBe('http://bob:redacted@ch.example:8123/?next=redacted');
  });

  it('still hides the credentials of text that does not parse as a URL', () => {
    expect(redactUrl('http://bob:s3cret@[bad')).toBe('http://[redacted]@[bad');
    expect(redactUrl('no credentials here')).toBe('no credentials here');
  });
});

describe('log level', () => {
  it('takes a known level in any case and falls back on anything else (the config check names LOG_LEVEL)', () => {
    expect(logLevelOr(' DEBUG ', 'info')).toBe('debug');
    expect(logLevelOr('verbose', 'info')).toBe('info');
    expect(logLevelOr('', 'info')).toBe('info');
    expect(logLevelOr(undefined, 'warn')).toBe('warn');
  });

  it('never throws on a bad level', () => {
    expect(createLogger({ level: 'verbose' }).level).toBe('info');
  });
});

describe('logging a coded error', () => {
  function logged(err: unknown): Record<string, unknown> {
    let line = '';
    createLogger({ destination: { write: (msg: string) => void (line += msg) } }).error({ err }, 'failed');
    return (JSON.parse(line) as { err: Record<string, unknown> }).err;
  }

  it("keeps an error's toJSON() as it is: its message once, its cause as a field, no empty stack", () => {
    const cause = Object.assign(new Error('EEXIST: file already exists, mkdir \'out\''), { code: 'EEXIST' });
    const err = new InputError('--out out: cannot create the output directory (EEXIST: file already exists)', { cause });
    expect(logged(err.toJSON())).toEqual({
      name: 'InputError',
      code: 'DW_INPUT_FAILED',
      message: '--out out: cannot create the output directory (EEXIST: file already exists)',
      canRetry: false,
      cause: { name: 'Error', message: "EEXIST: file already exists, mkdir 'out'" },
    });
  });

  it('still serialises an Error itself with its type and stack', () => {
    const err = logged(new Error('boom'));
    expect(err).toMatchObject({ type: 'Error', message: 'boom' });
    expect(String(err.stack)).toMatch(/^Error: boom\n\s+at /);
  });
});
