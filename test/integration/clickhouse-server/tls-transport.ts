/**
 * The server transport over TLS to the real 18.16 server: its HTTPS port
 * (`deploy/clickhouse/clickhouse.sh start` with CLICKHOUSE_HTTPS_PORT, which
 * prints CLICKHOUSE_TEST_HTTPS_URL and CLICKHOUSE_TEST_TLS_CA_FILE — a CA of
 * its own that signed the server certificate). With CLICKHOUSE_TLS_CA_FILE
 * the configured store connects, and a StoreWriter's rows land and read
 * back; without it, or with another CA, the login check fails at once, not
 * retried, saying what to set.
 *
 * Declared by server-store.test.ts, before its test that stops the server
 * (a file of its own would run beside that one and meet the stopped server).
 * Skipped, with a notice, when CLICKHOUSE_TEST_HTTPS_URL is unset, also
 * under CI=true (a server started before without HTTPS serves the other
 * tests): `.ci/run` starts the server with CLICKHOUSE_HTTPS_PORT and fails
 * itself when the HTTPS URL and CA are not printed.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../config/env-config.js';
import { StoreError } from '../../../lib/errors.js';
import { silentLogger } from '../../../lib/logger.js';
import { ClickHouseServerTransport } from '../../../store/clickhouse-transport.js';
import { openConfiguredStore } from '../../../store/configured-store.js';
import { StoreWriter } from '../../../store/store-writer.js';
import { hydration, T0 } from '../../unit/store/fixtures.js';
import { createHydrationEvents1816 } from './hydration-table-1816.js';

const HTTPS_URL = process.env.CLICKHOUSE_TEST_HTTPS_URL?.trim() || undefined;
const CA_FILE = process.env.CLICKHOUSE_TEST_TLS_CA_FILE?.trim() || undefined;

/**
 * The server's HTTPS port as the suite was given it ('' without one): a test that stops and starts the server
 * passes it to clickhouse.sh start as CLICKHOUSE_HTTPS_PORT, so the server comes back as it was, HTTPS and all
 * (started without it, it served plain HTTP only from then on, and this suite failed on the next run).
 */
export function httpsPortToKeep(): string {
  return HTTPS_URL === undefined ? '' : new URL(HTTPS_URL).port;
}

/** Whether the HTTPS port (when the suite has one) answers a login over TLS with the CA file. */
export async function httpsServes(user: string, password: string): Promise<boolean> {
  if (HTTPS_URL === undefined || CA_FILE === undefined) return true;
  const t = await ClickHouseServerTransport.open({ url: HTTPS_URL, username: user, password, tlsCaFile: CA_FILE }).catch(() => undefined);
  await t?.close();
  return t !== undefined;
}

/** The cases, as a suite of `suite` (describe, or describe.skip) when the HTTPS port is known; logging in as `user` / `password`. */
export function tlsTransportSuite(suite: typeof describe, user: string, password: string): void {
  if (HTTPS_URL === undefined || CA_FILE === undefined) {
    if (suite === describe) {
      console.warn('[skipped] ClickHouse over TLS: set CLICKHOUSE_TEST_HTTPS_URL and CLICKHOUSE_TEST_TLS_CA_FILE (printed by deploy/clickhouse/clickhouse.sh start with CLICKHOUSE_HTTPS_PORT)');
    }
    return;
  }

  suite('ClickHouse server over TLS', () => {
    it('with CLICKHOUSE_TLS_CA_FILE: the configured store connects over HTTPS and a writer’s rows land once', async () => {
      const env = { CLICKHOUSE_URL: HTTPS_URL, CLICKHOUSE_USER: user, CLICKHOUSE_PASSWORD: password, CLICKHOUSE_TLS_CA_FILE: CA_FILE };
      const t = await openConfiguredStore({ config: loadConfig(env), logger: silentLogger }, { migrate: false });
      const db = `dw_tls_${randomBytes(4).toString('hex')}`;
      try {
        expect(t.kind).toBe('server');
        await t.command(`CREATE DATABASE ${db}`);
        await createHydrationEvents1816(t, db);
        const w = new StoreWriter(t, { database: db, batchRows: 40, flushIntervalMs: 0 });
        for (let i = 0; i < 100; i++) w.write(hydration(T0 + i * 1000, `tls-${i}`));
        await w.close();
        expect(w.stats()).toMatchObject({ batches: 3, retries: 0, rowsWritten: { hydration_events: 100 } });
        expect(await t.query(`SELECT count() AS n, uniqExact(event_id) AS uniq, min(event_id) AS first FROM ${db}.hydration_events`)).toEqual([
          { n: 100, uniq: 100, first: 'tls-0' },
        ]);
      } finally {
        await t.command(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
        await t.close();
      }
    });

    it('without CLICKHOUSE_TLS_CA_FILE, or with a CA that did not sign the certificate: a clear, non-retryable StoreError at open', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dw-tls-'));
      const otherCa = join(dir, 'other-ca.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=another CA', '-keyout', '/dev/null', '-out', otherCa], { stdio: 'ignore' });
      try {
        const systemCas = await ClickHouseServerTransport.open({ url: HTTPS_URL, username: user, password }).catch((e: unknown) => e);
        expect(systemCas).toBeInstanceOf(StoreError);
        expect(systemCas).toMatchObject({ canRetry: false, message: expect.stringMatching(/^TLS to https:\/\/127\.0\.0\.1:\d+\/ failed \([A-Z_]+\): .*\(set CLICKHOUSE_TLS_CA_FILE to the CA that signed the server certificate\)$/) });
        const wrongCa = await ClickHouseServerTransport.open({ url: HTTPS_URL, username: user, password, tlsCaFile: otherCa }).catch((e: unknown) => e);
        expect(wrongCa).toBeInstanceOf(StoreError);
        // The file given is named: "set CLICKHOUSE_TLS_CA_FILE" alone would send its user looking for a setting already made.
        expect(wrongCa).toMatchObject({ canRetry: false, message: expect.stringContaining(`CLICKHOUSE_TLS_CA_FILE (${otherCa}) is not the CA that signed the server certificate`) });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
