/**
 * CLICKHOUSE_DATABASE and CLICKHOUSE_TLS_CA_FILE are checked with the other
 * options, at start-up, as configuration (exit 2, naming the variable).
 * Before, a CA file that could not be read failed as a store failure (exit 1,
 * DW_STORE_FAILED) when the first command opened the server, and a database
 * other than driftwatch — which no command can use — was accepted by the
 * configuration check and refused only by a command that opened a server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configReference, loadConfig } from '../../../config/env-config.js';
import { configErrorOf } from '../../helpers/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'dw-ch-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const errorFor = (env: Record<string, string>) => configErrorOf(() => loadConfig(env));
const https = 'https://ch.example:8443';

describe('CLICKHOUSE_DATABASE', () => {
  it('takes driftwatch, the database every statement of sql/ names, and says so in its doc', () => {
    expect(loadConfig({ CLICKHOUSE_DATABASE: 'driftwatch' }).clickhouse.database).toBe('driftwatch');
    expect(configReference().find((o) => o.env === 'CLICKHOUSE_DATABASE')!.doc).toMatch(/only driftwatch/);
  });

  it('refuses any other name at start-up, with or without CLICKHOUSE_URL', () => {
    for (const env of [{}, { CLICKHOUSE_URL: 'http://ch:8123' }]) {
      const e = errorFor({ ...env, CLICKHOUSE_DATABASE: 'metrics' });
      expect(e.option).toBe('CLICKHOUSE_DATABASE');
      expect(e.message).toBe('CLICKHOUSE_DATABASE: expected driftwatch (the database sql/migrations create; other names are not supported yet), got "metrics"');
    }
  });
});

describe('CLICKHOUSE_TLS_CA_FILE', () => {
  it('is read at start-up: a missing file or a directory is a configuration error naming it', () => {
    for (const path of ['/nonexistent/ca.pem', dir]) {
      const e = errorFor({ CLICKHOUSE_URL: https, CLICKHOUSE_TLS_CA_FILE: path });
      expect(e.code).toBe('DW_CONFIG_INVALID');
      expect(e.option).toBe('CLICKHOUSE_TLS_CA_FILE');
      expect(e.message).toMatch(new RegExp(`^CLICKHOUSE_TLS_CA_FILE: cannot read ${path}: `));
    }
  });

  it('refuses a file without a PEM certificate (a private key, DER) without showing what it holds', () => {
    const key = join(dir, 'key.pem');
    writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nS3CRETKEYMATERIAL\n-----END PRIVATE KEY-----\n');
    const e = errorFor({ CLICKHOUSE_URL: https, CLICKHOUSE_TLS_CA_FILE: key });
    expect(e.option).toBe('CLICKHOUSE_TLS_CA_FILE');
    expect(e.message).toContain('holds no PEM certificate');
    expect(e.message).not.toContain('S3CRETKEYMATERIAL');
  });

  it('takes a PEM certificate file', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(loadConfig({ CLICKHOUSE_URL: https, CLICKHOUSE_TLS_CA_FILE: ca }).clickhouse.tlsCaFile).toBe(ca);
  });
});
