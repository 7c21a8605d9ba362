/**
 * CLICKHOUSE_URL as the ClickHouse client takes it: the URL without its
 * `user:password@`, and the login apart. The client would read credentials
 * from the URL itself, but it then warns on stderr in plain text ("username
 * is overridden by a URL parameter", outside the structured log) and throws
 * a bare URIError on a password that is not percent-encoded. Here a login
 * in the URL takes precedence over CLICKHOUSE_USER / CLICKHOUSE_PASSWORD, as
 * before, and a malformed one is a configuration error naming CLICKHOUSE_URL.
 */
import { ConfigError } from '../lib/errors.js';
import { redactUrl } from '../lib/logger.js';

export interface ClickHouseLogin {
  /** The URL without userinfo. */
  url: string;
  username: string;
  password: string;
  /** Whether the login came from the URL. */
  fromUrl: boolean;
}

export function clickhouseLogin(url: string, username: string, password: string): ClickHouseLogin {
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    throw new ConfigError('CLICKHOUSE_URL', `expected an http(s) URL, got ${redactUrl(url)}`, { cause: err });
  }
  if (u.username === '' && u.password === '') return { url, username, password, fromUrl: false };
  let login: { username: string; password: string };
  try {
    login = { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
  } catch (err) {
    throw new ConfigError(
      'CLICKHOUSE_URL',
      `${redactUrl(url)}: the user or password in it is not valid percent-encoding (write a % in a password as %25, or set CLICKHOUSE_PASSWORD instead)`,
      { cause: err },
    );
  }
  u.username = '';
  u.password = '';
  return { url: u.toString(), username: login.username || username, password: login.password, fromUrl: true };
}
