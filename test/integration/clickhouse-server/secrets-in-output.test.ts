/**
 * No ClickHouse secret in what a failing command prints or logs: stderr,
 * stdout and every log line at LOG_LEVEL=debug (where a failure's record
 * carries its cause). The failures the server store meets — a password the
 * real server refuses (CLICKHOUSE_PASSWORD, or in CLICKHOUSE_URL), a port
 * nothing listens on, TLS to a server that speaks plain HTTP — each with a
 * recognisable secret, in `query` and `sql migrate`.
 *
 * Needs the server of server-store.test.ts (CLICKHOUSE_TEST_URL; skipped
 * when it is unset, which that file reports as a failure under CI=true).
 */
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../lib/free-port.js';
import { runCli } from '../../unit/cli/run-cli.js';

const URL_ = process.env.CLICKHOUSE_TEST_URL?.trim() || undefined;
const USER = process.env.CLICKHOUSE_TEST_USER?.trim() || 'driftwatch';
/** As typed in a URL (percent-encoded "@") and as sent: a message may show either. */
const SECRET_TYPED = 'Dw-S3cret%40Probe';
const SECRET_SENT = 'Dw-S3cret@Probe';

const withLogin = (url: string, password: string) => {
  const u = new URL(url);
  u.username = USER;
  u.password = password;
  return u.toString();
};

async function expectNoSecret(env: Record<string, string>): Promise<void> {
  for (const argv of [['query', 'SELECT 1'], ['sql', 'migrate']]) {
    const r = await runCli(argv, { LOG_LEVEL: 'debug', ...env });
    expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(1);
    expect(r.stderr).toMatch(/^driftwatch (query|sql migrate): .*\[DW_STORE_FAILED\]\n$/);
    for (const text of [r.stderr, r.stdout, r.log]) {
      expect(text).not.toContain(SECRET_TYPED);
      expect(text).not.toContain(SECRET_SENT);
    }
  }
}

describe.skipIf(URL_ === undefined)('ClickHouse secrets in the output of failing commands', () => {
  it('a password the server refuses, given as CLICKHOUSE_PASSWORD', async () => {
    await expectNoSecret({ CLICKHOUSE_URL: URL_!, CLICKHOUSE_USER: USER, CLICKHOUSE_PASSWORD: SECRET_SENT });
  });

  it('a password the server refuses, given in CLICKHOUSE_URL', async () => {
    await expectNoSecret({ CLICKHOUSE_URL: withLogin(URL_!, SECRET_TYPED) });
  });

  it('a server that cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await expectNoSecret({ CLICKHOUSE_URL: withLogin(closed, SECRET_TYPED) });
    await expectNoSecret({ CLICKHOUSE_URL: closed, CLICKHOUSE_PASSWORD: SECRET_SENT });
  });

  it('TLS to a server that speaks plain HTTP', async () => {
    const https = withLogin(URL_!.replace(/^http:/, 'https:'), SECRET_TYPED);
    await expectNoSecret({ CLICKHOUSE_URL: https });
  });
});
