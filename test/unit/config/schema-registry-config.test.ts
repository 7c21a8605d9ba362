/**
 * The schema-registry options: SCHEMA_REGISTRY_URL must be the API root
 * itself (both registry clients append request paths to it as text, so a
 * query string or fragment would sit in front of every path), and its
 * credentials never show in an error or a log line; DRIFTWATCH_UNKNOWN_SCHEMA_TTL
 * has a default, takes 0, and names itself when bad.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../../config/env-config.js';
import { ConfigError } from '../../../lib/errors.js';
import { configErrorOf } from '../../helpers/config-error.js';
import { runCli } from '../cli/run-cli.js';

const errorFor = (env: Record<string, string>): ConfigError => configErrorOf(() => loadConfig(env));
const ROOT_ONLY = 'expected the registry API root without a query string or fragment (request paths are appended to it), such as http://localhost:8081/apis/ccompat/v7';

describe('SCHEMA_REGISTRY_URL', () => {
  it.each([
    ['http://host:8081/apis/ccompat/v7?x=1', 'http://host:8081/apis/ccompat/v7?x=redacted'],
    ['http://host:8081/apis/ccompat/v7/?x=1&y=2', 'http://host:8081/apis/ccompat/v7/?x=redacted&y=redacted'],
    ['http://host:8081/apis/ccompat/v7?', 'http://host:8081/apis/ccompat/v7?'],
    ['http://host:8081/apis/ccompat/v7#top', 'http://host:8081/apis/ccompat/v7#redacted'],
    ['http://host:8081/apis/ccompat/v7#', 'http://host:8081/apis/ccompat/v7#'],
  ])('refuses %s naming the variable', (url, shown) => {
    const err = errorFor({ SCHEMA_REGISTRY_URL: url });
    expect(err.option).toBe('SCHEMA_REGISTRY_URL');
    expect(err.message).toBe(`SCHEMA_REGISTRY_URL: ${ROOT_ONLY}, got "${shown}"`);
  });

  it('shows no password, query value or fragment of a refused URL', () => {
    const err = errorFor({ SCHEMA_REGISTRY_URL: 'https://reg:s3cret@host/apis/ccompat/v7?apikey=t0ken#fr4g' });
    expect(err.message).toBe(`SCHEMA_REGISTRY_URL: ${ROOT_ONLY}, got "https://reg:redacted@host/apis/ccompat/v7?apikey=redacted#redacted"`);
  });

  it('takes an API root, with or without credentials and a trailing slash', () => {
    for (const url of ['http://host:8081/apis/ccompat/v7', 'http://reg:p%40ss@host:8081/apis/ccompat/v7/', 'https://registry.internal']) {
      expect(loadConfig({ SCHEMA_REGISTRY_URL: url }).schemaRegistryUrl).toBe(url);
    }
  });
});

describe('SCHEMA_REGISTRY_URL at start-up', () => {
  let server: Server | null = null;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = null;
  });

  it.each([['schemas', 'register'], ['run']])('driftwatch %s refuses a URL with a query string: exit 2, no secret', async (...argv) => {
    const r = await runCli(argv, { SCHEMA_REGISTRY_URL: 'http://reg:s3cret@127.0.0.1:1/apis/ccompat/v7?token=t0ken', LOG_LEVEL: 'debug' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SCHEMA_REGISTRY_URL: expected the registry API root without a query string or fragment');
    expect(r.stdout + r.stderr + r.log).not.toMatch(/s3cret|t0ken/);
  });

  it('logs neither the password of the URL nor its basic-auth header, also at debug, when the registry refuses it', async () => {
    let authorization: string | undefined;
    server = createServer((req, res) => {
      authorization = req.headers.authorization;
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error_code: 40101, message: 'Unauthorized' }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const r = await runCli(['schemas', 'register'], { SCHEMA_REGISTRY_URL: `http://reg:s3cret@127.0.0.1:${port}/apis/ccompat/v7`, LOG_LEVEL: 'debug' });
    expect(r.code).toBe(1);
    expect(authorization).toBe(`Basic ${Buffer.from('reg:s3cret').toString('base64')}`); // the credentials were used…
    expect(r.log).toContain(`127.0.0.1:${port}`); // …the configuration was logged…
    const everything = r.stdout + r.stderr + r.log;
    expect(everything).not.toContain('s3cret'); // …and neither they
    expect(everything).not.toContain(Buffer.from('reg:s3cret').toString('base64')); // nor the header are in it
  });
});

describe('DRIFTWATCH_UNKNOWN_SCHEMA_TTL', () => {
  it('is 60 s by default, and 0 turns remembering off', () => {
    expect(loadConfig({}).unknownSchemaTtlMs).toBe(60_000);
    expect(loadConfig({ DRIFTWATCH_UNKNOWN_SCHEMA_TTL: '5m' }).unknownSchemaTtlMs).toBe(300_000);
    expect(loadConfig({ DRIFTWATCH_UNKNOWN_SCHEMA_TTL: '0' }).unknownSchemaTtlMs).toBe(0);
  });

  it.each(['soon', '-1s', '30d'])('refuses %j naming the variable', (value) => {
    const err = errorFor({ DRIFTWATCH_UNKNOWN_SCHEMA_TTL: value });
    expect(err.option).toBe('DRIFTWATCH_UNKNOWN_SCHEMA_TTL');
    expect(err.message).toMatch(new RegExp(`^DRIFTWATCH_UNKNOWN_SCHEMA_TTL: expected a duration .*, got "${value}"$`));
  });
});
