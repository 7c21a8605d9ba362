/**
 * The server transport against a fake ClickHouse HTTP endpoint on loopback:
 * what it sends (SQL, settings, body, credentials) and how it reads answers
 * and failures. The real 18.16 server is exercised in
 * test/integration/clickhouse-server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback } from '../../helpers/loopback-server.js';
import { ClickHouseServerTransport } from '../../../store/clickhouse-transport.js';
import { compileRowEncoder, RowBinaryBuffer } from '../../../store/row-binary.js';

interface Seen {
  params: URLSearchParams;
  body: string;
  auth: string | undefined;
}
type Handler = (seen: Seen, res: ServerResponse) => void;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** An HTTP server on a free loopback port, closed after the test. */
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = await listenLoopback(handler);
  cleanups.push(server.close);
  return `http://${server.hostPort}`;
}

/** A fake server answering `SELECT version()` with `version`, and everything else with `handler`. */
async function fakeServer(version: string, handler: Handler = (_s, res) => res.end('')): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const url = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { params: new URL(req.url ?? '/', 'http://x').searchParams, body: Buffer.concat(chunks).toString('utf8'), auth: req.headers.authorization };
      if (s.body.startsWith('SELECT version()')) return res.end(`{"version":"${version}"}\n`);
      seen.push(s);
      handler(s, res);
    });
  });
  return { url, seen };
}

async function open(url: string, extra: { password?: string; requestTimeoutMs?: number } = {}): Promise<ClickHouseServerTransport> {
  const t = await ClickHouseServerTransport.open({ url, username: 'driftwatch', password: extra.password ?? 's3cret', requestTimeoutMs: extra.requestTimeoutMs });
  cleanups.push(() => t.close());
  return t;
}

describe('ClickHouseServerTransport (fake server)', () => {
  it('logs in with a real query and detects the version once', async () => {
    const { url } = await fakeServer('24.8.4.13');
    const t = await open(url);
    expect(t.kind).toBe('server');
    expect(t.serverVersion).toBe('24.8.4.13');
    expect(t.features).toEqual({ insertDeduplicationToken: true, asyncInsertSetting: true, optimizeOnInsertSetting: true, partitionLimitSetting: true, schema: true });
  });

  it('inserts the lines as the body, with the dedup token and async_insert=0 on a current server', async () => {
    const { url, seen } = await fakeServer('24.8.4.13');
    const t = await open(url);
    await t.insert('driftwatch.alerts', ['{"a":1}', '{"a":2}'], { dedupToken: 'w-7' });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.params.get('query')).toBe('INSERT INTO driftwatch.alerts FORMAT JSONEachRow');
    expect(seen[0]!.params.get('async_insert')).toBe('0');
    expect(seen[0]!.params.get('insert_deduplication_token')).toBe('w-7');
    expect(seen[0]!.params.get('max_partitions_per_insert_block')).toBe('0');
    expect(seen[0]!.body).toBe('{"a":1}\n{"a":2}');
    expect(Buffer.from(seen[0]!.auth!.replace(/^Basic /, ''), 'base64').toString()).toBe('driftwatch:s3cret');
    await t.insert('driftwatch.alerts', []);
    expect(seen).toHaveLength(1); // nothing to send, no request
  });

  it('sends RowBinary rows as the body with their column list; without the columns it refuses locally', async () => {
    const { url, seen } = await fakeServer('24.8.4.13');
    const t = await open(url);
    const rows = new RowBinaryBuffer();
    rows.push(['e-1', 5], compileRowEncoder([{ type: 'String' }, { type: 'Int64', orDefault: -1 }]));
    const payload = rows.take();
    await t.insert('driftwatch.hydration_events', payload, { format: 'RowBinary', columns: ['event_id', 'source_offset'], structure: 'event_id String, source_offset Int64' });
    expect(seen[0]!.params.get('query')).toBe('INSERT INTO driftwatch.hydration_events (event_id, source_offset) FORMAT RowBinary');
    expect(Buffer.from(seen[0]!.body, 'utf8').equals(payload)).toBe(true);
    expect(seen[0]!.params.has('optimize_on_insert')).toBe(false); // only a batch said to hold unique keys skips the collapse
    await t.insert('driftwatch.hydration_events', payload, { format: 'RowBinary', columns: ['event_id', 'source_offset'], structure: 'event_id String, source_offset Int64', uniqueKeys: true });
    expect(seen[1]!.params.get('optimize_on_insert')).toBe('0');
    seen.pop();
    await expect(t.insert('t', payload, { format: 'RowBinary' })).rejects.toThrow(/needs its columns/);
    expect(seen).toHaveLength(1);
  });

  it('leaves out the settings an 18.16 server does not know', async () => {
    const { url, seen } = await fakeServer('18.16.1');
    const t = await open(url);
    await t.insert('driftwatch.alerts', '{"a":1}', { dedupToken: 'w-7', uniqueKeys: true });
    expect(seen[0]!.params.has('insert_deduplication_token')).toBe(false);
    expect(seen[0]!.params.has('async_insert')).toBe(false);
    expect(seen[0]!.params.has('optimize_on_insert')).toBe(false);
    expect(seen[0]!.params.has('max_partitions_per_insert_block')).toBe(false);
  });

  it('queries in JSONEachRow with 64-bit integers as numbers; a trailing ; or comment is harmless', async () => {
    const { url, seen } = await fakeServer('24.8.4.13', (_s, res) => res.end('{"n":5}\n{"n":6}\n'));
    const t = await open(url);
    expect(await t.query('SELECT n FROM t -- the numbers;')).toEqual([{ n: 5 }, { n: 6 }]);
    expect(seen[0]!.body).toBe('SELECT n FROM t -- the numbers\nFORMAT JSONEachRow');
    expect(seen[0]!.params.get('output_format_json_quote_64bit_integers')).toBe('0');
  });

  it('sends an INSERT (driftwatch query --write) without a FORMAT clause, which would name its input format', async () => {
    const { url, seen } = await fakeServer('18.16.1');
    const t = await open(url);
    expect(await t.query("-- copy\nINSERT INTO t SELECT 'a', 1;")).toEqual([]);
    expect(await t.query('/* x */ insert into t values (1)')).toEqual([]);
    expect(seen.map((r) => r.body)).toEqual(["-- copy\nINSERT INTO t SELECT 'a', 1", '/* x */ insert into t values (1)']);
    await t.query('SELECT inserted FROM t');
    expect(seen[2]!.body).toBe('SELECT inserted FROM t\nFORMAT JSONEachRow');
  });

  it('reports an exception the server wrote after it started streaming rows', async () => {
    const { url } = await fakeServer('24.8.4.13', (_s, res) => res.end('{"n":5}\nCode: 241. DB::Exception: Memory limit (total) exceeded. (MEMORY_LIMIT_EXCEEDED)\n'));
    const t = await open(url);
    await expect(t.query('SELECT n FROM t')).rejects.toMatchObject({ canRetry: true, message: expect.stringContaining('Code: 241') });
  });

  it('reports an exception written as a JSONEachRow row, or flagged by the exception header', async () => {
    const { url } = await fakeServer('24.8.4.13', (s, res) => {
      if (s.body.includes('header')) {
        res.setHeader('X-ClickHouse-Exception-Code', '60');
        return res.end('Code: 60. DB::Exception: Unknown table (UNKNOWN_TABLE)');
      }
      res.end('{"n":5}\n{"exception":"Code: 395. DB::Exception: Value passed to throwIf. (FUNCTION_THROW_IF_VALUE_IS_NON_ZERO)"}\n');
    });
    const t = await open(url);
    await expect(t.query('SELECT n FROM t')).rejects.toMatchObject({ canRetry: false, message: expect.stringContaining('Code: 395') });
    await expect(t.command('DROP TABLE header')).rejects.toMatchObject({ canRetry: false, message: expect.stringContaining('Code: 60') });
  });

  it('a rejected login fails open() without retry and without the password', async () => {
    const bad = await listen((_req, res) => {
      res.statusCode = 401;
      res.end('Code: 516. DB::Exception: driftwatch: Authentication failed: password is incorrect. (AUTHENTICATION_FAILED)');
    });
    const err = await ClickHouseServerTransport.open({ url: bad, username: 'driftwatch', password: 'wrong-pw' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DW_STORE_FAILED', canRetry: false });
    expect((err as Error).message).toMatch(/^CLICKHOUSE_USER\/CLICKHOUSE_PASSWORD rejected by http:\/\/127\.0\.0\.1:\d+\/: Code: 516/);
    expect((err as Error).message).not.toContain('wrong-pw');
  });

  it('a gateway error and a request timeout are retryable', async () => {
    const { url } = await fakeServer('24.8.4.13', (s, res) => {
      if (s.body.startsWith('SLOW')) return; // never answers
      res.statusCode = 502;
      res.end('<html>502 Bad Gateway</html>');
    });
    const t = await open(url, { requestTimeoutMs: 100 });
    await expect(t.command('OPTIMIZE TABLE t')).rejects.toMatchObject({ canRetry: true, message: expect.stringContaining('(HTTP 502)') });
    await expect(t.command('SLOW')).rejects.toMatchObject({ canRetry: true, message: expect.stringMatching(/\(CLICKHOUSE_URL\) is unreachable during SLOW: Timeout error/) });
  });

  describe('restrictToReads (driftwatch query without --write)', () => {
    /** A server whose user profile has `readonly = level`; it refuses what 18.16 refuses in that mode, in 18.16's words. */
    function readOnlyProfile(level: 0 | 1 | 2, answer = '{"n":5}\n'): Handler {
      return (s, res) => {
        const settings = [...s.params.keys()].filter((k) => !['query', 'query_id', 'database'].includes(k));
        const refuse = (what: string) => {
          res.statusCode = 500;
          res.end(`Code: 164, e.displayText() = DB::Exception: ${what}, e.what() = DB::Exception`);
        };
        const sent = s.params.get('readonly');
        if (level === 1 && settings.length > 0) return refuse(`Cannot override setting (${settings[0]}) in readonly mode`);
        if (level === 2 && sent !== null && sent !== '2') return refuse('Setting readonly cannot be overrided in readonly mode');
        if (s.body.startsWith('SELECT value AS readonly FROM system.settings')) return res.end(`{"readonly":"${sent ?? level}"}\n`);
        res.end(answer);
      };
    }

    it('sends readonly=2 with every later request, after a probe the server accepted', async () => {
      const { url, seen } = await fakeServer('24.8.4.13', readOnlyProfile(0));
      const t = await open(url);
      await t.query('SELECT 1');
      expect(seen[0]!.params.has('readonly')).toBe(false); // not restricted until asked
      await t.restrictToReads();
      expect(seen[1]!.params.get('readonly')).toBe('2');
      expect(await t.query('SELECT n FROM t')).toEqual([{ n: 5 }]);
      await t.command('DROP TABLE t');
      await t.insert('driftwatch.alerts', '{"a":1}');
      for (const req of seen.slice(2)) expect(req.params.get('readonly')).toBe('2');
      expect(seen[2]!.params.get('output_format_json_quote_64bit_integers')).toBe('0');
    });

    it('an analyst (profile readonly = 2) takes the unchanged readonly=2 as well', async () => {
      const { url, seen } = await fakeServer('18.16.1', readOnlyProfile(2));
      const t = await open(url);
      await t.restrictToReads();
      expect(await t.query('SELECT n FROM t')).toEqual([{ n: 5 }]);
      expect(seen.at(-1)!.params.get('readonly')).toBe('2');
    });

    it('a user whose profile forbids changing settings (readonly = 1) is already read-only: no settings at all from then on', async () => {
      const { url, seen } = await fakeServer('18.16.1', readOnlyProfile(1, '{"n":"5"}\n'));
      const t = await open(url);
      await t.restrictToReads();
      // The refused probe, then the level read without settings.
      expect(seen.map((r) => r.params.get('readonly'))).toEqual(['2', null]);
      await t.restrictToReads(); // a second call changes nothing (and probes no more)
      expect(seen).toHaveLength(2);
      expect(await t.query('SELECT n FROM t')).toEqual([{ n: '5' }]); // 64-bit integers stay quoted: the setting may not be sent
      expect([...seen.at(-1)!.params.keys()].filter((k) => k !== 'query' && k !== 'query_id')).toEqual([]);
    });

    it('a refusal that does not come from a read-only profile is thrown, never followed by unrestricted queries', async () => {
      // READONLY for the probe, yet the user's level reads 0 (e.g. a proxy rewriting settings): no way to be sure.
      const odd = await fakeServer('24.8.4.13', (s, res) => {
        if (s.params.has('readonly')) {
          res.statusCode = 500;
          return res.end("Code: 164. DB::Exception: Cannot modify 'readonly' setting in readonly mode. (READONLY)");
        }
        res.end('{"readonly":"0"}\n');
      });
      await expect((await open(odd.url)).restrictToReads()).rejects.toThrow(/Code: 164/);
      // Any other failure of the probe (here an unknown setting) is the caller's to see.
      const other = await fakeServer('24.8.4.13', (_s, res) => {
        res.statusCode = 404;
        res.end('Code: 115, e.displayText() = DB::Exception: Unknown setting readonly, e.what() = DB::Exception');
      });
      await expect((await open(other.url)).restrictToReads()).rejects.toThrow(/Code: 115/);
      expect(other.seen).toHaveLength(1);
    });
  });

  it('refuses calls after close()', async () => {
    const { url } = await fakeServer('24.8.4.13');
    const t = await open(url);
    await t.close();
    await t.close(); // idempotent
    await expect(t.query('SELECT 1')).rejects.toThrow(/after close\(\)/);
  });
});
