/**
 * No ClickHouse secret in what a failing command prints or logs: stderr,
 * stdout and every log line at LOG_LEVEL=debug (where a failure's record
 * carries its cause). The failures the server store meets — a password the
 * real server refuses (CLICKHOUSE_PASSWORD, or in CLICKHOUSE_URL), a port
 * nothing listens on, TLS to a server that speaks plain HTTP — each with a
 * recognisable secret, in `query` and `sql migrate`.
 *
 * Declared by server-store.test.ts, before its test that stops the server:
 * a file of its own would run beside that one and meet the stopped server.
 */
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../lib/free-port.js';
import { runCli } from '../../unit/cli/run-cli.js';

/** As typed in a URL (percent-encoded "@") and as sent: a message may show either. */
const SECRET_TYPED = 'Dw-S3cret%40Probe';
const SECRET_SENT = 'Dw-S3cret@Probe';

const withLogin = (url: string, user: string, password: string) => {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
};

async function expectNoSecret(env: Record<string, string>): Promise<void> {
  for (const argv of [['query', 'SELECT 1'], ['sql', 'migrate']]) {
    // A short request timeout: TLS to the plain-HTTP port sometimes gets no answer at all (the server waits for the
    // end of an HTTP header a ClientHello never sends) and fails only when the login check times out.
    const r = await runCli(argv, { LOG_LEVEL: 'debug', CLICKHOUSE_REQUEST_TIMEOUT: '2s', ...env });
    expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(1);
    expect(r.stderr).toMatch(/^driftwatch (query|sql migrate): .*\[DW_STORE_FAILED\]\n$/);
    for (const text of [r.stderr, r.stdout, r.log]) {
      expect(text).not.toContain(SECRET_TYPED);
      expect(text).not.toContain(SECRET_SENT);
    }
  }
}

/** The cases, against the server at `url` (its user `user`), as a suite of `suite` (describe, or describe.skip). */
export function secretsInOutputSuite(suite: typeof describe, url: string, user: string): void {
  suite('ClickHouse secrets in the output of failing commands', () => {
    it('a password the server refuses, given as CLICKHOUSE_PASSWORD', async () => {
      await expectNoSecret({ CLICKHOUSE_URL: url, CLICKHOUSE_USER: user, CLICKHOUSE_PASSWORD: SECRET_SENT });
    });

    it('a password the server refuses, given in CLICKHOUSE_URL', async () => {
      await expectNoSecret({ CLICKHOUSE_URL: withLogin(url, user, SECRET_TYPED) });
    });

    it('a server that cannot be reached', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      await expectNoSecret({ CLICKHOUSE_URL: withLogin(closed, user, SECRET_TYPED) });
      await expectNoSecret({ CLICKHOUSE_URL: closed, CLICKHOUSE_PASSWORD: SECRET_SENT });
    });

    it('TLS to a server that speaks plain HTTP', async () => {
      await expectNoSecret({ CLICKHOUSE_URL: withLogin(url.replace(/^http:/, 'https:'), user, SECRET_TYPED) });
    });
  });
}
