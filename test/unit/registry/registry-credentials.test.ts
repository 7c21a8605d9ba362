/**
 * Credentials in SCHEMA_REGISTRY_URL (`http://user:password@host/…`): both
 * registry clients get them as basic auth and a URL without them, and no
 * error text or log line ever shows the password. Against a fake registry
 * on loopback, so the real fetch and the real HTTP layer of
 * @kafkajs/confluent-schema-registry are exercised.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closedLoopbackPort, listenLoopback } from '../../helpers/loopback-server.js';
import { createLogger } from '../../../lib/logger.js';
import { RegistryAdmin } from '../../../schemas/registry/registry-admin.js';
import { createRegistryClient } from '../../../schemas/registry/registry-client.js';
import { basicAuthorization, redactCredentials, registryEndpoint } from '../../../schemas/registry/registry-endpoint.js';
import { isTransientRegistryError, registryMessage, SchemaRegistryError } from '../../../schemas/registry/registry-errors.js';
import { RegistryRetry } from '../../../schemas/registry/registry-retry.js';
import { driftwatchSubjects, registerSubject } from '../../../schemas/registry/register-schemas.js';

const PASSWORD = 's3cret';
const topics = { promotion: 'driftwatch.promotion.v1', hydration: 'driftwatch.hydration.v1', index: 'driftwatch.index.v1', alerts: 'driftwatch.alerts.v1' };

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A fake registry on a free loopback port, closed after the test; answers every request with `answer`. */
async function fakeRegistry(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ hostPort: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await listenLoopback((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => answer(req, res));
  });
  cleanups.push(server.close);
  return { hostPort: server.hostPort, seen };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
  res.end(JSON.stringify(body));
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

/** Everything an error could show: its message, its cause's, its JSON form. */
function allText(err: Error): string {
  return [err.message, String(err), JSON.stringify(err), (err.cause as Error | undefined)?.message ?? ''].join('\n');
}

describe('registryEndpoint', () => {
  it('splits user:password out of the URL, percent-decoded, and drops the trailing slash', () => {
    expect(registryEndpoint('http://reg:s3cret@127.0.0.1:8081/apis/ccompat/v7/')).toEqual({
      baseUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      auth: { username: 'reg', password: 's3cret' },
    });
    const e = registryEndpoint('https://team%40corp:p%40ss%3Aw%2Frd@registry.example.com/api');
    expect(e).toEqual({ baseUrl: 'https://registry.example.com/api', auth: { username: 'team@corp', password: 'p@ss:w/rd' } });
  });

  it('has no auth for a URL without credentials, and keeps a username without a password (API-key style)', () => {
    expect(registryEndpoint('http://127.0.0.1:8081/apis/ccompat/v7')).toEqual({ baseUrl: 'http://127.0.0.1:8081/apis/ccompat/v7' });
    expect(registryEndpoint('http://KEY@h:1/')).toEqual({ baseUrl: 'http://h:1', auth: { username: 'KEY', password: '' } });
  });

  it('keeps a malformed percent escape as typed, and strips credentials from text that is not a URL', () => {
    expect(registryEndpoint('http://reg:50%zz@h:1').auth).toEqual({ username: 'reg', password: '50%zz' });
    expect(registryEndpoint('http://reg:s3cret@bad host/').baseUrl).toBe('http://bad host');
  });

  it('builds an RFC 7617 basic Authorization value (UTF-8)', () => {
    expect(basicAuthorization({ username: 'reg', password: 's3cret' })).toBe(`Basic ${Buffer.from('reg:s3cret').toString('base64')}`);
    expect(basicAuthorization({ username: 'ü', password: 'p:w' })).toBe(`Basic ${Buffer.from('ü:p:w', 'utf8').toString('base64')}`);
  });
});

describe('redactCredentials', () => {
  it('replaces //user:pass@ in free text, wherever it appears', () => {
    const text = 'Request cannot be constructed from a URL that includes credentials: http://reg:s3cret@127.0.0.1:2/x/config/s (and https://a:b@c/)';
    expect(redactCredentials(text)).toBe(
      'Request cannot be constructed from a URL that includes credentials: http://[redacted]@127.0.0.1:2/x/config/s (and https://[redacted]@c/)',
    );
    expect(redactCredentials('http://127.0.0.1:2/path')).toBe('http://127.0.0.1:2/path');
  });

  it('replaces query values of URLs in free text, up to the end of the URL', () => {
    expect(redactCredentials('cannot reach the schema registry at http://127.0.0.1:59999/apis/ccompat/v7?token=pa55tok&x=1 (ECONNREFUSED)')).toBe(
      'cannot reach the schema registry at http://127.0.0.1:59999/apis/ccompat/v7?token=redacted&x=redacted (ECONNREFUSED)',
    );
    expect(redactCredentials('"http://h/?a=b" and what? it=stays')).toBe('"http://h/?a=redacted" and what? it=stays');
  });

  it('is applied to messages of the registry client library', () => {
    expect(registryMessage(new Error(`Confluent_Schema_Registry - Error, status 401: http://reg:${PASSWORD}@h/x`))).toBe('Error, status 401: http://[redacted]@h/x');
  });
});

describe('RegistryAdmin with credentials in the URL', () => {
  it('sends them as an Authorization: Basic header, to a URL without them', async () => {
    const fake = await fakeRegistry((_req, res) => json(res, 200, { compatibilityLevel: 'BACKWARD' }));
    const admin = new RegistryAdmin(`http://reg:${PASSWORD}@${fake.hostPort}/apis/ccompat/v7/`);
    await expect(admin.getCompatibility('t-value')).resolves.toBe('BACKWARD');
    expect(fake.seen).toEqual([{ method: 'GET', url: '/apis/ccompat/v7/config/t-value', authorization: `Basic ${Buffer.from(`reg:${PASSWORD}`).toString('base64')}` }]);
  });

  it('gives fetch a URL without credentials (fetch refuses those)', async () => {
    const urls: string[] = [];
    const headers: Array<Record<string, string>> = [];
    const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      urls.push(String(input));
      headers.push(init?.headers as Record<string, string>);
      return new Response('{"compatibilityLevel":"FULL"}', { status: 200 });
    };
    const admin = new RegistryAdmin(`http://reg:p%40ss@registry.test/api`, { fetch: fetchFn as typeof fetch });
    await admin.getCompatibility('s');
    expect(urls).toEqual(['http://registry.test/api/config/s']);
    expect(headers[0]!.authorization).toBe(`Basic ${Buffer.from('reg:p@ss').toString('base64')}`);
  });

  it('sends no Authorization header when the URL has no credentials', async () => {
    const fake = await fakeRegistry((_req, res) => json(res, 404, { error_code: 40401, message: 'Subject not found.' }));
    await expect(new RegistryAdmin(`http://${fake.hostPort}`).getCompatibility('s')).resolves.toBeNull();
    expect(fake.seen[0]!.authorization).toBeUndefined();
  });

  it('never shows the password when the registry cannot be reached, and retries that as an outage', async () => {
    const admin = new RegistryAdmin(`http://reg:${PASSWORD}@${await closedLoopbackPort()}/apis/ccompat/v7`);
    const err = await failure(admin.getCompatibility('t-value'));
    expect(err).toBeInstanceOf(SchemaRegistryError);
    expect(err.message).toMatch(/cannot reach the schema registry at http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7 \(ECONNREFUSED\)/);
    expect(allText(err)).not.toContain(PASSWORD);
    expect(isTransientRegistryError(err)).toBe(true);
  });

  it('fails at once, without the password and without a retry, when fetch refuses the request', async () => {
    // What Node's fetch throws for a URL with credentials: its message carries the whole URL.
    const refuse = async (input: string | URL | Request): Promise<Response> => {
      throw new TypeError(`Request cannot be constructed from a URL that includes credentials: http://reg:${PASSWORD}@h${new URL(String(input)).pathname}`);
    };
    const admin = new RegistryAdmin(`http://reg:${PASSWORD}@h/api`, { fetch: refuse as typeof fetch });
    const err = await failure(admin.getCompatibility('t-value'));
    expect(err.message).toBe(
      'the request GET http://h/api/config/t-value to the schema registry failed: ' +
        'Request cannot be constructed from a URL that includes credentials: http://[redacted]@h/api/config/t-value',
    );
    expect(err.message).not.toContain(PASSWORD);
    expect(isTransientRegistryError(err)).toBe(false);

    let attempts = 0;
    const retry = new RegistryRetry({ sleep: async () => undefined });
    await expect(retry.run(() => (attempts++, admin.getCompatibility('t-value')))).rejects.toThrow(/failed: Request cannot be constructed/);
    expect(attempts).toBe(1);
    expect(retry.stats.outages).toBe(0);
  });

  it('still treats a timeout as an outage', async () => {
    const timeout = async (): Promise<Response> => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    };
    const err = await failure(new RegistryAdmin('http://h/api', { fetch: timeout as typeof fetch }).getCompatibility('s'));
    expect(isTransientRegistryError(err)).toBe(true);
  });

  it('redacts credentials a registry (or a proxy) echoes in its error answer', async () => {
    const fake = await fakeRegistry((_req, res) => json(res, 401, { error_code: 401, message: `Unauthorized: http://reg:${PASSWORD}@somewhere/` }));
    const err = await failure(new RegistryAdmin(`http://reg:${PASSWORD}@${fake.hostPort}`).setCompatibility('s', 'BACKWARD'));
    expect(err.message).toContain('answered 401: Unauthorized: http://[redacted]@somewhere/');
    expect(allText(err)).not.toContain(PASSWORD);
    expect(isTransientRegistryError(err)).toBe(false);
  });

  it('keeps the password out of `schemas register` output and logs while it waits for the registry', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (l: string) => lines.push(l) } });
    const admin = new RegistryAdmin(`http://reg:${PASSWORD}@${await closedLoopbackPort()}/apis/ccompat/v7`, { timeoutMs: 1000 });
    const retry = new RegistryRetry({ maxElapsedMs: 50, initialDelayMs: 5, logger, what: 'schema registration' });
    const err = await failure(retry.run(() => registerSubject(admin, driftwatchSubjects(topics)[0]!)));
    expect(err.message).toMatch(/schema registry unavailable .* giving up: cannot reach the schema registry/);
    expect(lines.length).toBeGreaterThan(0);
    expect([allText(err), ...lines].join('\n')).not.toContain(PASSWORD);
  });
});

describe('createRegistryClient with credentials in the URL', () => {
  it('gives the library `auth`, so each request carries basic auth, to a host without credentials', async () => {
    const fake = await fakeRegistry((_req, res) => json(res, 200, { schema: '{"type":"string"}' }));
    const client = createRegistryClient(`http://reg:p%40ss@${fake.hostPort}/apis/ccompat/v7/`);
    const schema = (await client.getSchema(1)) as unknown as { toBuffer(v: string): Buffer };
    expect(schema.toBuffer('x')).toEqual(Buffer.from([2, 0x78]));
    expect(fake.seen).toEqual([{ method: 'GET', url: '/apis/ccompat/v7/schemas/ids/1', authorization: `Basic ${Buffer.from('reg:p@ss').toString('base64')}` }]);
  });

  it('sends no credentials when the URL has none', async () => {
    const fake = await fakeRegistry((_req, res) => json(res, 200, { schema: '{"type":"string"}' }));
    await createRegistryClient(`http://${fake.hostPort}`).getSchema(7);
    expect(fake.seen[0]!.authorization).toBeUndefined();
  });

  it('never shows the password when the registry cannot be reached', async () => {
    const client = createRegistryClient(`http://reg:${PASSWORD}@${await closedLoopbackPort()}`);
    const err = await failure(client.getSchema(1));
    expect(isTransientRegistryError(err)).toBe(true);
    expect(allText(err)).not.toContain(PASSWORD);
  });
});
