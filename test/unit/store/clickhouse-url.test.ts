import { describe, expect, it } from 'vitest';
import { clickhouseLogin } from '../../../store/clickhouse-url.js';
import { ConfigError } from '../../../lib/errors.js';
import { runCli } from '../cli/run-cli.js';

describe('CLICKHOUSE_URL login', () => {
  it('takes a percent-encoded login out of the URL (it wins over CLICKHOUSE_USER / CLICKHOUSE_PASSWORD)', () => {
    expect(clickhouseLogin('https://bob:p%40ss%25w@ch.example:8443/', 'default', 'env-pw')).toEqual({
      url: 'https://ch.example:8443/', username: 'bob', password: 'p@ss%w', fromUrl: true,
    });
    expect(clickhouseLogin('http://ch.example:8123/', 'alice', 'pw')).toEqual({ url: 'http://ch.example:8123/', username: 'alice', password: 'pw', fromUrl: false });
  });

  it('refuses a login that is not valid percent-encoding, naming CLICKHOUSE_URL and hiding the password', () => {
    let err: unknown;
    try {
      clickhouseLogin('http://u:s3cret%zz@127.0.0.1:1/', 'default', '');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe('CLICKHOUSE_URL');
    expect((err as Error).message).toMatch(/^CLICKHOUSE_URL: http:\/\/u:redacted@127\.0\.0\.1:1\/: the user or password in it is not valid percent-encoding/);
    expect((err as Error).message).not.toContain('s3cret');
  });
});

describe('driftwatch query with a malformed CLICKHOUSE_URL', () => {
  it.each([
    ['http://u:s3cret%zz@127.0.0.1:1/', /CLICKHOUSE_URL: .*not valid percent-encoding/],
    ['http://u:s3cret@127.0.0.1:1/?foo=1&token=t0ken', /CLICKHOUSE_URL: http:\/\/u:redacted@127\.0\.0\.1:1\/\?foo=redacted&token=redacted: Unknown URL parameters: foo/],
  ])('%s: a configuration error (exit 2) naming CLICKHOUSE_URL, no secret, no stack', async (url, message) => {
    const r = await runCli(['query', 'SELECT 1'], { CLICKHOUSE_URL: url });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr + r.log).not.toMatch(/s3cret|t0ken|unexpected failure|\n\s+at /);
  });
});
