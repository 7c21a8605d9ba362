import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../../config/env-config.js';
import { ConfigError, MigrationError } from '../../../lib/errors.js';
import { silentLogger } from '../../../lib/logger.js';
import { ClickHouseServerTransport } from '../../../store/clickhouse-transport.js';
import { openConfiguredStore } from '../../../store/configured-store.js';
import { listenLoopback } from '../../helpers/loopback-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const rt = (env: Record<string, string>, logger = silentLogger) => ({ config: loadConfig(env), logger });

/** A fake server that reports `version` and records every other statement. */
async function fakeServer(version: string): Promise<{ url: string; statements: string[] }> {
  const statements: string[] = [];
  const server = await listenLoopback((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (body.startsWith('SELECT version()')) return res.end(`{"version":"${version}"}\n`);
      statements.push(body);
      res.end('');
    });
  });
  cleanups.push(server.close);
  return { url: `http://${server.hostPort}`, statements };
}

describe('ClickHouse options in the configuration', () => {
  it('defaults: system CAs, 30 s requests, no tiering', () => {
    const c = loadConfig({});
    expect(c.clickhouse).toMatchObject({ tlsCaFile: null, requestTimeoutMs: 30_000 });
    expect(c.storageTiering).toBeNull();
  });

  it('DRIFTWATCH_STORAGE_POLICY turns tiering on with the seed ages and configurable volumes', () => {
    expect(loadConfig({ DRIFTWATCH_STORAGE_POLICY: 'tiered', DRIFTWATCH_VOLUME_COLD: 's3_cold' }).storageTiering).toEqual({
      policy: 'tiered', warmVolume: 'warm', coldVolume: 's3_cold', warmAfterMs: 7 * 86_400_000, coldAfterMs: 30 * 86_400_000,
    });
  });

  it('names the bad option', () => {
    const fails = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    };
    expect(fails({ DRIFTWATCH_VOLUME_WARM: "warm'; DROP" }).option).toBe('DRIFTWATCH_VOLUME_WARM');
    expect(fails({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_TLS_CA_FILE: '/etc/ca.pem' }).option).toBe('CLICKHOUSE_TLS_CA_FILE');
    expect(fails({ DRIFTWATCH_STORAGE_POLICY: 'tiered', DRIFTWATCH_TIER_COLD_AFTER: '7d' }).option).toBe('DRIFTWATCH_TIER_COLD_AFTER');
    expect(fails({ CLICKHOUSE_REQUEST_TIMEOUT: '0s' }).option).toBe('CLICKHOUSE_REQUEST_TIMEOUT');
  });
});

describe('openConfiguredStore with CLICKHOUSE_URL', () => {
  it('opens the server transport (no migration asked)', async () => {
    const { url, statements } = await fakeServer('24.8.4.13');
    const t = await openConfiguredStore(rt({ CLICKHOUSE_URL: url }), { migrate: false });
    cleanups.push(() => t.close());
    expect(t).toBeInstanceOf(ClickHouseServerTransport);
    expect((t as ClickHouseServerTransport).serverVersion).toBe('24.8.4.13');
    expect(statements).toEqual([]);
  });

  it('refuses to migrate a server older than the schema needs, before sending any DDL', async () => {
    const { url, statements } = await fakeServer('18.16.1');
    const err = await openConfiguredStore(rt({ CLICKHOUSE_URL: url }), { migrate: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toMatch(/runs 18\.16\.1; sql\/migrations need 22\.2 or newer .*unset CLICKHOUSE_URL/);
    expect(statements).toEqual([]);
  });

  it('accepts only the database the schema lives in (a configuration built in code; loadConfig refuses the variable)', async () => {
    const runtime = rt({ CLICKHOUSE_URL: 'http://127.0.0.1:1' });
    runtime.config.clickhouse.database = 'metrics';
    await expect(openConfiguredStore(runtime)).rejects.toMatchObject({
      option: 'CLICKHOUSE_DATABASE',
    });
  });

  it('an unreadable CA file is reported by its option', async () => {
    await expect(ClickHouseServerTransport.open({ url: 'https://127.0.0.1:1', tlsCaFile: '/nonexistent/ca.pem' })).rejects.toThrow(
      /^CLICKHOUSE_TLS_CA_FILE: cannot read \/nonexistent\/ca\.pem/,
    );
  });
});

describe('openConfiguredStore on the embedded store', () => {
  it('ignores DRIFTWATCH_STORAGE_POLICY with a warning and keeps the plain TTL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-configured-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => lines.push(l) });
    const t = await openConfiguredStore(rt({ DRIFTWATCH_DATA_DIR: dir, DRIFTWATCH_STORAGE_POLICY: 'tiered' }, logger));
    cleanups.push(() => t.close());
    expect(t.kind).toBe('embedded');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual([expect.stringContaining('DRIFTWATCH_STORAGE_POLICY is ignored by the embedded store')]);
    const [row] = await t.query<{ engine_full: string }>("SELECT engine_full FROM system.tables WHERE database = 'driftwatch' AND name = 'audit_log'");
    expect(row!.engine_full).not.toContain('TO VOLUME');
  });
});
